/**
 * catalog: where the engine's trigger definitions come from (a watched folder, or the compacted
 * trigger-definitions topic) and the compiled set in force, swapped atomically between batches.
 */
export { readCompactedTopic, watchCompactedTopic } from './compacted-topic';
export type { CompactedTopicWatch, CompactedView, WatchOptions } from './compacted-topic';
export { FOLDER_DEBOUNCE_MS, textsFromView, watchDefinitionFolder } from './folder-source';
export type { FolderWatch } from './folder-source';
export { DefinitionsHolder } from './holder';
export type { UpdateResult } from './holder';
