import { isPoliciesName, parseTriggerText, POLICIES_KEY } from '../../engine/definitions';
import type { ValidDefinitions } from '../../engine/definitions';

/** One record to write to trigger-definitions: key = trigger id or `__policies__`, value = YAML or null. */
export interface DeployRecord {
  key: string;
  value: string | null;
}

export interface DeployPlan {
  /** Records to publish, in one send. Empty when nothing changed. */
  publish: DeployRecord[];
  /** Keys whose deployed text is byte-for-byte the folder's: not republished. */
  unchanged: string[];
  /** Changes refused, each with a sentence saying what to do. Nothing is published when any is refused. */
  refused: string[];
  /** Deployed triggers that the folder no longer has: undeployed only with `prune`. */
  orphaned: string[];
}

/**
 * Decides what `triggerctl deploy` publishes: every new or changed trigger (its version must go up: a
 * changed trigger under the same version would make "which v3?" unanswerable in decisions), changed
 * policies, and with `prune` a tombstone for every deployed trigger missing from the folder.
 */
export function planDeploy(
  deployed: ReadonlyMap<string, string | null>,
  folder: { texts: Readonly<Record<string, string>>; valid: ValidDefinitions },
  prune: boolean,
): DeployPlan {
  const plan: DeployPlan = { publish: [], unchanged: [], refused: [], orphaned: [] };
  const byFileName = new Map(folder.valid.triggers.map((t) => [t.source.file, t.value]));

  for (const [name, text] of Object.entries(folder.texts)) {
    const key = isPoliciesName(name) ? POLICIES_KEY : byFileName.get(name)?.id;
    if (key === undefined) continue;
    const current = deployed.get(key) ?? null;
    if (current === text) {
      plan.unchanged.push(key);
      continue;
    }
    const next = byFileName.get(name);
    if (next && current !== null) {
      const before = parseTriggerText(key, current);
      const deployedVersion = before.ok ? before.parsed.value.version : undefined;
      if (deployedVersion !== undefined && next.version <= deployedVersion) {
        plan.refused.push(
          `${name}: trigger '${key}' changed but its version is ${next.version} and v${deployedVersion} is deployed (set version: ${deployedVersion + 1})`,
        );
        continue;
      }
    }
    plan.publish.push({ key, value: text });
  }

  const inFolder = new Set(folder.valid.triggers.map((t) => t.value.id));
  for (const [key, value] of deployed) {
    if (key === POLICIES_KEY || value === null || inFolder.has(key)) continue;
    plan.orphaned.push(key);
    if (prune) plan.publish.push({ key, value: null });
  }
  plan.publish.sort((a, b) => a.key.localeCompare(b.key));
  plan.unchanged.sort();
  plan.orphaned.sort();
  return plan;
}
