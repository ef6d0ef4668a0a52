import { sortErrors } from './errors';
import type { DefinitionError } from './errors';
import { issueMessages, toErrors } from './issues';
import { policiesSchema, triggerSchema } from './schema';
import type { PoliciesDefinition, TriggerDefinition } from './schema';
import { errorAt, parseYaml } from './source';
import type { YamlSource } from './source';

/** A validated definition together with the source it came from (to locate later cross-field errors). */
export interface Parsed<T> {
  value: T;
  source: YamlSource;
}

export type ParseResult<T> = { ok: true; parsed: Parsed<T> } | { ok: false; errors: DefinitionError[] };

/** Parses and validates one trigger text (YAML syntax, then the schema). Cross-field rules: checks.ts. */
export function parseTriggerText(file: string, text: string): ParseResult<TriggerDefinition> {
  return parseWith(file, text, 'a trigger (id, version, signal, action or sequence, ...)', (data) =>
    triggerSchema.safeParse(data, { error: issueMessages }),
  );
}

/** Parses and validates one policies.yaml text. */
export function parsePoliciesText(file: string, text: string): ParseResult<PoliciesDefinition> {
  return parseWith(
    file,
    text,
    'policies (channels, caps, defaults, consent, lateness, bots, breaker)',
    (data) => policiesSchema.safeParse(data, { error: issueMessages }),
  );
}

type SafeParse<T> =
  { success: true; data: T } | { success: false; error: { issues: Parameters<typeof toErrors>[1] } };

function parseWith<T>(
  file: string,
  text: string,
  what: string,
  parse: (data: unknown) => SafeParse<T>,
): ParseResult<T> {
  const source = parseYaml(file, text);
  if (source.errors.length > 0) return { ok: false, errors: source.errors };
  if (source.data === null || source.data === undefined) {
    return { ok: false, errors: [errorAt(source, [], `the file is empty (expected ${what})`)] };
  }
  const result = parse(source.data);
  if (!result.success) return { ok: false, errors: sortErrors(toErrors(source, result.error.issues)) };
  return { ok: true, parsed: { value: result.data, source } };
}
