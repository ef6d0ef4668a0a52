import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { CommittedOffset, FetchedTopic } from './types';

/** Folder under the broker's data dir that holds one `<group>.json` per group with commits. */
export const OFFSETS_DIR = 'group-offsets';

interface FileShape {
  groupId: string;
  offsets: { topic: string; partition: number; offset: string; metadata: string }[];
}

/**
 * Committed offsets per group, in memory and (with a data dir) one JSON file per group, replaced
 * atomically by writing a temp file and renaming it over the old one, so that a crash leaves either
 * the old or the new commit set, never a torn file. Offsets never expire while the broker runs.
 */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private readonly dir: string | null;
  private tmpSeq = 0;

  /** Loads every group file found; `onBadFile` hears of files that cannot be parsed (they are skipped). */
  constructor(dataDir: string | null, onBadFile: (file: string, err: unknown) => void = () => {}) {
    this.dir = dataDir === null ? null : join(dataDir, OFFSETS_DIR);
    if (this.dir === null) return;
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const file = join(this.dir, name);
      try {
        const data = JSON.parse(readFileSync(file, 'utf8')) as FileShape;
        const topics = this.topicsOf(data.groupId, true);
        for (const o of data.offsets) {
          let parts = topics.get(o.topic);
          if (!parts) topics.set(o.topic, (parts = new Map()));
          parts.set(o.partition, { offset: BigInt(o.offset), metadata: o.metadata });
        }
      } catch (err) {
        onBadFile(file, err);
      }
    }
  }

  /** Group ids that have at least one committed offset (loaded or committed). */
  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  has(groupId: string): boolean {
    return this.groups.has(groupId);
  }

  /** Stores commits in memory; call `persist` afterwards to make them durable. */
  set(groupId: string, topic: string, partition: number, value: CommittedOffset): void {
    const topics = this.topicsOf(groupId, true);
    let parts = topics.get(topic);
    if (!parts) topics.set(topic, (parts = new Map()));
    parts.set(partition, value);
  }

  get(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.get(topic)?.get(partition);
  }

  /** Everything committed for the group, topics and partitions in commit order. */
  all(groupId: string): FetchedTopic[] {
    const topics = this.groups.get(groupId);
    if (!topics) return [];
    return [...topics].map(([topic, parts]) => ({
      topic,
      partitions: [...parts].map(([partition, c]) => ({ partition, ...c })),
    }));
  }

  /** Forgets a group; `persist` then removes its file. */
  deleteGroup(groupId: string): void {
    this.groups.delete(groupId);
  }

  /** Forgets a deleted topic's commits in every group; returns the groups changed (to persist). */
  deleteTopic(topic: string): string[] {
    const changed: string[] = [];
    for (const [groupId, topics] of this.groups) {
      if (!topics.delete(topic)) continue;
      changed.push(groupId);
      if (topics.size === 0) this.groups.delete(groupId);
    }
    return changed;
  }

  /**
   * Writes the group's current commits (or removes its file when it has none). Callers serialise calls
   * per group (the coordinator's per-group queue), so two writes of one file never race.
   */
  async persist(groupId: string): Promise<void> {
    if (this.dir === null) return;
    const file = join(this.dir, `${fileName(groupId)}.json`);
    const topics = this.groups.get(groupId);
    if (!topics) {
      await rm(file, { force: true });
      return;
    }
    const data: FileShape = {
      groupId,
      offsets: this.all(groupId).flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.topic,
          partition: p.partition,
          offset: String(p.offset),
          metadata: p.metadata,
        })),
      ),
    };
    const tmp = `${file}.${process.pid}.${this.tmpSeq++}.tmp`;
    await writeFile(tmp, JSON.stringify(data));
    await rename(tmp, file);
  }

  private topicsOf(groupId: string, create: true): Map<string, Map<number, CommittedOffset>> {
    let topics = this.groups.get(groupId);
    if (!topics && create) this.groups.set(groupId, (topics = new Map()));
    return topics as Map<string, Map<number, CommittedOffset>>;
  }
}

/** A file name for any group id: percent-encoded, with dots too so that "." and ".." stay plain names. */
function fileName(groupId: string): string {
  return encodeURIComponent(groupId).replace(/\./g, '%2E').replace(/\*/g, '%2A');
}
