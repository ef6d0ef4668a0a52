import { formatDuration, parseDuration } from './duration';
import { editDistance } from './errors';
import { checkEventPath, checkTemplate } from './paths';
import { STANDARD_ACTION_TYPES } from './schema';
import type { Action, Channel, PoliciesDefinition, TriggerDefinition } from './schema';

/** A cross-field problem at a YAML path of the checked file. */
export interface Problem {
  path: PropertyKey[];
  message: string;
}

/** An action with its YAML path: the single `action`, or each action step of `sequence`. */
export interface LocatedAction {
  path: PropertyKey[];
  action: Action;
}

/** The actions of a trigger with their paths, in sequence order. */
export function actionsOf(t: TriggerDefinition): LocatedAction[] {
  if (t.action) return [{ path: ['action'], action: t.action }];
  const out: LocatedAction[] = [];
  t.sequence?.forEach((step, i) => {
    if (step.action) out.push({ path: ['sequence', i, 'action'], action: step.action });
  });
  return out;
}

/** Rules of one trigger that need no policies: structure, references, paths (spec/triggers.md). */
export function checkTrigger(t: TriggerDefinition): Problem[] {
  const problems: Problem[] = [];
  const add = (path: PropertyKey[], message: string) => problems.push({ path, message });

  if (t.risk === 'high' && !t.approvedBy) {
    add(
      t.approvedBy === undefined ? ['risk'] : ['approvedBy'],
      'risk: high needs approvedBy (who approved this trigger)',
    );
  }
  if (t.action && t.sequence) add(['action'], 'write either action (one step) or sequence, not both');
  if (!t.action && !t.sequence) add([], 'missing action or sequence (what to do when the signal matches)');
  if (t.signal.count && t.signal.absent) {
    add(
      ['signal', 'absent'],
      'count and absent cannot be combined in one signal (use after for history conditions)',
    );
  }

  const seenSteps = new Map<string, number>();
  t.sequence?.forEach((step, i) => {
    const at = ['sequence', i];
    const first = seenSteps.get(step.id);
    if (first !== undefined) add([...at, 'id'], `step id '${step.id}' is already used by sequence[${first}]`);
    else seenSteps.set(step.id, i);
    if (step.action && step.wait)
      add([...at, 'wait'], 'a step is either an action or a wait (split it into two steps)');
    if (!step.action && !step.wait) add(at, 'a step needs action or wait');
    if (step.exitIf && !step.wait) {
      add(
        [...at, 'exitIf'],
        'exitIf belongs on a wait step or at the top of the trigger (for the whole sequence)',
      );
    }
  });
  if (t.sequence && !t.sequence.some((s) => s.action)) {
    add(['sequence'], 'the sequence has no action step (nothing would ever be emitted)');
  }

  for (const { path, action } of actionsOf(t)) {
    const prefix = action.type.split('.')[0];
    if (prefix !== action.channel) {
      add(
        [...path, 'type'],
        `"${action.type}" is not a ${action.channel} action (use ${action.channel}.<name>)`,
      );
    }
    const standard = STANDARD_ACTION_TYPES.find((t) => editDistance(t, action.type) <= 2);
    if (standard && standard !== action.type && prefix === action.channel) {
      // A custom type this close to a standard one is almost surely a typo no adapter would handle.
      add(
        [...path, 'type'],
        `"${action.type}" is not a known type (did you mean '${standard}'? custom types need a distinct name)`,
      );
    }
    if (action.renderAt && action.channel !== 'email') {
      add([...path, 'renderAt'], `renderAt: open is only for email actions (this one is ${action.channel})`);
    }
    for (const [key, value] of Object.entries(action.params ?? {})) {
      if (typeof value !== 'string') continue;
      for (const message of checkTemplate(value).problems) add([...path, 'params', key], message);
    }
  }

  const checkWhere = (where: Record<string, unknown> | undefined, at: PropertyKey[]) => {
    for (const key of Object.keys(where ?? {})) {
      const message = checkEventPath(key);
      if (message) add([...at, key], message);
    }
  };
  checkWhere(t.signal.where, ['signal', 'where']);
  checkWhere(t.signal.absent?.where, ['signal', 'absent', 'where']);
  t.signal.after?.forEach((h, i) => checkWhere(h.where, ['signal', 'after', i, 'where']));
  t.suppression?.unless?.forEach((h, i) => checkWhere(h.where, ['suppression', 'unless', i, 'where']));
  t.exitIf?.forEach((h, i) => checkWhere(h.where, ['exitIf', i, 'where']));
  t.sequence?.forEach((s, i) =>
    s.exitIf?.forEach((h, j) => checkWhere(h.where, ['sequence', i, 'exitIf', j, 'where'])),
  );
  checkWhere(t.goal?.where, ['goal', 'where']);
  const distinct = t.signal.count?.distinct;
  if (distinct !== undefined) {
    const message = checkEventPath(distinct);
    if (message) add(['signal', 'count', 'distinct'], message);
  }
  return problems;
}

/** Rules of one trigger against the policies: channels configured, sla <= window per action channel. */
export function checkTriggerAgainstPolicies(t: TriggerDefinition, policies: PoliciesDefinition): Problem[] {
  const problems: Problem[] = [];
  const reported = new Set<Channel>();
  for (const { path, action } of actionsOf(t)) {
    const channel = policies.channels[action.channel];
    if (!channel) {
      problems.push({
        path: [...path, 'channel'],
        message: `channel ${action.channel} is not configured in policies.yaml (add channels.${action.channel} with sla, window and consent)`,
      });
      continue;
    }
    if (reported.has(action.channel)) continue;
    const window = t.window ?? channel.window;
    const sla = t.sla ?? channel.sla;
    if ((parseDuration(sla) ?? 0) > (parseDuration(window) ?? 0)) {
      reported.add(action.channel);
      const from = (own: string | undefined) =>
        own ? '' : ` (${action.channel} default from policies.yaml)`;
      problems.push({
        path: t.sla ? ['sla'] : t.window ? ['window'] : [...path, 'channel'],
        message:
          `sla ${sla}${from(t.sla)} is longer than window ${window}${from(t.window)}: ` +
          `no activation could meet it (make sla <= window)`,
      });
    }
  }
  return problems;
}

/** Rules within policies.yaml: each channel's sla <= window, quiet hours of non-zero length. */
export function checkPolicies(p: PoliciesDefinition): Problem[] {
  const problems: Problem[] = [];
  for (const [name, channel] of Object.entries(p.channels)) {
    if (!channel) continue;
    const sla = parseDuration(channel.sla) ?? 0;
    const window = parseDuration(channel.window) ?? 0;
    if (sla > window) {
      problems.push({
        path: ['channels', name, 'sla'],
        message: `sla ${channel.sla} is longer than window ${channel.window} (make sla <= window, e.g. sla ${formatDuration(window)})`,
      });
    }
    if (channel.quietHours && channel.quietHours.from === channel.quietHours.to) {
      problems.push({
        path: ['channels', name, 'quietHours', 'to'],
        message: 'quiet hours start and end at the same time (remove quietHours or give them a length)',
      });
    }
  }
  return problems;
}
