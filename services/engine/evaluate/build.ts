/**
 * Helpers that turn YAML-shaped values into plan pieces, so definitions/ and tests compile conditions
 * and templates the one way the evaluator expects.
 */
import type { FieldCondition, Operator, Scalar, Template, TemplatePart } from './plan';

/** The operators mapping of a condition as written in YAML (validated by definitions/). */
export interface OperatorsInput {
  eq?: Scalar;
  ne?: Scalar;
  in?: readonly Scalar[];
  notIn?: readonly Scalar[];
  startsWith?: string;
  endsWith?: string;
  contains?: string;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  exists?: boolean;
  matches?: string;
}

/** Compiles one YAML condition (a bare scalar means equals) on `path`; regexes are compiled here, once. */
export function fieldCondition(path: string, condition: Scalar | OperatorsInput): FieldCondition {
  if (typeof condition !== 'object') return { path, ops: [{ op: 'eq', value: condition }] };
  const ops: Operator[] = [];
  const c = condition;
  if (c.eq !== undefined) ops.push({ op: 'eq', value: c.eq });
  if (c.ne !== undefined) ops.push({ op: 'ne', value: c.ne });
  if (c.in !== undefined) ops.push({ op: 'in', values: c.in });
  if (c.notIn !== undefined) ops.push({ op: 'notIn', values: c.notIn });
  if (c.startsWith !== undefined) ops.push({ op: 'startsWith', value: c.startsWith });
  if (c.endsWith !== undefined) ops.push({ op: 'endsWith', value: c.endsWith });
  if (c.contains !== undefined) ops.push({ op: 'contains', value: c.contains });
  if (c.gt !== undefined) ops.push({ op: 'gt', value: c.gt });
  if (c.gte !== undefined) ops.push({ op: 'gte', value: c.gte });
  if (c.lt !== undefined) ops.push({ op: 'lt', value: c.lt });
  if (c.lte !== undefined) ops.push({ op: 'lte', value: c.lte });
  if (c.exists !== undefined) ops.push({ op: 'exists', value: c.exists });
  if (c.matches !== undefined) ops.push({ op: 'matches', regex: new RegExp(c.matches) });
  return { path, ops };
}

/** Compiles a `where` or `profile` mapping. */
export function fieldConditions(
  conditions: Readonly<Record<string, Scalar | OperatorsInput>> | undefined,
): FieldCondition[] {
  return Object.entries(conditions ?? {}).map(([path, c]) => fieldCondition(path, c));
}

const REF = /\$\{([^}]*)\}/g;

/**
 * Parses a params value: `${event.<path>}` and `${profile.<attribute>}` become references, the rest text.
 * Other values become their string form. References were validated by definitions/.
 */
export function parseTemplate(value: Scalar): Template {
  if (typeof value !== 'string') return [{ text: String(value) }];
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of value.matchAll(REF)) {
    const index = m.index;
    if (index > last) parts.push({ text: value.slice(last, index) });
    const ref = m[1] ?? '';
    const dot = ref.indexOf('.');
    const root = dot < 0 ? ref : ref.slice(0, dot);
    const path = dot < 0 ? '' : ref.slice(dot + 1);
    if (root === 'event' || root === 'profile') parts.push({ ref: { source: root, path } });
    else parts.push({ text: m[0] });
    last = index + m[0].length;
  }
  if (last < value.length) parts.push({ text: value.slice(last) });
  return parts;
}

/** Parses every params value of an action. */
export function parseParams(params: Readonly<Record<string, Scalar>> | undefined): Record<string, Template> {
  const out: Record<string, Template> = {};
  for (const [k, v] of Object.entries(params ?? {})) out[k] = parseTemplate(v);
  return out;
}
