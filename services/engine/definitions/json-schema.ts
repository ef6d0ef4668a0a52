import { z } from 'zod';

import { triggerSchema } from './schema';

/** Where the generated JSON Schema is checked in (editors point `triggers/*.yaml` at it). */
export const TRIGGER_JSON_SCHEMA_PATH = 'schemas/trigger.schema.json';

/**
 * The trigger file format as JSON Schema (draft 2020-12), generated from the zod schema so the two cannot
 * drift. Describes what an author writes (defaults optional); cross-field rules are not expressible here,
 * `triggerctl validate` checks them.
 */
export function triggerJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(triggerSchema, { io: 'input', target: 'draft-2020-12' });
  return {
    ...schema,
    $id: 'https://trigger-engine.dev/schemas/trigger.schema.json',
    title: 'Trigger definition',
  };
}

/** The checked-in text of {@link triggerJsonSchema}: two-space JSON and a final newline. */
export function triggerJsonSchemaText(): string {
  return `${JSON.stringify(triggerJsonSchema(), null, 2)}\n`;
}
