import { pick, seededRandom, weighted } from './random';

export type Channel = 'web' | 'mobile' | 'email' | 'paid';

/** One record to produce: `kind` picks the topic (events.<channel>, profiles, consent). */
export interface TrafficRecord {
  kind: 'event' | 'profile' | 'consent';
  channel: Channel | null;
  key: string;
  /** A record object (topics.md shape), or raw bytes for a deliberately malformed record. */
  value: Record<string, unknown> | Buffer;
  malformed: boolean;
}

export interface TrafficOptions {
  users: number;
  seed: number;
  /** Share of users that behave like bots, default 0.01: half say so (context.bot true), half send bursts. */
  botShare?: number;
  /** Events a burst bot sends each time it is picked, default 12: over 120 events/min at demo rates. */
  burstSize?: number;
  /** Events are backdated by up to this many ms (collector delay), never before the user's last one; default 0. */
  maxLagMs?: number;
  /** Share of records that are malformed (bad JSON, wrong channel, bad timezone), default 0.005. */
  malformedShare?: number;
  /** Share of journey steps that are consent changes (half of them revocations), default 0.01. */
  revokeShare?: number;
}

const TIMEZONES = [
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'UTC',
];
const LOCALES = [
  ['de-DE', 'DE'],
  ['en-GB', 'GB'],
  ['en-US', 'US'],
  ['ja-JP', 'JP'],
  ['fr-FR', 'FR'],
] as const;
const PURPOSES = ['personalization', 'push', 'email_marketing', 'ad_targeting'];
const PRODUCTS = ['sku-100', 'sku-200', 'sku-300', 'sku-400'];
const NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken'];

/** How a user behaves: a person, a self-declared bot (context.bot true) or an undeclared burst bot. */
export type UserKind = 'person' | 'flagged_bot' | 'burst_bot';

const LIFECYCLE_NEXT: Record<string, string> = { prospect: 'trial', trial: 'customer', customer: 'customer' };

interface UserModel {
  id: string;
  kind: UserKind;
  lifecycle: string;
  /** occurredAt of the user's last event, so event time never goes back for one user. */
  lastAt: number;
  timezone: string;
  locale: (typeof LOCALES)[number];
  session: number;
  onboarded: boolean;
}

/**
 * Synthetic behavioural traffic for the demo and the benchmark: each user first gets a profile and
 * consent grants, then journeys across the four channels (sessions, pricing visits, carts, checkouts,
 * purchases, opens, ad clicks), with a few bots, revocations and malformed records. Deterministic by seed.
 */
