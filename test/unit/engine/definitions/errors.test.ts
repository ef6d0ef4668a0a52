import {
  closest,
  editDistance,
  formatDefinitionError,
  formatPath,
  sortErrors,
} from '../../../../services/engine/definitions/errors';

describe('formatDefinitionError', () => {
  it('writes file:line path: message', () => {
    expect(
      formatDefinitionError({ file: 'triggers/cart.yaml', line: 12, path: 'sequence[2].wait', message: 'm' }),
    ).toBe('triggers/cart.yaml:12 sequence[2].wait: m');
  });
  it('leaves the path out for whole-file errors', () => {
    expect(formatDefinitionError({ file: 'a.yaml', line: 1, path: '', message: 'empty' })).toBe(
      'a.yaml:1 empty',
    );
  });
});

describe('formatPath', () => {
  it('uses dots for names, brackets for indexes and quoted keys with dots', () => {
    expect(formatPath(['sequence', 2, 'wait'])).toBe('sequence[2].wait');
    expect(formatPath(['signal', 'where', 'properties.path', 'startsWith'])).toBe(
      'signal.where["properties.path"].startsWith',
    );
    expect(formatPath([])).toBe('');
    expect(formatPath([0])).toBe('[0]');
  });
});

describe('closest', () => {
  it('suggests a near key', () => {
    expect(closest('coldown', ['cooldown', 'caps', 'unless'])).toBe('cooldown');
    expect(closest('startWith', ['startsWith', 'endsWith'])).toBe('startsWith');
    expect(closest('LIVE', ['live', 'shadow'])).toBe('live');
  });
  it('suggests nothing for unrelated words', () => {
    expect(closest('banana', ['cooldown', 'caps', 'unless'])).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions as one edit each', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('cooldown', 'coldown')).toBe(1);
    expect(editDistance('sla', 'sal')).toBe(1);
    expect(editDistance('window', 'widnow')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('sortErrors', () => {
  it('orders by file, then line', () => {
    const e = (file: string, line: number) => ({ file, line, path: '', message: '' });
    expect(sortErrors([e('b', 1), e('a', 9), e('a', 2)])).toEqual([e('a', 2), e('a', 9), e('b', 1)]);
  });
});
