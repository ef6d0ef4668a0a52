import type { z } from 'zod';
import {
  ALL_REJECTION_REASONS,
  FIELD_RULES,
  consentChangeSchema,
  engineEventSchema,
  eventContextSchema,
  profileUpdateSchema,
} from '../../../../services/engine/ingest';

function fieldsOf(schema: z.ZodObject, prefix = ''): string[] {
  return Object.keys(schema.shape).map((k) => `${prefix}${k}`);
}

describe('rejection reasons', () => {
  it('describe every field of every input schema', () => {
    const paths = [
      ...fieldsOf(engineEventSchema),
      ...fieldsOf(eventContextSchema, 'context.'),
      ...fieldsOf(profileUpdateSchema),
      ...fieldsOf(consentChangeSchema),
    ];
    for (const path of paths) {
      expect([path, FIELD_RULES[path]]).toEqual([path, expect.any(String)]);
      expect(ALL_REJECTION_REASONS).toContain(`invalid_field:${path}`);
      expect(ALL_REJECTION_REASONS).toContain(`missing_field:${path}`);
    }
  });

  it('are unique, short and label-safe', () => {
    expect(new Set(ALL_REJECTION_REASONS).size).toBe(ALL_REJECTION_REASONS.length);
    for (const reason of ALL_REJECTION_REASONS) expect(reason).toMatch(/^[a-z_]+(:[A-Za-z.]+)?$/);
  });
});
