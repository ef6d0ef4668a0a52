import type { TriggerDefinition } from './schema';

function list(events: string | string[]): string[] {
  return Array.isArray(events) ? events : [events];
}

/**
 * Every event type that may change what a trigger does, so routing can skip the trigger for all others:
 * the signal's events, the absent events (they disarm timers), after/unless/exitIf history (kept in state
 * and read at evaluation) and goal events (conversions).
 */
export function routedEventTypes(t: TriggerDefinition): string[] {
  const types = new Set<string>(list(t.signal.event));
  if (t.signal.absent) list(t.signal.absent.event).forEach((e) => types.add(e));
  const history = [
    ...(t.signal.after ?? []),
    ...(t.suppression?.unless ?? []),
    ...(t.exitIf ?? []),
    ...(t.sequence ?? []).flatMap((s) => s.exitIf ?? []),
    ...(t.goal ? [t.goal] : []),
  ];
  for (const h of history) list(h.event).forEach((e) => types.add(e));
  return [...types];
}
