import type { z } from 'zod';

import { closest } from './errors';
import type { DefinitionError } from './errors';
import { errorAt } from './source';
import type { YamlSource } from './source';

/**
 * Turns zod issues into located errors that say what to write instead. Schema-level messages (durations,
 * ids, regexes) win; this error map words the generic ones (types, enums, ranges, unknown keys).
 */
export const issueMessages: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined
        ? `missing (expected ${expected(iss.expected)})`
        : `expected ${expected(iss.expected)} (got ${describe(iss.input)})`;
    case 'invalid_value': {
      const allowed = iss.values.map((v) => String(v));
      const hint = typeof iss.input === 'string' ? closest(iss.input, allowed) : undefined;
      const got = iss.input === undefined ? 'missing' : `${describe(iss.input)} is not allowed`;
      return `${got} (use ${allowed.join(', ')}${hint ? `; did you mean '${hint}'?` : ''})`;
    }
    case 'unrecognized_keys': {
      // One line per key, in the order of iss.keys: toErrors() splits them to locate each key.
      const known = knownKeys(iss.inst);
      return iss.keys
        .map((k) => {
          const hint = closest(k, known);
          return hint
            ? `unknown key '${k}' (did you mean '${hint}'?)`
            : `unknown key '${k}' (allowed here: ${known.join(', ')})`;
        })
        .join('\n');
    }
    case 'too_small':
      if (iss.origin === 'array') return `needs at least ${String(iss.minimum)} item(s)`;
      if (iss.origin === 'string') return `must not be empty`;
      return `must be ${iss.inclusive === false ? '>' : '>='} ${String(iss.minimum)} (got ${describe(iss.input)})`;
    case 'too_big':
      if (iss.origin === 'string') return `too long (at most ${String(iss.maximum)} characters)`;
      return `must be ${iss.inclusive === false ? '<' : '<='} ${String(iss.maximum)} (got ${describe(iss.input)})`;
    case 'invalid_union': {
      // Only reached when no schema-level message was given: list what each branch expected.
      const wanted = iss.errors.flatMap((b) =>
        b.filter(isShapeMismatch).map((i) => ('expected' in i ? expected(String(i.expected)) : undefined)),
      );
      const list = [...new Set(wanted.filter((w): w is string => w !== undefined))];
      return list.length > 0 ? `expected ${list.join(' or ')} (got ${describe(iss.input)})` : undefined;
    }
    default:
      return undefined;
  }
};

function knownKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def
    ?.shape;
  return shape ? Object.keys(shape) : [];
}

function expected(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping (key: value)';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    default:
      return type;
  }
}

/** A short description of a value for messages: `"24"`, `24`, `a list`, `a mapping`, `null`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

/** Located errors for the issues of one parse, unions resolved to the branch the author meant. */
export function toErrors(source: YamlSource, issues: readonly z.core.$ZodIssue[]): DefinitionError[] {
  const out: DefinitionError[] = [];
  const visit = (list: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const iss of list) {
      const path = [...prefix, ...iss.path];
      if (iss.code === 'unrecognized_keys') {
        const lines = iss.message.split('\n');
        iss.keys.forEach((key, i) => out.push(errorAt(source, [...path, key], lines[i] ?? iss.message)));
      } else if (iss.code === 'invalid_union') {
        const branch = iss.errors.find((b) => !b.every(isShapeMismatch));
        if (branch) visit(branch, path);
        else out.push(errorAt(source, path, iss.message));
      } else {
        out.push(errorAt(source, path, iss.message));
      }
    }
  };
  visit(issues, []);
  return out;
}

// A branch of a union whose only complaint is the value's type at its root is not the one meant.
function isShapeMismatch(iss: z.core.$ZodIssue): boolean {
  return iss.path.length === 0 && (iss.code === 'invalid_type' || iss.code === 'invalid_value');
}
