import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { DefinitionTexts } from './validate';

/**
 * Reads a definitions folder: every `*.yaml`/`*.yml` file directly in `dir` (one trigger per file, plus
 * policies.yaml), keyed by `dir` joined with the file name so errors point at the file. Subfolders (such as
 * `triggers/tests/`) are not read.
 */
export async function readDefinitionFolder(dir: string): Promise<DefinitionTexts> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name)
    .sort();
  const texts: Record<string, string> = {};
  for (const name of names) texts[join(dir, name)] = await readFile(join(dir, name), 'utf8');
  return texts;
}
