import { checkPolicies, checkTrigger, checkTriggerAgainstPolicies } from './checks';
import type { Problem } from './checks';
import { sortErrors } from './errors';
import type { DefinitionError } from './errors';
import { parsePoliciesText, parseTriggerText } from './parse';
import type { Parsed } from './parse';
import type { PoliciesDefinition, TriggerDefinition } from './schema';
import { errorAt } from './source';
import type { YamlSource } from './source';

/** Name of the policies text in a map of texts from the trigger-definitions topic (topics.md). */
export const POLICIES_KEY = '__policies__';

/** Definition texts by name: file paths (a folder) or topic keys (trigger id, or `__policies__`). */
export type DefinitionTexts = Readonly<Record<string, string>>;

/** Every definition valid on its own and together, ready to compile. */
export interface ValidDefinitions {
  triggers: Parsed<TriggerDefinition>[];
  policies: PoliciesDefinition;
}

export type ValidationResult = ({ ok: true } & ValidDefinitions) | { ok: false; errors: DefinitionError[] };

/** True for the text holding the policies: topic key `__policies__` or a file named policies.yaml/.yml. */
export function isPoliciesName(name: string): boolean {
  return name === POLICIES_KEY || /(^|[/\\])policies\.ya?ml$/.test(name);
}

// A name without .yaml/.yml is a topic key, which must be the trigger's id (compaction keeps one per key).
function isTopicKey(name: string): boolean {
  return !/\.ya?ml$/.test(name);
}

/**
 * Validates all texts together and reports every error of every text at once (sorted by file and line):
 * YAML syntax, schema, cross-field rules, rules against policies, duplicate ids across files.
 */
export function validateDefinitions(texts: DefinitionTexts): ValidationResult {
  const errors: DefinitionError[] = [];
  const located = (source: YamlSource, problems: Problem[]) =>
    problems.forEach((p) => errors.push(errorAt(source, p.path, p.message)));

  const policyNames = Object.keys(texts).filter(isPoliciesName);
  let policies: PoliciesDefinition | undefined;
  if (policyNames.length === 0) {
    errors.push({
      file: 'policies.yaml',
      line: 1,
      path: '',
      message: `policies are missing (add policies.yaml next to the triggers, or the ${POLICIES_KEY} record)`,
    });
  }
  for (const name of policyNames) {
    if (policyNames.length > 1 && name !== policyNames[0]) {
      errors.push({
        file: name,
        line: 1,
        path: '',
        message: `policies are also defined in ${policyNames[0]} (keep one)`,
      });
      continue;
    }
    const result = parsePoliciesText(name, texts[name] ?? '');
    if (!result.ok) {
      errors.push(...result.errors);
      continue;
    }
    const problems = checkPolicies(result.parsed.value);
    located(result.parsed.source, problems);
    if (problems.length === 0) policies = result.parsed.value;
  }

  const triggers: Parsed<TriggerDefinition>[] = [];
  const byId = new Map<string, Parsed<TriggerDefinition>>();
  for (const name of Object.keys(texts).filter((n) => !isPoliciesName(n))) {
    const result = parseTriggerText(name, texts[name] ?? '');
    if (!result.ok) {
      errors.push(...result.errors);
      continue;
    }
    const { value: trigger, source } = result.parsed;
    const problems = checkTrigger(trigger);
    if (policies) problems.push(...checkTriggerAgainstPolicies(trigger, policies));
    if (isTopicKey(name) && name !== trigger.id) {
      problems.push({ path: ['id'], message: `id '${trigger.id}' differs from its record key '${name}'` });
    }
    const other = byId.get(trigger.id);
    if (other) {
      problems.push({
        path: ['id'],
        message: `duplicate id '${trigger.id}': also defined in ${other.source.file}`,
      });
      errors.push(
        errorAt(other.source, ['id'], `duplicate id '${trigger.id}': also defined in ${source.file}`),
      );
    } else {
      byId.set(trigger.id, result.parsed);
    }
    located(source, problems);
    if (problems.length === 0) triggers.push(result.parsed);
  }

  if (errors.length > 0 || !policies) return { ok: false, errors: sortErrors(errors) };
  return { ok: true, triggers, policies };
}
