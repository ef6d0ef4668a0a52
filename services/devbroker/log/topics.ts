import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

import { PartitionLog } from './partition';

/** Valid topic names: `[a-zA-Z0-9._-]`, 1-249 characters, neither `.` nor `..`. */
export function isValidTopicName(name: string): boolean {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(name) && name !== '.' && name !== '..';
}

/** The first producer id a broker hands out when its logs hold none. */
const FIRST_PRODUCER_ID = 1000n;

export interface Topic {
  name: string;
  partitions: PartitionLog[];
  configs: Record<string, string>;
}

/**
 * The broker's topics. With a data dir, each topic is a folder holding `meta.json` and one append-only
 * `<partition>.log` per partition, reloaded at start.
 */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();
  /** Next InitProducerId answer: above every producer id in the loaded logs (see `newProducerId`). */
  private nextProducerId = FIRST_PRODUCER_ID;

  constructor(private readonly dataDir: string | null) {
    if (!dataDir) return;
    const root = join(dataDir, 'topics');
    mkdirSync(root, { recursive: true });
    for (const dir of readdirSync(root)) {
      try {
        const meta = JSON.parse(readFileSync(join(root, dir, 'meta.json'), 'utf8')) as {
          name: string;
          partitions: number;
          configs: Record<string, string>;
        };
        this.open(meta.name, meta.partitions, meta.configs);
      } catch {
        // A folder without a readable meta.json was never fully created: ignore it.
      }
    }
    for (const t of this.topics.values()) {
      for (const p of t.partitions) {
        const max = p.producers.maxProducerId();
        if (max >= this.nextProducerId) this.nextProducerId = max + 1n;
      }
    }
  }

  private dirOf(name: string): string | null {
    return this.dataDir ? join(this.dataDir, 'topics', encodeURIComponent(name)) : null;
  }

  private open(name: string, partitions: number, configs: Record<string, string>): Topic {
    const dir = this.dirOf(name);
    if (dir) mkdirSync(dir, { recursive: true });
    const topic: Topic = {
      name,
      configs,
      partitions: Array.from(
        { length: partitions },
        (_, p) => new PartitionLog(dir ? join(dir, `${p}.log`) : null),
      ),
    };
    this.topics.set(name, topic);
    return topic;
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(name: string, p: number): PartitionLog | undefined {
    return this.topics.get(name)?.partitions[p];
  }

  names(): string[] {
    return [...this.topics.keys()].sort();
  }

  create(name: string, partitions: number, configs: Record<string, string> = {}): Topic {
    const topic = this.open(name, partitions, configs);
    this.writeMeta(topic);
    return topic;
  }

  /** Adds partitions up to `count` (CreatePartitions); existing partitions and their records stay. */
  grow(name: string, count: number): void {
    const topic = this.topics.get(name);
    if (!topic) return;
    const dir = this.dirOf(name);
    for (let p = topic.partitions.length; p < count; p++) {
      topic.partitions.push(new PartitionLog(dir ? join(dir, `${p}.log`) : null));
    }
    this.writeMeta(topic);
  }

  /** Replaces `meta.json` atomically (temp file + rename), so a crash leaves the old or the new one. */
  private writeMeta(topic: Topic): void {
    const dir = this.dirOf(topic.name);
    if (!dir) return;
    const tmp = join(dir, 'meta.json.tmp');
    const { name, configs } = topic;
    writeFileSync(tmp, JSON.stringify({ name, partitions: topic.partitions.length, configs }));
    renameSync(tmp, join(dir, 'meta.json'));
  }

  /**
   * A producer id for InitProducerId (epoch 0). Ids are never reused, across restarts too: a reused id
   * would meet the sequences of the old producer rebuilt from the logs.
   */
  newProducerId(): bigint {
    return this.nextProducerId++;
  }

  delete(name: string): boolean {
    const topic = this.topics.get(name);
    if (!topic) return false;
    this.topics.delete(name);
    for (const p of topic.partitions) {
      p.close();
      p.wake();
    }
    const dir = this.dirOf(name);
    if (dir) rmSync(dir, { recursive: true, force: true });
    return true;
  }

  close(): void {
    for (const t of this.topics.values())
      for (const p of t.partitions) {
        p.wake();
        p.close();
      }
  }
}
