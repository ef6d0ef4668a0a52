import type { Condition } from './schema';

/** A field value as the evaluator reads it from an event or a profile; `undefined` when missing. */
export type FieldValue = string | number | boolean | null | undefined;

/** A compiled condition on one field value. */
export type ValueTest = (value: FieldValue) => boolean;

/**
 * Compiles a condition once (regular expressions included) into a test of one value. Spec: a missing field
 * makes every operator false except `exists: false` — `ne` and `notIn` are false too, because a condition
 * on data that is not there never holds. Several operators in one mapping must all hold. Comparisons are
 * strict: `3` does not equal `"3"`, `gt` and friends hold only for numbers, the string operators only for
 * strings.
 */
export function compileCondition(condition: Condition): ValueTest {
  if (typeof condition !== 'object') return (v) => v === condition;
  const tests: ValueTest[] = [];
  const present = (v: FieldValue): v is string | number | boolean => v !== undefined && v !== null;
  const isString = (v: FieldValue): v is string => typeof v === 'string';
  const isNumber = (v: FieldValue): v is number => typeof v === 'number';
  const c = condition;
  if (c.eq !== undefined) tests.push((v) => present(v) && v === c.eq);
  if (c.ne !== undefined) tests.push((v) => present(v) && v !== c.ne);
  if (c.in !== undefined) {
    const set = new Set(c.in);
    tests.push((v) => present(v) && set.has(v));
  }
  if (c.notIn !== undefined) {
    const set = new Set(c.notIn);
    tests.push((v) => present(v) && !set.has(v));
  }
  if (c.startsWith !== undefined) tests.push((v) => isString(v) && v.startsWith(c.startsWith as string));
  if (c.endsWith !== undefined) tests.push((v) => isString(v) && v.endsWith(c.endsWith as string));
  if (c.contains !== undefined) tests.push((v) => isString(v) && v.includes(c.contains as string));
  if (c.gt !== undefined) tests.push((v) => isNumber(v) && v > (c.gt as number));
  if (c.gte !== undefined) tests.push((v) => isNumber(v) && v >= (c.gte as number));
  if (c.lt !== undefined) tests.push((v) => isNumber(v) && v < (c.lt as number));
  if (c.lte !== undefined) tests.push((v) => isNumber(v) && v <= (c.lte as number));
  if (c.exists !== undefined) tests.push(c.exists ? present : (v) => !present(v));
  if (c.matches !== undefined) {
    // Compiled once here; no g/y flag, so test() keeps no state between calls.
    const re = new RegExp(c.matches);
    tests.push((v) => isString(v) && re.test(v));
  }
  if (tests.length === 1) return tests[0] as ValueTest;
  return (v) => tests.every((t) => t(v));
}

/** Splits an event path (`properties.plan`) into the keys to follow. */
export function pathKeys(path: string): readonly string[] {
  const dot = path.indexOf('.');
  // Property names may contain dots themselves: only the first dot separates the section.
  return dot < 0 ? [path] : [path.slice(0, dot), path.slice(dot + 1)];
}
