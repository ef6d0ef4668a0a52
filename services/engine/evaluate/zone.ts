/**
 * Local time in an IANA time zone, and quiet hours (spec/triggers.md "quiet_hours"), through
 * Intl.DateTimeFormat (pure: no I/O, no clock). Civil-date arithmetic is done by hand because evaluate/
 * may not use Date.
 */
import type { QuietHoursPlan } from './plan';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `name` is a time zone this runtime knows. */
export function isKnownTimeZone(name: string): boolean {
  return formatter(name) !== null;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Local wall-clock time at `instant` in `timeZone`, as epoch ms of the same wall time in UTC. */
export function wallTime(instant: number, timeZone: string): number {
  const f = formatter(timeZone) ?? (formatter('UTC') as Intl.DateTimeFormat);
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const days = daysFromCivil(parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1);
  const ms = ((instant % 1000) + 1000) % 1000;
  return (
    days * DAY_MS +
    (parts.hour ?? 0) * 3_600_000 +
    (parts.minute ?? 0) * MINUTE_MS +
    (parts.second ?? 0) * 1000 +
    ms
  );
}

/**
 * The first instant whose local wall time is `wall`. In an autumn overlap that is the earlier of the two;
 * in a spring gap the wall time does not exist and the result is shifted forward by the gap (02:30 in
 * Berlin on the March change gives 03:30 CEST), as JavaScript's Date does.
 */
export function instantOfWall(wall: number, timeZone: string): number {
  const offsetAt = (t: number) => wallTime(t, timeZone) - t;
  // Zone offsets change at most once around any instant in practice: the offsets a day before and a day
  // after give both candidates.
  const candidates = [wall - offsetAt(wall - DAY_MS), wall - offsetAt(wall + DAY_MS)];
  const exact = candidates.filter((t) => wallTime(t, timeZone) === wall);
  if (exact.length > 0) return Math.min(...exact);
  return Math.max(...candidates);
}

/** Minutes after local midnight at `instant`. */
export function minuteOfDay(instant: number, timeZone: string): number {
  const wall = wallTime(instant, timeZone);
  return Math.floor((((wall % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}

/** True when `instant` falls in the quiet hours [from, to) local time (wrapping midnight if from > to). */
export function inQuietHours(q: QuietHoursPlan, instant: number, timeZone: string): boolean {
  const m = minuteOfDay(instant, timeZone);
  if (q.fromMin === q.toMin) return false;
  return q.fromMin < q.toMin ? m >= q.fromMin && m < q.toMin : m >= q.fromMin || m < q.toMin;
}

/** The instant the quiet hours containing `instant` end (local `to`, DST-correct). */
export function quietHoursEnd(q: QuietHoursPlan, instant: number, timeZone: string): number {
  const wall = wallTime(instant, timeZone);
  const midnight = Math.floor(wall / DAY_MS) * DAY_MS;
  const m = minuteOfDay(instant, timeZone);
  // Past `from` on a period that wraps midnight: the end is tomorrow's `to`.
  const nextDay = q.fromMin > q.toMin && m >= q.fromMin;
  const endWall = midnight + (nextDay ? DAY_MS : 0) + q.toMin * MINUTE_MS;
  return instantOfWall(endWall, timeZone);
}
