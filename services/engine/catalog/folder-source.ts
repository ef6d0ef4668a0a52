import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';

import { readDefinitionFolder } from '../definitions';
import type { DefinitionTexts } from '../definitions';

/** Debounce between the last change in the folder and the reload, ms (editors write in several steps). */
export const FOLDER_DEBOUNCE_MS = 200;

export interface FolderWatch {
  stop(): void;
}

/**
 * Watches a definitions folder and calls `onTexts` with all its texts after each burst of changes.
 * Read errors go to `onError`; the previous definitions stay in force.
 */
export function watchDefinitionFolder(
  dir: string,
  onTexts: (texts: DefinitionTexts) => void,
  onError: (err: Error) => void,
  debounceMs = FOLDER_DEBOUNCE_MS,
): FolderWatch {
  let timer: NodeJS.Timeout | undefined;
  const reload = () => {
    timer = undefined;
    readDefinitionFolder(dir).then(onTexts, onError);
  };
  const watcher: FSWatcher = watch(dir, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  });
  watcher.on('error', onError);
  return {
    stop: () => {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}

/** Turns a compacted view of `trigger-definitions` into definition texts (tombstones undeploy). */
export function textsFromView(view: ReadonlyMap<string, string | null>): DefinitionTexts {
  const texts: Record<string, string> = {};
  for (const [key, value] of view) if (value !== null) texts[key] = value;
  return texts;
}
