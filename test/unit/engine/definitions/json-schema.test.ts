import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  TRIGGER_JSON_SCHEMA_PATH,
  triggerJsonSchema,
  triggerJsonSchemaText,
} from '../../../../services/engine/definitions';

describe('schemas/trigger.schema.json', () => {
  it('is up to date with the zod schema (regenerate: npx tsx scripts/gen-trigger-schema.ts)', () => {
    const checkedIn = readFileSync(join(__dirname, '../../../..', TRIGGER_JSON_SCHEMA_PATH), 'utf8');
    expect(checkedIn).toBe(triggerJsonSchemaText());
  });

  it('describes the trigger format for editors', () => {
    const schema = triggerJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      properties: Record<string, unknown>;
      $defs: Record<string, { pattern?: string }>;
    };
    expect(schema.required).toEqual(['id', 'version', 'signal']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'signal',
        'window',
        'sla',
        'suppression',
        'sequence',
        'action',
        'consent',
        'goal',
      ]),
    );
    expect(schema.$defs.duration?.pattern).toBe('^(\\d+)(ms|s|m|h|d)$');
  });
});
