import { compileDefinitions } from '../definitions';
import type { CompiledDefinitions, DefinitionError, DefinitionTexts } from '../definitions';

export type UpdateResult =
  { ok: true; triggers: number; generation: number } | { ok: false; errors: DefinitionError[] };

/**
 * The compiled definitions in force. Lanes read `current()` once at the start of each batch, so a swap
 * lands between batches, never inside one (DESIGN.md decision 6). A set with any error is refused whole
 * and the previous set stays in force: a bad deploy never half-applies and never empties the engine.
 */
export class DefinitionsHolder {
  private compiled: CompiledDefinitions | null = null;
  private gen = 0;

  /** The set in force, or null before the first valid load (the engine is not ready then). */
  current(): CompiledDefinitions | null {
    return this.compiled;
  }

  /** Incremented on every successful swap; 0 before the first. */
  get generation(): number {
    return this.gen;
  }

  update(texts: DefinitionTexts): UpdateResult {
    const result = compileDefinitions(texts);
    if (!result.ok) return result;
    this.compiled = result;
    this.gen += 1;
    return { ok: true, triggers: result.plans.length, generation: this.gen };
  }
}
