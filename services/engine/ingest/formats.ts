import { ISO_3166_ALPHA2 } from './regions';

/**
 * Format checks of spec/topics.md for `context`: a malformed value is a validation failure, never a
 * guess. Each check is pure; the Intl-backed ones memoise their answers (a stream repeats few values).
 */

const MEMO_LIMIT = 10_000;

function memoised(check: (value: string) => boolean): (value: string) => boolean {
  const seen = new Map<string, boolean>();
  return (value) => {
    let known = seen.get(value);
    if (known === undefined) {
      known = check(value);
      // Bounded: a flood of distinct garbage must not grow memory without limit.
      if (seen.size >= MEMO_LIMIT) seen.clear();
      seen.set(value, known);
    }
    return known;
  };
}

/**
 * True for a well-formed BCP 47 language tag (`en`, `en-GB`, `zh-Hant-TW`, `de-CH-1996`), as
 * `Intl.getCanonicalLocales` judges it. `en_GB` (underscore) and `en GB` are not well-formed.
 */
export const isBcp47Locale = memoised((value) => {
  if (value.length === 0 || value.length > 64) return false;
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
});

/** True for an assigned ISO 3166-1 alpha-2 country code, upper case (`GB`, not `gb` or `UK`). */
export function isIsoRegion(value: string): boolean {
  return ISO_3166_ALPHA2.has(value);
}

const CANONICAL_ZONES: ReadonlySet<string> = new Set([
  ...Intl.supportedValuesOf('timeZone'),
  'UTC',
  'Etc/UTC',
  'GMT',
  'Etc/GMT',
]);

/** IANA names are Area/Location words starting upper case (`America/Port-au-Prince`, `Etc/GMT+5`). */
const IANA_NAME = /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z][A-Za-z0-9_+-]*)*$/;

/**
 * True for an IANA time zone name: a canonical zone of this runtime's ICU, or a backward-compatible
 * alias it resolves (`Asia/Kolkata`, `US/Eastern`). UTC offsets (`+01:00`), lower-case spellings
 * (`europe/paris`) and unknown names (`Mars/Olympus`) are rejected.
 */
export const isIanaTimeZone = memoised((value) => {
  if (CANONICAL_ZONES.has(value)) return true;
  if (!IANA_NAME.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
});
