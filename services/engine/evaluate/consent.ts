/**
 * Consent (spec/triggers.md "6. Consent"): a purpose is granted only if its latest record says granted
 * and is not older than policies.consent.maxAge, measured to `now`.
 */
import type { ConsentRecord } from '../state';
import type { Check } from './output';

export type ConsentOutcome = 'consent_missing' | 'consent_denied' | 'consent_stale';

/**
 * Checks every purpose and returns one check per purpose plus the outcome when any fails. With several
 * failing purposes the strongest wins: denied, then missing, then stale.
 */
export function checkConsent(
  consent: Readonly<Record<string, ConsentRecord>>,
  purposes: readonly string[],
  now: number,
  maxAgeMs: number,
): { outcome: ConsentOutcome | null; checks: Check[] } {
  const checks: Check[] = [];
  const failed = new Set<ConsentOutcome>();
  for (const purpose of purposes) {
    const r = Object.hasOwn(consent, purpose) ? consent[purpose] : undefined;
    let fail: ConsentOutcome | null = null;
    let detail: string;
    if (!r) {
      fail = 'consent_missing';
      detail = `${purpose}: no consent record`;
    } else if (r.status === 'denied') {
      fail = 'consent_denied';
      detail = `${purpose}: denied at ${r.updatedAt}`;
    } else if (now - r.updatedAt > maxAgeMs) {
      fail = 'consent_stale';
      detail = `${purpose}: granted at ${r.updatedAt}, older than ${maxAgeMs}ms`;
    } else {
      detail = `${purpose}: granted at ${r.updatedAt}`;
    }
    if (fail) failed.add(fail);
    checks.push({ name: 'consent', passed: fail === null, detail });
  }
  const outcome = (['consent_denied', 'consent_missing', 'consent_stale'] as const).find((o) =>
    failed.has(o),
  );
  return { outcome: outcome ?? null, checks };
}
