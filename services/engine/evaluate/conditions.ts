/**
 * Conditions on events, profiles and history (spec/triggers.md "Signal"). A missing field makes every
 * operator false except `exists: false`.
 */
import type { StoredEvent } from '../state';
import type { EventMatcher, FieldCondition, HistoryCondition, Operator, Scalar } from './plan';

/** The value at an event path (`type`, `channel`, `sessionId`, `eventId`, `properties.X`, `context.X`). */
export function eventField(e: StoredEvent, path: string): Scalar | undefined {
  const dot = path.indexOf('.');
  if (dot < 0) {
    switch (path) {
      case 'type':
        return e.type;
      case 'channel':
        return e.channel;
      case 'eventId':
        return e.eventId;
      case 'sessionId':
        return e.sessionId ?? undefined;
      case 'occurredAt':
        return e.occurredAt;
      default:
        return undefined;
    }
  }
  const head = path.slice(0, dot);
  const key = path.slice(dot + 1);
  if (head === 'properties') return Object.hasOwn(e.properties, key) ? e.properties[key] : undefined;
  if (head === 'context' && e.context) {
    const v = (e.context as unknown as Record<string, Scalar | null>)[key];
    return v === null ? undefined : v;
  }
  return undefined;
}

function numeric(v: Scalar): number | undefined {
  if (typeof v === 'number') return v;
  // Profile attributes are strings: a numeric string compares as a number.
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function equal(a: Scalar, b: Scalar): boolean {
  return typeof a === typeof b ? a === b : String(a) === String(b);
}

function holds(op: Operator, v: Scalar | undefined): boolean {
  if (op.op === 'exists') return op.value === (v !== undefined);
  if (v === undefined) return false;
  switch (op.op) {
    case 'eq':
      return equal(v, op.value);
    case 'ne':
      return !equal(v, op.value);
    case 'in':
      return op.values.some((x) => equal(v, x));
    case 'notIn':
      return !op.values.some((x) => equal(v, x));
    case 'startsWith':
      return typeof v === 'string' && v.startsWith(op.value);
    case 'endsWith':
      return typeof v === 'string' && v.endsWith(op.value);
    case 'contains':
      return typeof v === 'string' && v.includes(op.value);
    case 'matches':
      return typeof v === 'string' && op.regex.test(v);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const n = numeric(v);
      if (n === undefined) return false;
      if (op.op === 'gt') return n > op.value;
      if (op.op === 'gte') return n >= op.value;
      if (op.op === 'lt') return n < op.value;
      return n <= op.value;
    }
  }
}

/**
 * True when every operator of every condition holds for the values `get(source, path)` returns. `get`
 * takes the source rather than closing over it, and the loops are plain: eventMatches runs this for
 * every history event a count or look-back scans, and a closure made per call costs tsx's keepNames a
 * defineProperty.
 */
export function conditionsHold<T>(
  conditions: readonly FieldCondition[],
  source: T,
  get: (source: T, path: string) => Scalar | undefined,
): boolean {
  for (const c of conditions) {
    const v = get(source, c.path);
    for (const op of c.ops) if (!holds(op, v)) return false;
  }
  return true;
}

/** True when the event is of one of the types, from the channel (if any) and satisfies `where`. */
export function eventMatches(m: EventMatcher, e: StoredEvent): boolean {
  if (!m.eventTypes.has(e.type)) return false;
  if (m.channel !== null && m.channel !== e.channel) return false;
  if (e.context?.bot) return false;
  return conditionsHold(m.where, e, eventField);
}

/** True when the profile satisfies every condition (path = attribute name). */
export function profileHolds(
  conditions: readonly FieldCondition[],
  profile: Record<string, string>,
): boolean {
  return conditionsHold(conditions, profile, profileField);
}

function profileField(profile: Record<string, string>, name: string): string | undefined {
  return Object.hasOwn(profile, name) ? profile[name] : undefined;
}

/**
 * True when at least `atLeast` history events match with occurredAt in (from, to], skipping `exclude`
 * (the signal events themselves).
 */
export function historyHolds(
  c: HistoryCondition,
  history: readonly StoredEvent[],
  from: number,
  to: number,
  exclude: ReadonlySet<string> = new Set(),
): boolean {
  let n = 0;
  for (let i = firstAfter(history, from); i < history.length; i++) {
    const e = history[i] as StoredEvent;
    if (e.occurredAt > to) break;
    if (exclude.has(e.eventId)) continue;
    if (eventMatches(c, e) && ++n >= c.atLeast) return true;
  }
  return false;
}

/** Index of the first event with occurredAt > t in a history sorted by occurredAt (binary search). */
export function firstAfter(history: readonly StoredEvent[], t: number): number {
  return firstFrom(history, t, false);
}

/** Index of the first event with occurredAt >= t in a history sorted by occurredAt (binary search). */
export function firstAtOrAfter(history: readonly StoredEvent[], t: number): number {
  return firstFrom(history, t, true);
}

/** The one binary search of both: occurredAt > t, or >= t when `inclusive` (no closure: a hot path). */
function firstFrom(history: readonly StoredEvent[], t: number, inclusive: boolean): number {
  let lo = 0;
  let hi = history.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = (history[mid] as StoredEvent).occurredAt;
    if (at > t || (inclusive && at === t)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
