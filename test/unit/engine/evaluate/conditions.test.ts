import { fieldCondition } from '../../../../services/engine/evaluate';
import { conditionsHold, eventField } from '../../../../services/engine/evaluate/conditions';
import type { OperatorsInput, Scalar } from '../../../../services/engine/evaluate';
import { event } from './helpers';

const check = (c: Scalar | OperatorsInput, v: Scalar | undefined) =>
  conditionsHold([fieldCondition('f', c)], v, (value) => value);

describe('operators', () => {
  it.each<[Scalar | OperatorsInput, Scalar, boolean]>([
    ['a', 'a', true],
    ['a', 'b', false],
    [{ eq: 3 }, 3, true],
    [{ eq: 3 }, '3', true],
    [{ ne: 'a' }, 'b', true],
    [{ ne: 'a' }, 'a', false],
    [{ in: ['a', 'b'] }, 'b', true],
    [{ in: ['a', 'b'] }, 'c', false],
    [{ notIn: ['a'] }, 'c', true],
    [{ notIn: ['a'] }, 'a', false],
    [{ startsWith: '/pri' }, '/pricing', true],
    [{ startsWith: '/pri' }, '/docs', false],
    [{ endsWith: 'ing' }, '/pricing', true],
    [{ contains: 'ici' }, '/pricing', true],
    [{ contains: 'x' }, 5, false],
    [{ gt: 5 }, 6, true],
    [{ gt: 5 }, 5, false],
    [{ gte: 5 }, 5, true],
    [{ lt: 5 }, 4, true],
    [{ lte: 5 }, 6, false],
    [{ gte: 18 }, '21', true],
    [{ gte: 18 }, 'adult', false],
    [{ gt: 0 }, true, false],
    [{ exists: true }, 'x', true],
    [{ exists: false }, 'x', false],
    [{ matches: '^(spring|summer)-[0-9]{4}$' }, 'spring-2026', true],
    [{ matches: '^(spring|summer)-[0-9]{4}$' }, 'winter-2026', false],
    [{ gte: 10, lt: 100 }, 50, true],
    [{ gte: 10, lt: 100 }, 100, false],
  ])('%j on %j is %s', (c, v, expected) => {
    expect(check(c, v)).toBe(expected);
  });

  it('a missing field makes every operator false except exists: false (ne and notIn too)', () => {
    for (const c of [
      { eq: 'a' },
      { ne: 'a' },
      { in: ['a'] },
      { notIn: ['a'] },
      { gt: 1 },
      { exists: true },
      { matches: '.*' },
    ]) {
      expect(check(c, undefined)).toBe(false);
    }
    expect(check({ exists: false }, undefined)).toBe(true);
  });
});

describe('event paths', () => {
  it('reads type, channel, eventId, sessionId, occurredAt, properties.X and context.X', () => {
    const e = event({ type: 't', channel: 'email', sessionId: null, properties: { a: 1 } });
    expect(eventField(e, 'type')).toBe('t');
    expect(eventField(e, 'channel')).toBe('email');
    expect(eventField(e, 'eventId')).toBe(e.eventId);
    expect(eventField(e, 'sessionId')).toBeUndefined();
    expect(eventField(e, 'occurredAt')).toBe(e.occurredAt);
    expect(eventField(e, 'properties.a')).toBe(1);
    expect(eventField(e, 'properties.b')).toBeUndefined();
    expect(eventField(e, 'properties.toString')).toBeUndefined();
    expect(eventField(e, 'context.region')).toBe('GB');
    expect(eventField(e, 'context.userAgent')).toBeUndefined();
    expect(eventField({ ...e, context: null }, 'context.region')).toBeUndefined();
    expect(eventField(e, 'nope')).toBeUndefined();
    expect(eventField(e, 'userId.x')).toBeUndefined();
  });
});
