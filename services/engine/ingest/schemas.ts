import { z } from 'zod';
import type {
  ConsentChange as EvaluateConsentChange,
  EngineEvent as EvaluateEngineEvent,
  EventContext as EvaluateEventContext,
  ProfileUpdate as EvaluateProfileUpdate,
} from '../evaluate';
import { isBcp47Locale, isIanaTimeZone, isIsoRegion } from './formats';

/**
 * The typed inputs, as zod schemas over what a decoder produced (Avro records or JSON objects). The
 * types are inferred from these schemas (STYLE rule 5). Fields an older schema version or a JSON
 * collector may omit default as the Avro schemas do (null, {}, false); unknown JSON keys are dropped,
 * as Avro resolution drops unknown writer fields.
 */

const userId = z.string().min(1).max(128);
/** Epoch milliseconds, a safe non-negative integer. */
const epochMs = z.int().nonnegative();

export const eventContextSchema = z.object({
  locale: z.string().refine(isBcp47Locale),
  region: z.string().refine(isIsoRegion),
  timezone: z.string().refine(isIanaTimeZone),
  userAgent: z.string().max(1024).nullable().default(null),
  bot: z.boolean().default(false),
});

export const engineEventSchema = z.object({
  eventId: z.string().min(1).max(256),
  userId,
  channel: z.enum(['web', 'mobile', 'email', 'paid']),
  type: z.string().regex(/^[a-z0-9_.]{1,64}$/),
  occurredAt: epochMs,
  sessionId: z.string().max(256).nullable().default(null),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  context: eventContextSchema.nullable().default(null),
});

export const profileUpdateSchema = z.object({
  userId,
  attributes: z.record(z.string().min(1).max(128), z.string().nullable()),
  updatedAt: epochMs,
});

export const consentChangeSchema = z.object({
  userId,
  purpose: z.string().min(1).max(128),
  status: z.enum(['granted', 'denied']),
  updatedAt: epochMs,
  source: z.string().max(256),
});

/** True only when A and B are the same type (both directions, no `any` leaking through). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when its argument is `true`. */
type Assert<T extends true> = T;

/*
 * The types evaluate/ consumes are declared in evaluate/input.ts; these assertions break the build the
 * moment a schema here and a type there drift apart, so what ingest emits is exactly what evaluate reads.
 */
export type EventContext = EvaluateEventContext;
export type EngineEvent = EvaluateEngineEvent;
export type ProfileUpdate = EvaluateProfileUpdate;
export type ConsentChange = EvaluateConsentChange;
export type SchemasMatchEvaluate = [
  Assert<Same<z.output<typeof eventContextSchema>, EventContext>>,
  Assert<Same<z.output<typeof engineEventSchema>, EngineEvent>>,
  Assert<Same<z.output<typeof profileUpdateSchema>, ProfileUpdate>>,
  Assert<Same<z.output<typeof consentChangeSchema>, ConsentChange>>,
];

/**
 * What each field must be, in words, for the DLQ `error` sentence. Keys are normalised paths: user
 * supplied map keys (properties.X, attributes.X) collapse to their map so reasons stay a closed set.
 */
export const FIELD_RULES: Readonly<Record<string, string>> = {
  eventId: 'a string of 1-256 characters',
  userId: 'a string of 1-128 characters',
  channel: 'one of web, mobile, email, paid',
  type: 'an event type matching [a-z0-9_.]{1,64}',
  occurredAt: 'epoch milliseconds (a non-negative integer)',
  updatedAt: 'epoch milliseconds (a non-negative integer)',
  sessionId: 'null or a string of at most 256 characters',
  properties: 'a map of string keys to string, number or boolean values',
  context: 'null or an object with locale, region, timezone, userAgent and bot',
  'context.locale': 'a well-formed BCP 47 language tag such as en-GB',
  'context.region': 'an assigned ISO 3166-1 alpha-2 country code such as GB',
  'context.timezone': 'an IANA time zone name such as Europe/London',
  'context.userAgent': 'null or a string of at most 1024 characters',
  'context.bot': 'a boolean',
  attributes: 'a map of attribute names (1-128 characters) to a string or null',
  purpose: 'a string of 1-128 characters',
  status: 'granted or denied',
  source: 'a string of at most 256 characters',
};
