import { isBcp47Locale, isIanaTimeZone, isIsoRegion } from '../../../../services/engine/ingest';
import { ISO_3166_ALPHA2 } from '../../../../services/engine/ingest/regions';

describe('isBcp47Locale', () => {
  it.each(['en', 'en-GB', 'pt-BR', 'zh-Hant-TW', 'de-CH-1996', 'sr-Latn-RS', 'es-419', 'en-gb'])(
    'accepts %s',
    (tag) => {
      expect(isBcp47Locale(tag)).toBe(true);
    },
  );

  it.each(['', 'en_GB', 'en GB', 'e', 'en-', '-GB', 'en--GB', 'x', '12-34'])('rejects %j', (tag) => {
    expect(isBcp47Locale(tag)).toBe(false);
  });
});

describe('isIsoRegion', () => {
  it('holds the 249 assigned codes, each a real region to ICU', () => {
    expect(ISO_3166_ALPHA2.size).toBe(249);
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    for (const code of ISO_3166_ALPHA2) {
      expect([code, names.of(code)]).not.toEqual([code, code]);
    }
  });

  it.each(['GB', 'US', 'DE', 'BR', 'SS', 'BQ'])('accepts %s', (code) => {
    expect(isIsoRegion(code)).toBe(true);
  });

  it.each(['gb', 'UK', 'EU', 'XK', 'ZZ', 'AA', 'USA', 'G', ''])('rejects %j', (code) => {
    expect(isIsoRegion(code)).toBe(false);
  });
});

describe('isIanaTimeZone', () => {
  it.each([
    'Europe/London',
    'America/New_York',
    'UTC',
    'Etc/GMT+5',
    'Asia/Kolkata',
    'Asia/Calcutta',
    'US/Eastern',
  ])('accepts %s, which Intl can format in', (zone) => {
    expect(isIanaTimeZone(zone)).toBe(true);
    expect(() => new Intl.DateTimeFormat('en', { timeZone: zone })).not.toThrow();
  });

  it.each(['', 'Mars/Olympus', '+01:00', 'UTC+1', 'europe/paris', 'Europe/', 'Europe/London ', 'CEST'])(
    'rejects %j',
    (zone) => {
      expect(isIanaTimeZone(zone)).toBe(false);
    },
  );

  it('answers the same on repeated calls (memoised)', () => {
    expect(isIanaTimeZone('Mars/Olympus')).toBe(false);
    expect(isIanaTimeZone('Europe/Paris')).toBe(true);
    expect(isIanaTimeZone('Europe/Paris')).toBe(true);
  });
});
