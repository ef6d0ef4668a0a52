import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { formatDefinitionError, validateDefinitions } from '../../../../services/engine/definitions';
import type { DefinitionTexts } from '../../../../services/engine/definitions';

/** The example policies.yaml of the repository (same as spec/triggers.md). */
export const POLICIES_YAML = readFileSync(join(__dirname, '../../../../triggers/policies.yaml'), 'utf8');

/** A minimal valid trigger; tests replace or append lines. */
export const MINIMAL_TRIGGER = `id: minimal
version: 1
signal:
  event: page_view
action: { channel: web, type: web.personalize }
`;

/** The formatted errors of validating `texts` plus the repository policies ([] when valid). */
export function errorsOf(texts: DefinitionTexts): string[] {
  const result = validateDefinitions({ 'triggers/policies.yaml': POLICIES_YAML, ...texts });
  return result.ok ? [] : result.errors.map(formatDefinitionError);
}

/** The formatted errors of one trigger file `triggers/t.yaml`. */
export function errorsOfTrigger(yaml: string): string[] {
  return errorsOf({ 'triggers/t.yaml': yaml });
}
