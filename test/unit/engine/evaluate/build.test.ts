import {
  fieldCondition,
  fieldConditions,
  parseParams,
  parseTemplate,
} from '../../../../services/engine/evaluate';

describe('build helpers', () => {
  it('a bare scalar is eq; a mapping gives one operator per key, regexes compiled', () => {
    expect(fieldCondition('p', 3)).toEqual({ path: 'p', ops: [{ op: 'eq', value: 3 }] });
    const c = fieldCondition('p', { gte: 1, lt: 2, matches: '^a' });
    expect(c.ops.map((o) => o.op)).toEqual(['gte', 'lt', 'matches']);
    expect(fieldConditions(undefined)).toEqual([]);
    expect(fieldConditions({ a: 'x', b: { exists: false } }).map((x) => x.path)).toEqual(['a', 'b']);
  });

  it('templates split into text and references', () => {
    expect(parseTemplate('Hi ${profile.firstName}, see ${event.properties.plan}!')).toEqual([
      { text: 'Hi ' },
      { ref: { source: 'profile', path: 'firstName' } },
      { text: ', see ' },
      { ref: { source: 'event', path: 'properties.plan' } },
      { text: '!' },
    ]);
    expect(parseTemplate(5)).toEqual([{ text: '5' }]);
    expect(parseTemplate('${other.x}')).toEqual([{ text: '${other.x}' }]);
    expect(parseParams({ a: true })).toEqual({ a: [{ text: 'true' }] });
    expect(parseParams(undefined)).toEqual({});
  });
});
