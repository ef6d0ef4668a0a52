import fc from 'fast-check';

import { compileCondition, pathKeys } from '../../../../services/engine/definitions/predicates';

describe('compileCondition: every operator', () => {
  it.each([
    ['bare scalar equals', 'pro', ['pro'], ['Pro', 3, undefined]],
    ['bare number equals strictly', 3, [3], ['3', 4]],
    ['bare boolean', true, [true], [false, 'true']],
    ['eq', { eq: 'a' }, ['a'], ['b', undefined, null]],
    ['ne', { ne: 'a' }, ['b', 1, false], ['a', undefined, null]],
    ['in', { in: ['a', 1] }, ['a', 1], ['b', '1', undefined]],
    ['notIn', { notIn: ['a'] }, ['b', 2], ['a', undefined]],
    ['startsWith', { startsWith: '/pricing' }, ['/pricing', '/pricing/team'], ['/p', 3, undefined]],
    ['endsWith', { endsWith: '.pdf' }, ['a.pdf'], ['a.pdf.zip', undefined]],
    ['contains', { contains: 'sale' }, ['wholesale', 'sale'], ['SALE', 5, undefined]],
    ['gt', { gt: 10 }, [11, 10.5], [10, '11', undefined]],
    ['gte', { gte: 10 }, [10, 11], [9.99, '10']],
    ['lt', { lt: 10 }, [9, -1], [10, '9', undefined]],
    ['lte', { lte: 10 }, [10, 9], [11]],
    ['exists: true', { exists: true }, ['', 0, false], [undefined, null]],
    ['exists: false', { exists: false }, [undefined, null], ['', 0, false]],
    ['matches', { matches: '^(spring|summer)-[0-9]{4}$' }, ['spring-2026'], ['winter-2026', 2026, undefined]],
    ['several operators all hold', { gte: 10, lt: 100 }, [10, 99], [9, 100, undefined]],
  ] as const)('%s', (_name, condition, accepted, rejected) => {
    const test = compileCondition(condition as Parameters<typeof compileCondition>[0]);
    for (const v of accepted) expect([v, test(v)]).toEqual([v, true]);
    for (const v of rejected) expect([v, test(v)]).toEqual([v, false]);
  });

  it('a missing field satisfies nothing but exists: false (spec, signal match)', () => {
    const conditions = [
      'x',
      { eq: 'x' },
      { ne: 'x' },
      { in: ['x'] },
      { notIn: ['x'] },
      { startsWith: 'x' },
      { endsWith: 'x' },
      { contains: 'x' },
      { gt: 1 },
      { gte: 1 },
      { lt: 1 },
      { lte: 1 },
      { exists: true },
      { matches: '.*' },
      { exists: false, ne: 'x' },
    ];
    for (const c of conditions) expect([c, compileCondition(c)(undefined)]).toEqual([c, false]);
    expect(compileCondition({ exists: false })(undefined)).toBe(true);
  });

  it('a compiled regex gives the same answer on every call', () => {
    const test = compileCondition({ matches: 'a' });
    fc.assert(
      fc.property(fc.string(), (s) => {
        const first = test(s);
        return test(s) === first && first === /a/.test(s);
      }),
    );
  });

  it('ne is the negation of eq for present values', () => {
    const eq = compileCondition({ eq: 'v' });
    const ne = compileCondition({ ne: 'v' });
    fc.assert(fc.property(fc.oneof(fc.string(), fc.integer(), fc.boolean()), (v) => eq(v) !== ne(v)));
  });
});

describe('pathKeys', () => {
  it('splits at the first dot only', () => {
    expect(pathKeys('type')).toEqual(['type']);
    expect(pathKeys('properties.plan')).toEqual(['properties', 'plan']);
    expect(pathKeys('context.userAgent')).toEqual(['context', 'userAgent']);
  });
});
