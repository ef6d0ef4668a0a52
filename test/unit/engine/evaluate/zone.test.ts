import { inQuietHours, quietHoursEnd } from '../../../../services/engine/evaluate';
import {
  daysFromCivil,
  instantOfWall,
  isKnownTimeZone,
  wallTime,
} from '../../../../services/engine/evaluate/zone';

const night = { fromMin: 21 * 60, toMin: 8 * 60, action: 'defer' as const };
const day = { fromMin: 12 * 60, toMin: 14 * 60, action: 'drop' as const };

describe('zone', () => {
  it('daysFromCivil matches Date.UTC', () => {
    for (const [y, m, d] of [
      [1970, 1, 1],
      [2000, 2, 29],
      [2026, 3, 29],
      [1969, 12, 31],
      [2100, 3, 1],
    ] as const) {
      expect(daysFromCivil(y, m, d) * 86_400_000).toBe(Date.UTC(y, m - 1, d));
    }
  });

  it('wall time applies the zone offset, DST included', () => {
    expect(wallTime(Date.UTC(2026, 0, 15, 12), 'Europe/Berlin')).toBe(Date.UTC(2026, 0, 15, 13));
    expect(wallTime(Date.UTC(2026, 6, 15, 12), 'Europe/Berlin')).toBe(Date.UTC(2026, 6, 15, 14));
    expect(wallTime(Date.UTC(2026, 6, 15, 12, 0, 0, 5), 'UTC')).toBe(Date.UTC(2026, 6, 15, 12, 0, 0, 5));
  });

  it('instantOfWall: exact, in the spring gap (after the gap) and in the autumn overlap (earlier)', () => {
    expect(instantOfWall(Date.UTC(2026, 2, 29, 8), 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 6));
    expect(instantOfWall(Date.UTC(2026, 2, 29, 2, 30), 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 1, 30));
    expect(instantOfWall(Date.UTC(2026, 9, 25, 2, 30), 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it('quiet hours wrapping midnight: [from, to)', () => {
    expect(inQuietHours(night, Date.UTC(2026, 2, 2, 20, 59), 'UTC')).toBe(false);
    expect(inQuietHours(night, Date.UTC(2026, 2, 2, 21, 0), 'UTC')).toBe(true);
    expect(inQuietHours(night, Date.UTC(2026, 2, 3, 7, 59), 'UTC')).toBe(true);
    expect(inQuietHours(night, Date.UTC(2026, 2, 3, 8, 0), 'UTC')).toBe(false);
    expect(inQuietHours(day, Date.UTC(2026, 2, 3, 13, 0), 'UTC')).toBe(true);
    expect(inQuietHours(day, Date.UTC(2026, 2, 3, 14, 0), 'UTC')).toBe(false);
    expect(inQuietHours({ fromMin: 60, toMin: 60, action: 'drop' }, Date.UTC(2026, 2, 3, 1, 0), 'UTC')).toBe(
      false,
    );
  });

  it('quiet hours end: same night before midnight, next morning after, DST-correct in Berlin', () => {
    expect(quietHoursEnd(night, Date.UTC(2026, 2, 2, 22), 'UTC')).toBe(Date.UTC(2026, 2, 3, 8));
    expect(quietHoursEnd(night, Date.UTC(2026, 2, 3, 3), 'UTC')).toBe(Date.UTC(2026, 2, 3, 8));
    expect(quietHoursEnd(day, Date.UTC(2026, 2, 3, 13), 'UTC')).toBe(Date.UTC(2026, 2, 3, 14));
    // Berlin, night of the March change: 22:00 CET -> 08:00 CEST = 06:00 UTC.
    expect(quietHoursEnd(night, Date.UTC(2026, 2, 28, 21), 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 29, 6));
    // Night of the October change: 22:00 CEST -> 08:00 CET = 07:00 UTC.
    expect(quietHoursEnd(night, Date.UTC(2026, 9, 24, 20), 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 25, 7));
  });

  it('knows IANA zones and rejects others (unknown zones fall back to UTC)', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(wallTime(0, 'Mars/Olympus')).toBe(0);
  });
});
