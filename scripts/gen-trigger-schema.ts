// Writes schemas/trigger.schema.json from the zod trigger schema (run: npx tsx scripts/gen-trigger-schema.ts).
// test/unit/engine/definitions/json-schema.test.ts fails when the checked-in file is stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { TRIGGER_JSON_SCHEMA_PATH, triggerJsonSchemaText } from '../services/engine/definitions';

writeFileSync(join(__dirname, '..', TRIGGER_JSON_SCHEMA_PATH), triggerJsonSchemaText());
process.stdout.write(`wrote ${TRIGGER_JSON_SCHEMA_PATH}\n`);
