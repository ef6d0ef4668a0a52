import { join } from 'node:path';

import { holdoutBucket } from '../../services/engine/evaluate';
import { event, grant, startStack } from './harness';
import type { Stack } from './harness';

jest.setTimeout(90_000);

const TRIGGERS = join(__dirname, '..', '..', 'triggers');

/** A user id of `base` that the trigger's holdout does not keep as control, so it can fire. */
function treatedUser(base: string, triggerId: string, holdoutPercent: number): string {
  for (let i = 0; ; i++) {
    const id = `${base}-${i}`;
    if (holdoutBucket(triggerId, id) >= holdoutPercent * 100) return id;
  }
}

/** A fixed-offset IANA zone where it is about 13:00 now, so channel quiet hours never apply in the test. */
function middayZone(): string {
  const offset = ((13 - new Date().getUTCHours() + 36) % 24) - 12;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

const profile = (userId: string, attributes: Record<string, string>) => ({
  userId,
  attributes,
  updatedAt: Date.now() - 1000,
});

describe.each(['json', 'avro'] as const)('the example triggers end to end, inputs in %s', (encoding) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    await stack.collect();
    await stack.engine({ TRIGGERS_DIR: TRIGGERS });
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** Sends consent and profile first and waits until they are recorded, then the events in order. */
  async function journey(
    userId: string,
    purposes: string[],
    attributes: Record<string, string> | null,
    events: { topic: keyof Stack['topics']['events']; value: ReturnType<typeof event> }[],
  ) {
    await stack.produce(
      stack.topics.consent,
      purposes.map((p) => grant(userId, p)),
      encoding,
    );
    if (attributes) await stack.produce(stack.topics.profiles, [profile(userId, attributes)], encoding);
    await stack.waitForState([userId]);
    for (const e of events) await stack.produce(stack.topics.events[e.topic], [e.value], encoding);
  }

  const activationOf = (triggerId: string, userId: string, actionType?: string) =>
    stack
      .activations(triggerId)
      .find((a) => a.key === userId && (actionType === undefined || a.value?.actionType === actionType))
      ?.value;

  it('ad-click-landing: a campaign click personalises the landing page', async () => {
    const u = `ad-${encoding}`;
    await journey(u, ['personalization'], null, [
      { topic: 'paid', value: event(u, 'paid', 'ad_click', { campaign: 'spring-2026' }) },
    ]);
    await stack.waitFor(
      'the landing personalisation',
      () => activationOf('ad-click-landing', u) !== undefined,
    );
    expect(activationOf('ad-click-landing', u)).toMatchObject({
      channel: 'web',
      actionType: 'web.personalize',
      params: { slot: 'landing-hero', campaign: 'spring-2026' },
    });
  });

  it('paid-retargeting-viewers: two products viewed add the user to the audience; a purchase removes them', async () => {
    const u = `viewer-${encoding}`;
    await journey(u, ['ad_targeting'], null, [
      { topic: 'web', value: event(u, 'web', 'product_view', { productId: 'sku-1' }) },
      { topic: 'web', value: event(u, 'web', 'product_view', { productId: 'sku-2' }) },
    ]);
    await stack.waitFor(
      'the audience add',
      () => activationOf('paid-retargeting-viewers', u, 'paid.audience.add') !== undefined,
    );
    await stack.produce(
      stack.topics.events.web,
      [event(u, 'web', 'purchase', { productId: 'sku-2' })],
      encoding,
    );
    await stack.waitFor(
      'the audience removal of a converter',
      () => activationOf('paid-retargeting-viewers', u, 'paid.audience.remove') !== undefined,
    );
    expect(activationOf('paid-retargeting-viewers', u, 'paid.audience.remove')).toMatchObject({
      channel: 'paid',
      params: { audience: 'product-viewers-30d' },
    });
  });

  it('inapp-session-depth: the fifth screen view in one session shows the in-app message', async () => {
    const u = `screens-${encoding}`;
    const views = Array.from({ length: 5 }, (_, i) => ({
      topic: 'mobile' as const,
      value: event(u, 'mobile', 'screen_view', { screen: `s${i}` }),
    }));
    await journey(u, ['push'], { language: 'en', timezone: middayZone() }, views);
    await stack.waitFor('the in-app message', () => activationOf('inapp-session-depth', u) !== undefined);
    expect(activationOf('inapp-session-depth', u)).toMatchObject({
      actionType: 'mobile.inapp',
      params: { message: 'nps-survey', language: 'en', screen: 's4' },
    });
    expect(stack.activations('inapp-session-depth').filter((a) => a.key === u)).toHaveLength(1);
  });

  it('pricing-third-session: the third pricing session in 48h after signup shows the sales-assist CTA', async () => {
    const u = treatedUser(`pricing-${encoding}`, 'pricing-third-session', 10);
    const visit = (session: string) => ({
      topic: 'web' as const,
      value: { ...event(u, 'web', 'page_view', { path: '/pricing', plan: 'team' }), sessionId: session },
    });
    await journey(u, ['personalization', 'email_marketing'], { lifecycle: 'trial' }, [
      { topic: 'web', value: event(u, 'web', 'signup') },
      visit('s1'),
      visit('s2'),
      visit('s2'),
      visit('s3'),
    ]);
    await stack.waitFor('the sales-assist CTA', () => activationOf('pricing-third-session', u) !== undefined);
    expect(activationOf('pricing-third-session', u)).toMatchObject({
      stepId: 'show-cta',
      params: { slot: 'pricing-hero', variant: 'sales-assist' },
    });
  });

  it('push-price-watch: three views in a category within an hour send a push with the last product', async () => {
    const u = treatedUser(`watch-${encoding}`, 'push-price-watch', 10);
    const view = (productId: string) => ({
      topic: 'web' as const,
      value: event(u, 'web', 'product_view', {
        productId,
        productName: `Boot ${productId}`,
        category: 'shoes',
        price: 80,
      }),
    });
    await journey(u, ['push', 'personalization'], { timezone: middayZone() }, [
      view('b1'),
      view('b2'),
      view('b3'),
    ]);
    await stack.waitFor('the price-watch push', () => activationOf('push-price-watch', u) !== undefined);
    expect(activationOf('push-price-watch', u)).toMatchObject({
      channel: 'mobile',
      actionType: 'mobile.push',
      params: { title: 'Still looking at shoes?', productId: 'b3' },
    });
  });
});
