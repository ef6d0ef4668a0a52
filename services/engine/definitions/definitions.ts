import { indexPlans } from '../evaluate';
import type { Plan, PlanSet, PoliciesPlan } from '../evaluate';
import { compilePolicies, compileTrigger } from './compile';
import type { DefinitionError } from './errors';
import { readDefinitionFolder } from './load';
import { validateDefinitions } from './validate';
import type { DefinitionTexts } from './validate';

/** Compiled definitions, ready for evaluate(); swapped atomically between batches by the engine. */
export interface CompiledDefinitions {
  ok: true;
  /** All plans in evaluation order: higher priority first, then trigger id (same as index.plans). */
  plans: readonly Plan[];
  policies: PoliciesPlan;
  /** The routing index (evaluate's PlanSet): byEventType, byId, history look-back. */
  index: PlanSet;
}

export type DefinitionsResult = CompiledDefinitions | { ok: false; errors: DefinitionError[] };

/**
 * Validates and compiles a set of definition texts (a folder's files, or the records of the
 * trigger-definitions topic keyed by trigger id and `__policies__`). All errors of all texts are returned
 * together; nothing is compiled unless everything is valid, so a bad deploy never half-applies.
 */
export function compileDefinitions(texts: DefinitionTexts): DefinitionsResult {
  const valid = validateDefinitions(texts);
  if (!valid.ok) return valid;
  const index = indexPlans(valid.triggers.map(({ value }) => compileTrigger(value, valid.policies)));
  return { ok: true, plans: index.plans, policies: compilePolicies(valid.policies), index };
}

/** Reads a folder (see readDefinitionFolder) and compiles it; read failures reject. */
export async function loadDefinitions(dir: string): Promise<DefinitionsResult> {
  return compileDefinitions(await readDefinitionFolder(dir));
}
