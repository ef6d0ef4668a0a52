import { validateInput } from '../../../../services/engine/ingest';
import type { InputTopic } from '../../../../services/engine/ingest';
import { GOOD_CONSENT, GOOD_EVENT, GOOD_PROFILE, withField } from './fixtures';

const WEB: InputTopic = { kind: 'event', channel: 'web' };
const PROFILES: InputTopic = { kind: 'profile', channel: null };
const CONSENT: InputTopic = { kind: 'consent', channel: null };

describe('validateInput: events', () => {
  it('accepts a full event and returns it typed', () => {
    const result = validateInput(WEB, GOOD_EVENT, 'u-42');
    expect(result).toEqual({ ok: true, input: { kind: 'event', event: GOOD_EVENT } });
  });

  it('fills what an old schema or a terse collector omits, and drops unknown keys', () => {
    const terse = { eventId: 'e', userId: 'u-42', channel: 'web', type: 'signup', occurredAt: 1, extra: 'x' };
    const result = validateInput(WEB, terse, 'u-42');
    expect(result).toEqual({
      ok: true,
      input: {
        kind: 'event',
        event: {
          eventId: 'e',
          userId: 'u-42',
          channel: 'web',
          type: 'signup',
          occurredAt: 1,
          sessionId: null,
          properties: {},
          context: null,
        },
      },
    });
  });

  it('defaults userAgent and bot inside context', () => {
    const ctx = { locale: 'de', region: 'DE', timezone: 'Europe/Berlin' };
    const result = validateInput(WEB, { ...GOOD_EVENT, context: ctx }, 'u-42');
    expect(result.ok && result.input.kind === 'event' && result.input.event.context).toEqual({
      ...ctx,
      userAgent: null,
      bot: false,
    });
  });

  it.each([
    ['userId', '', 'invalid_field:userId'],
    ['userId', 'x'.repeat(129), 'invalid_field:userId'],
    ['userId', undefined, 'missing_field:userId'],
    ['eventId', undefined, 'missing_field:eventId'],
    ['channel', 'fax', 'invalid_field:channel'],
    ['type', 'Page View', 'invalid_field:type'],
    ['type', 'a'.repeat(65), 'invalid_field:type'],
    ['occurredAt', '2026-01-01T00:00:00Z', 'invalid_field:occurredAt'],
    ['occurredAt', 1.5, 'invalid_field:occurredAt'],
    ['occurredAt', -1, 'invalid_field:occurredAt'],
    ['sessionId', 7, 'invalid_field:sessionId'],
    ['properties.plan', { nested: true }, 'invalid_field:properties'],
    ['properties.tags', ['a'], 'invalid_field:properties'],
    ['context', 'en-GB', 'invalid_field:context'],
    ['context.locale', 'en_GB', 'invalid_field:context.locale'],
    ['context.locale', undefined, 'missing_field:context.locale'],
    ['context.region', 'UK', 'invalid_field:context.region'],
    ['context.region', 'gb', 'invalid_field:context.region'],
    ['context.timezone', 'Mars/Olympus', 'invalid_field:context.timezone'],
    ['context.timezone', '+01:00', 'invalid_field:context.timezone'],
    ['context.userAgent', 5, 'invalid_field:context.userAgent'],
    ['context.bot', 'yes', 'invalid_field:context.bot'],
  ])('rejects %s = %j as %s', (path, value, reason) => {
    const result = validateInput(WEB, withField(GOOD_EVENT, path, value), 'u-42');
    expect(result).toMatchObject({ ok: false, reason });
    expect(!result.ok && result.message).toMatch(new RegExp(`^${path.replace(/\./g, '\\.')} `));
  });

  it('writes a sentence naming the field, the rule and the value', () => {
    const result = validateInput(WEB, withField(GOOD_EVENT, 'context.timezone', 'Mars/Olympus'), 'u-42');
    expect(!result.ok && result.message).toBe(
      'context.timezone must be an IANA time zone name such as Europe/London, got "Mars/Olympus".',
    );
  });

  it('keeps user-supplied property names out of the reason', () => {
    const result = validateInput(WEB, withField(GOOD_EVENT, 'properties.secret_key_123', null), 'u-42');
    expect(result).toMatchObject({ ok: false, reason: 'invalid_field:properties' });
    expect(!result.ok && result.message).toContain('properties.secret_key_123');
  });

  it('rejects a non-object as invalid_record', () => {
    expect(validateInput(WEB, 'hello', 'u-42')).toMatchObject({ ok: false, reason: 'invalid_record' });
    expect(validateInput(WEB, null, 'u-42')).toMatchObject({ ok: false, reason: 'invalid_record' });
  });

  it('rejects an event whose channel is not its topic channel', () => {
    const result = validateInput({ kind: 'event', channel: 'mobile' }, GOOD_EVENT, 'u-42');
    expect(result).toMatchObject({ ok: false, reason: 'channel_mismatch' });
    expect(!result.ok && result.message).toBe('An event of channel web arrived on the mobile events topic.');
  });

  it('rejects a record keyed by another user or not keyed', () => {
    expect(validateInput(WEB, GOOD_EVENT, 'u-43')).toMatchObject({ ok: false, reason: 'key_mismatch' });
    expect(validateInput(WEB, GOOD_EVENT, null)).toMatchObject({ ok: false, reason: 'key_missing' });
  });
});

describe('validateInput: profiles and consent', () => {
  it('accepts a profile update with a removal (null)', () => {
    expect(validateInput(PROFILES, GOOD_PROFILE, 'u-42')).toEqual({
      ok: true,
      input: { kind: 'profile', update: GOOD_PROFILE },
    });
  });

  it.each([
    ['attributes', undefined, 'missing_field:attributes'],
    ['attributes.tier', 3, 'invalid_field:attributes'],
    ['updatedAt', 'yesterday', 'invalid_field:updatedAt'],
    ['userId', 42, 'invalid_field:userId'],
  ])('rejects profile %s = %j as %s', (path, value, reason) => {
    expect(validateInput(PROFILES, withField(GOOD_PROFILE, path, value), 'u-42')).toMatchObject({
      ok: false,
      reason,
    });
  });

  it('accepts a consent change', () => {
    expect(validateInput(CONSENT, GOOD_CONSENT, 'u-42')).toEqual({
      ok: true,
      input: { kind: 'consent', change: GOOD_CONSENT },
    });
  });

  it.each([
    ['status', 'maybe', 'invalid_field:status'],
    ['purpose', '', 'invalid_field:purpose'],
    ['source', undefined, 'missing_field:source'],
    ['updatedAt', undefined, 'missing_field:updatedAt'],
  ])('rejects consent %s = %j as %s', (path, value, reason) => {
    expect(validateInput(CONSENT, withField(GOOD_CONSENT, path, value), 'u-42')).toMatchObject({
      ok: false,
      reason,
    });
  });

  it('checks the key of profile and consent records too', () => {
    expect(validateInput(PROFILES, GOOD_PROFILE, 'someone-else')).toMatchObject({ reason: 'key_mismatch' });
    expect(validateInput(CONSENT, GOOD_CONSENT, null)).toMatchObject({ reason: 'key_missing' });
  });
});
