import {
  durationMessage,
  formatDuration,
  parseDuration,
} from '../../../../services/engine/definitions/duration';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['0s', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['48h', 172_800_000],
    ['7d', 604_800_000],
    ['1ms', 1],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['24', '', '1.5h', '1h30m', ' 5m', '5 m', '5M', '-5m', '5w', 'h', '9999999999999999d'])(
    '%j is not a duration',
    (text) => expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('durationMessage', () => {
  it('suggests hours for a bare number, as the spec example says', () => {
    expect(durationMessage(24)).toBe('"24" is not a duration (use 24h; units: ms, s, m, h, d)');
    expect(durationMessage('24')).toBe('"24" is not a duration (use 24h; units: ms, s, m, h, d)');
  });
  it('maps unit words to our units', () => {
    expect(durationMessage('24 hours')).toContain('(use 24h;');
    expect(durationMessage('30 mins')).toContain('(use 30m;');
    expect(durationMessage('10sec')).toContain('(use 10s;');
    expect(durationMessage('2 days')).toContain('(use 2d;');
    expect(durationMessage('2 weeks')).toContain('(use 14d;');
    expect(durationMessage('100 milliseconds')).toContain('(use 100ms;');
    expect(durationMessage('5 M')).toContain('(use 5m;');
  });
  it('turns fractions into the next smaller unit', () => {
    expect(durationMessage('1.5h')).toContain('(use 90m;');
    expect(durationMessage('0.5d')).toContain('(use 12h;');
    expect(durationMessage('1.5ms')).toContain('(use 2ms;');
  });
  it('explains the format for anything else', () => {
    expect(durationMessage('soon')).toBe(
      '"soon" is not a duration (write a whole number and a unit, e.g. 30s or 24h; units: ms, s, m, h, d)',
    );
    expect(durationMessage(true)).toContain('"true" is not a duration (write a whole number');
    expect(durationMessage(-3)).toContain('"-3" is not a duration (write a whole number');
    expect(durationMessage(undefined)).toMatch(/^missing is not a duration/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250, '250ms'],
    [30_000, '30s'],
    [90_000, '90s'],
    [300_000, '5m'],
    [7_200_000, '2h'],
    [604_800_000, '7d'],
    [1_500, '1500ms'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
