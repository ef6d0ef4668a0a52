import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Schema } from 'avsc';

/** The record kinds with an Avro schema in `schemas/` (spec/topics.md). */
export type RecordKind = 'event' | 'profile' | 'consent' | 'activation' | 'decision';

export const RECORD_KINDS: readonly RecordKind[] = ['event', 'profile', 'consent', 'activation', 'decision'];

/** The repository's `schemas/` folder, resolved from this file so it works under tsx and jest alike. */
export const SCHEMAS_DIR = resolve(__dirname, '../../../schemas');

/** Current (reader) schema file of each kind, relative to the schemas folder. */
export const CURRENT_SCHEMA_FILES: Readonly<Record<RecordKind, string>> = {
  event: 'event.avsc',
  profile: 'profile.avsc',
  consent: 'consent.avsc',
  activation: 'activation.avsc',
  decision: 'decision.avsc',
};

/**
 * Older writer versions still accepted on input, relative to the schemas folder. Add a file here when
 * a schema changes, so records written by not-yet-upgraded producers keep decoding.
 */
export const OLDER_SCHEMA_FILES: readonly { kind: RecordKind; file: string }[] = [
  { kind: 'event', file: 'versions/event-v1.avsc' },
];

/** Parsed schema documents: the current version of each kind and the older writer versions. */
export interface SchemaSet {
  current: Readonly<Record<RecordKind, Schema>>;
  older: readonly { kind: RecordKind; schema: Schema }[];
}

function readSchema(dir: string, file: string): Schema {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as Schema;
}

/** Reads every schema file of `dir` (default: the repository's `schemas/`); throws if one is missing. */
export function loadSchemaSet(dir: string = SCHEMAS_DIR): SchemaSet {
  const current = Object.fromEntries(
    RECORD_KINDS.map((kind) => [kind, readSchema(dir, CURRENT_SCHEMA_FILES[kind])]),
  ) as Record<RecordKind, Schema>;
  const older = OLDER_SCHEMA_FILES.map(({ kind, file }) => ({ kind, schema: readSchema(dir, file) }));
  return { current, older };
}