export function createTraffic(opts: TrafficOptions) {
  const rand = seededRandom(opts.seed);
  const botShare = opts.botShare ?? 0.01;
  const malformedShare = opts.malformedShare ?? 0.005;
  const revokeShare = opts.revokeShare ?? 0.01;
  const burstSize = opts.burstSize ?? 12;
  const maxLagMs = opts.maxLagMs ?? 0;
  const users: UserModel[] = Array.from({ length: opts.users }, (_, i) => ({
    id: `user-${String(i).padStart(6, '0')}`,
    kind: rand() < botShare ? (rand() < 0.5 ? 'flagged_bot' : 'burst_bot') : 'person',
    lifecycle: weighted(rand, [
      ['prospect', 5],
      ['trial', 3],
      ['customer', 2],
    ]),
    lastAt: 0,
    timezone: pick(rand, TIMEZONES),
    locale: pick(rand, LOCALES),
    session: 0,
    onboarded: false,
  }));
  let seq = 0;

  const event = (
    u: UserModel,
    channel: Channel,
    type: string,
    now: number,
    properties: Record<string, string | number | boolean> = {},
  ) => {
    const occurredAt = Math.max(u.lastAt, now - Math.floor(rand() * maxLagMs));
    u.lastAt = occurredAt;
    return {
      kind: 'event' as const,
      channel,
      key: u.id,
      malformed: false,
      value: {
        eventId: `ev-${opts.seed}-${seq++}`,
        userId: u.id,
        channel,
        type,
        occurredAt,
        sessionId: `${u.id}-s${u.session}`,
        properties,
        context: {
          locale: u.locale[0],
          region: u.locale[1],
          timezone: u.timezone,
          userAgent: u.kind === 'person' ? 'Mozilla/5.0' : 'curl/8.0',
          bot: u.kind === 'flagged_bot',
        },
      },
    };
  };

  const profile = (u: UserModel, now: number, attributes: Record<string, string | null>): TrafficRecord => ({
    kind: 'profile',
    channel: null,
    key: u.id,
    malformed: false,
    value: { userId: u.id, attributes, updatedAt: now },
  });

  const onboarding = (u: UserModel, now: number): TrafficRecord[] => [
    profile(u, now, {
      lifecycle: u.lifecycle,
      timezone: u.timezone,
      language: u.locale[0].slice(0, 2),
      firstName: pick(rand, NAMES),
    }),
    ...PURPOSES.map((purpose) => ({
      kind: 'consent' as const,
      channel: null,
      key: u.id,
      malformed: false,
      value: {
        userId: u.id,
        purpose,
        status: rand() < 0.9 ? 'granted' : 'denied',
        updatedAt: now,
        source: 'cmp',
      },
    })),
  ];

  const malformed = (u: UserModel, now: number): TrafficRecord => {
    const kind = weighted(rand, [
      ['json', 1],
      ['channel', 1],
      ['timezone', 1],
    ]);
    if (kind === 'json')
      return {
        kind: 'event',
        channel: 'web',
        key: u.id,
        value: Buffer.from('{"eventId": "broken'),
        malformed: true,
      };
    const e = event(u, 'web', 'page_view', now, { path: '/' });
    const value = e.value as Record<string, unknown>;
    if (kind === 'channel') value.channel = 'mobile';
    else value.context = { ...(value.context as object), timezone: 'Mars/Olympus_Mons' };
    return { ...e, malformed: true };
  };

  const journeyStep = (u: UserModel, now: number): TrafficRecord => {
    if (rand() < 0.15) u.session += 1;
    const step = weighted(rand, [
      ['pricing', 12],
      ['page', 20],
      ['product', 15],
      ['cart', 8],
      ['checkout', 3],
      ['purchase', 2],
      ['signup', 1],
      ['demo', 1],
      ['mobile-session', 6],
      ['screen', 10],
      ['app-open', 4],
      ['email-open', 6],
      ['email-click', 2],
      ['ad-click', 5],
      ['profile', 2],
    ]);
    const product = pick(rand, PRODUCTS);
    switch (step) {
      case 'pricing':
        return event(u, 'web', 'page_view', now, {
          path: '/pricing',
          plan: pick(rand, ['team', 'business']),
        });
      case 'page':
        return event(u, 'web', 'page_view', now, { path: pick(rand, ['/', '/blog/triggers', '/docs']) });
      case 'product':
        return event(u, 'web', 'product_view', now, { productId: product, price: 49 });
      case 'cart':
        return event(u, rand() < 0.5 ? 'web' : 'mobile', 'add_to_cart', now, {
          productId: product,
          productName: `Product ${product}`,
          price: 49,
        });
      case 'checkout':
        return event(u, 'web', 'checkout_started', now, { productId: product });
      case 'purchase':
        u.lifecycle = 'customer';
        return event(u, 'web', 'purchase', now, { productId: product, amount: 49 });
      case 'profile': {
        // Mostly lifecycle progress; now and then a move (timezone) or a language switch.
        const change = weighted(rand, [
          ['lifecycle', 6],
          ['timezone', 1],
          ['language', 1],
        ]);
        if (change === 'timezone') {
          u.timezone = pick(rand, TIMEZONES);
          return profile(u, now, { timezone: u.timezone });
        }
        if (change === 'language') return profile(u, now, { language: pick(rand, ['de', 'en', 'fr', 'ja']) });
        u.lifecycle = LIFECYCLE_NEXT[u.lifecycle] ?? 'customer';
        return profile(u, now, { lifecycle: u.lifecycle });
      }
      case 'signup':
        return event(u, 'web', 'signup', now);
      case 'demo':
        return event(u, 'web', 'demo_booked', now);
      case 'mobile-session':
        return event(u, 'mobile', 'session_start', now);
      case 'screen':
        return event(u, 'mobile', 'screen_view', now, {
          screen: pick(rand, ['home', 'product', 'cart', 'search']),
        });
      case 'app-open':
        return event(u, 'mobile', 'app_open', now);
      case 'email-open':
        return event(u, 'email', 'email_open', now, { campaign: 'weekly' });
      case 'email-click':
        return event(u, 'email', 'email_click', now, { campaign: 'weekly' });
      default:
        return event(u, 'paid', 'ad_click', now, {
          campaign: pick(rand, ['spring-2026', 'summer-2026', 'brand']),
        });
    }
  };

  return {
    users: users.length,
    /** What kind of user `userId` is (tests, the demo's expectations); undefined for an unknown id. */
    kindOf(userId: string): UserKind | undefined {
      return users[Number(userId.slice('user-'.length))]?.kind;
    },
    /** The next `n` records at time `now` (epoch ms), in production order. */
    next,
    /**
     * Advances past the next `n` records, generating and dropping them; returns how many it dropped.
     * A call to `next` ends after the step that reaches its count (a new user's onboarding is five
     * records, a bot's burst twelve), so `skip(n)` lands where `next` calls that returned `n` records in
     * all ended: a second process continues the same traffic from there (the benchmark's phase 3).
     */
    skip(n: number): number {
      let dropped = 0;
      while (dropped < n) dropped += next(Math.min(2000, n - dropped), 0).length;
      return dropped;
    },
  };

  function next(n: number, now: number): TrafficRecord[] {
    const out: TrafficRecord[] = [];
    while (out.length < n) {
      const u = users[Math.floor(rand() * users.length)] as UserModel;
      if (!u.onboarded) {
        u.onboarded = true;
        out.push(...onboarding(u, now));
        continue;
      }
      if (rand() < malformedShare) out.push(malformed(u, now));
      else if (rand() < revokeShare) {
        out.push({
          kind: 'consent',
          channel: null,
          key: u.id,
          malformed: false,
          value: {
            userId: u.id,
            purpose: pick(rand, PURPOSES),
            status: rand() < 0.5 ? 'denied' : 'granted',
            updatedAt: now,
            source: 'preference-center',
          },
        });
      } else if (u.kind === 'burst_bot') {
        for (let i = 0; i < burstSize; i++) out.push(journeyStep(u, now));
      } else if (u.kind === 'flagged_bot') {
        for (let i = 0; i < 5; i++) out.push(journeyStep(u, now));
      } else out.push(journeyStep(u, now));
    }
    return out;
  }
}
