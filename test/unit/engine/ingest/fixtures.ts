/** A valid event as a JSON collector would send it, and helpers shared by the ingest tests. */
export const GOOD_EVENT = {
  eventId: 'e-1',
  userId: 'u-42',
  channel: 'web',
  type: 'page_view',
  occurredAt: 1_767_225_600_000,
  sessionId: 's-1',
  properties: { path: '/pricing', items: 2, member: false },
  context: { locale: 'en-GB', region: 'GB', timezone: 'Europe/London', userAgent: 'Mozilla/5.0', bot: false },
};

export const GOOD_PROFILE = {
  userId: 'u-42',
  attributes: { lifecycle: 'trial', persona: null },
  updatedAt: 10,
};

export const GOOD_CONSENT = {
  userId: 'u-42',
  purpose: 'email_marketing',
  status: 'granted',
  updatedAt: 11,
  source: 'cmp',
};

/** A copy of `base` with the value at a dotted path replaced (undefined deletes it). */
export function withField<T extends object>(base: T, path: string, value: unknown): T {
  const copy = structuredClone(base) as Record<string, unknown>;
  const parts = path.split('.');
  let node = copy;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  const last = parts[parts.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy as T;
}
