import type { z } from 'zod';
import { consentChangeSchema, engineEventSchema, FIELD_RULES, profileUpdateSchema } from './schemas';
import type { Input } from '../evaluate';
import type { InputTopic } from './topics';

/** A validated input, ready for the lane: evaluate's `Input` without the timer kind (timers are not consumed). */
export type IngestInput = Exclude<Input, { kind: 'timer' }>;

/**
 * Why a record was rejected: `reason` is a short stable string (metric label `reason`, prefix of the
 * DLQ `error` header), `message` one human sentence.
 */
export interface Rejection {
  ok: false;
  reason: string;
  message: string;
}

export type ValidationResult = { ok: true; input: IngestInput } | Rejection;

const MAP_FIELDS = new Set(['properties', 'attributes']);

/** The path of an issue with user-supplied map keys cut off, e.g. `properties.plan` -> `properties`. */
function normalisedPath(path: readonly PropertyKey[]): string {
  const parts = path.map(String);
  const mapAt = parts.findIndex((p) => MAP_FIELDS.has(p));
  return (mapAt >= 0 ? parts.slice(0, mapAt + 1) : parts).join('.');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function rejectionFrom(error: z.ZodError, input: unknown): Rejection {
  const issue = error.issues[0];
  if (issue === undefined) return { ok: false, reason: 'invalid_record', message: 'The record is invalid.' };
  const path = normalisedPath(issue.path);
  if (path === '') {
    return { ok: false, reason: 'invalid_record', message: 'The record must be an object.' };
  }
  const rule = FIELD_RULES[path] ?? issue.message;
  const fullPath = issue.path.map(String).join('.');
  const actual = valueAt(input, issue.path);
  if (actual === undefined) {
    return {
      ok: false,
      reason: `missing_field:${path}`,
      message: `${fullPath} is missing; it must be ${rule}.`,
    };
  }
  return {
    ok: false,
    reason: `invalid_field:${path}`,
    message: `${fullPath} must be ${rule}, got ${preview(actual)}.`,
  };
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): { ok: true; data: T } | Rejection {
  const result = schema.safeParse(value);
  return result.success ? { ok: true, data: result.data } : rejectionFrom(result.error, value);
}

/**
 * Validates a decoded value from an input topic (pure): the field formats of spec/topics.md, then that
 * an event's channel is its topic's channel, then that the record key equals userId (one user, one
 * partition: a mis-keyed record would be processed by the wrong lane).
 */
export function validateInput(topic: InputTopic, value: unknown, key: string | null): ValidationResult {
  let input: IngestInput;
  let userId: string;
  if (topic.kind === 'event') {
    const parsed = parseWith(engineEventSchema, value);
    if (!parsed.ok) return parsed;
    if (parsed.data.channel !== topic.channel) {
      return {
        ok: false,
        reason: 'channel_mismatch',
        message: `An event of channel ${parsed.data.channel} arrived on the ${topic.channel} events topic.`,
      };
    }
    input = { kind: 'event', event: parsed.data };
    userId = parsed.data.userId;
  } else if (topic.kind === 'profile') {
    const parsed = parseWith(profileUpdateSchema, value);
    if (!parsed.ok) return parsed;
    input = { kind: 'profile', update: parsed.data };
    userId = parsed.data.userId;
  } else {
    const parsed = parseWith(consentChangeSchema, value);
    if (!parsed.ok) return parsed;
    input = { kind: 'consent', change: parsed.data };
    userId = parsed.data.userId;
  }
  if (key === null) {
    return {
      ok: false,
      reason: 'key_missing',
      message: 'The record has no key; it must be keyed by userId.',
    };
  }
  if (key !== userId) {
    return { ok: false, reason: 'key_mismatch', message: 'The record key is not the userId of the record.' };
  }
  return { ok: true, input };
}
