import { join } from 'node:path';

import { freePort } from '../../scripts/processes';
import { holdoutBucket } from '../../services/engine/evaluate';
import { event, grant, startStack } from './harness';
import type { Seen, Stack } from './harness';

// The four example triggers of triggers/ whose waits run from 30 minutes to 14 days, end to end: the
// engines run on the stack's TestClock, events carry that clock's time as occurredAt (the evaluator
// arms a wait at occurredAt + D and decides at the clock's now), and the test moves the clock forward
// once the events are recorded. Every test starts at 10:00 UTC, away from the quiet hours of policies.yaml.
jest.setTimeout(90_000);

const TRIGGERS = join(__dirname, '..', '..', 'triggers');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** A user id of `base` in the treated (`control: false`) or control group of the trigger's holdout. */
function userIn(base: string, triggerId: string, holdoutPercent: number, control = false): string {
  for (let i = 0; ; i++) {
    const id = `${base}-${i}`;
    if (holdoutBucket(triggerId, id) < holdoutPercent * 100 === control) return id;
  }
}

/** Epoch ms of an Avro timestamp-millis (a Date) or a JSON number. */
const ms = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));

type Topic = 'web' | 'mobile' | 'email';

describe.each(['json', 'avro'] as const)(
  'the long-wait example triggers end to end, inputs in %s',
  (encoding) => {
    let stack: Stack;
    let httpPort: number;

    beforeAll(async () => {
      stack = await startStack();
      await stack.collect();
      httpPort = await freePort();
      await stack.engine({ TRIGGERS_DIR: TRIGGERS }, { httpPort });
    });
    afterAll(async () => {
      await stack.stop();
    });

    const now = () => stack.clock.now();
    /** An event of the stack's clock, `offsetMs` from now, with a context (locale and region). */
    const at = (userId: string, type: string, props: Record<string, string | number> = {}, offsetMs = 0) => ({
      ...event(userId, 'web', type, props, now() + offsetMs),
      context: { locale: 'de-DE', region: 'DE', timezone: 'Europe/Berlin', userAgent: null, bot: false },
    });

    /** Consent (and a profile) for each user, recorded before anything else is sent. */
    async function users(ids: string[], purposes: string[], attributes: Record<string, string> | null) {
      await stack.produce(
        stack.topics.consent,
        ids.flatMap((u) => purposes.map((p) => grant(u, p, 1000, now()))),
        encoding,
      );
      if (attributes)
        await stack.produce(
          stack.topics.profiles,
          ids.map((userId) => ({ userId, attributes, updatedAt: now() - 1000 })),
          encoding,
        );
      await stack.waitForState(ids);
    }

    /** Sends events (channel taken from the topic) and waits until the engine has recorded them. */
    async function send(...events: [Topic, ReturnType<typeof at>][]) {
      for (const [topic, e] of events)
        await stack.produce(stack.topics.events[topic], [{ ...e, channel: topic }], encoding);
      await stack.waitForEvents(events.map(([, e]) => e));
    }

    /** Moves the clock and waits until every timer due by then has fired and its outputs were read. */
    async function advance(byMs: number) {
      stack.clock.advance(byMs);
      await stack.settle();
    }

    const mine = (list: Seen[], userId: string) =>
      list.filter((s) => s.key === userId).map((s) => s.value as Record<string, unknown>);
    const outcomes = (triggerId: string, userId: string) =>
      mine(stack.decisions(triggerId), userId).map((d) => `${String(d.stepId)}:${String(d.outcome)}`);

    it('cart-abandonment: a push an hour after the cart, an email four hours later; a checkout in the hour or a purchase in the wait stops it', async () => {
      stack.clock.advanceToHourUtc(10);
      const id = 'cart-abandonment';
      const left = userIn(`cart-left-${encoding}`, id, 5);
      const checkedOut = userIn(`cart-checkout-${encoding}`, id, 5);
      const bought = userIn(`cart-bought-${encoding}`, id, 5);
      const all = [left, checkedOut, bought];
      await users(all, ['push', 'email_marketing'], { firstName: 'Ada' });
      const carts = all.map((u) => at(u, 'add_to_cart', { productId: 'sku-1', productName: 'Red shoes' }));
      await send(...carts.map((c): [Topic, typeof c] => ['mobile', c]));

      await advance(30 * MINUTE);
      await send(['web', at(checkedOut, 'checkout_started')]);
      await advance(30 * MINUTE);
      expect(outcomes(id, left)).toEqual(['push-reminder:fired']);
      expect(outcomes(id, bought)).toEqual(['push-reminder:fired']);
      expect(outcomes(id, checkedOut)).toEqual([]);
      const [push] = mine(stack.activations(id), left);
      expect(push).toMatchObject({
        stepId: 'push-reminder',
        channel: 'mobile',
        actionType: 'mobile.push',
        params: {
          title: 'Still thinking about it?',
          body: 'Red shoes is waiting in your cart',
          deeplink: 'app://cart',
        },
      });
      const t0 = carts[0]?.occurredAt as number;
      expect(ms(push?.dueAt)).toBe(t0 + HOUR);

      await send(['web', at(bought, 'purchase', { productId: 'sku-1' })]);
      expect(outcomes(id, bought)).toEqual(['push-reminder:fired', 'wait-for-checkout:exited']);
      await advance(4 * HOUR);
      expect(outcomes(id, left)).toEqual(['push-reminder:fired', 'email-reminder:fired']);
      const email = mine(stack.activations(id), left).find((a) => a.stepId === 'email-reminder');
      expect(email).toMatchObject({
        channel: 'email',
        actionType: 'email.send',
        params: { template: 'cart-reminder', product: 'sku-1', name: 'Ada' },
      });
      expect(ms(email?.dueAt)).toBe(t0 + 5 * HOUR);
      expect(outcomes(id, bought)).toEqual(['push-reminder:fired', 'wait-for-checkout:exited']);
      expect(mine(stack.activations(id), bought).map((a) => a.stepId)).toEqual(['push-reminder']);
      expect(mine(stack.activations(id), checkedOut)).toEqual([]);
    });

    it('browse-abandonment-email: an email reader who adds nothing in two hours gets an email rendered at open', async () => {
      stack.clock.advanceToHourUtc(10);
      const id = 'browse-abandonment-email';
      const browsed = `browse-viewer-${encoding}`;
      const added = `browse-adder-${encoding}`;
      const noReader = `browse-noreader-${encoding}`;
      await users([browsed, added, noReader], ['email_marketing'], null);
      const opened = (u: string): [Topic, ReturnType<typeof at>] => [
        'email',
        at(u, 'email_open', {}, -10 * DAY),
      ];
      const view = (u: string): [Topic, ReturnType<typeof at>] => [
        'web',
        at(u, 'product_view', { productId: 'p9' }),
      ];
      const viewed = view(browsed);
      await send(opened(browsed), opened(added), viewed, view(added), view(noReader));
      await advance(HOUR);
      await send(['web', at(added, 'add_to_cart', { productId: 'p9' })]);
      await advance(HOUR);

      expect(outcomes(id, browsed)).toEqual(['action:fired']);
      expect(outcomes(id, added)).toEqual([]);
      expect(outcomes(id, noReader)).toEqual([]); // no email_open in 60 days: the signal does not match
      const [email] = mine(stack.activations(id), browsed);
      expect(email).toMatchObject({
        channel: 'email',
        actionType: 'email.send',
        params: { template: 'browse-recommendations', product: 'p9', locale: 'de-DE' },
      });
      expect(ms(email?.dueAt)).toBe(viewed[1].occurredAt + 2 * HOUR);
      // Rendered at open against the user's state then: after an add_to_cart (the goal), the converted variant.
      const render = async () => {
        const res = await fetch(`http://127.0.0.1:${httpPort}/v1/render/${String(email?.renderToken)}`);
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      expect(await render()).toMatchObject({
        status: 200,
        body: { template: 'browse-recommendations', variant: 'default' },
      });
      await advance(HOUR);
      await send(['web', at(browsed, 'add_to_cart', { productId: 'p9' })]);
      expect(await render()).toMatchObject({ status: 200, body: { variant: 'converted' } });
    });

    it('win-back-inactive: fourteen quiet days send the win-back email; a visit re-arms them; control users get holdout', async () => {
      stack.clock.advanceToHourUtc(10);
      const id = 'win-back-inactive';
      const quiet = userIn(`winback-quiet-${encoding}`, id, 20);
      const back = userIn(`winback-back-${encoding}`, id, 20);
      const control = userIn(`winback-control-${encoding}`, id, 20, true);
      await users([quiet, back, control], ['email_marketing'], { lifecycle: 'customer', firstName: 'Ada' });
      const sessions = [quiet, back, control].map((u): [Topic, ReturnType<typeof at>] => [
        'web',
        at(u, 'session_start'),
      ]);
      await send(...sessions);
      await advance(10 * DAY);
      const appOpen = at(back, 'app_open');
      await send(['mobile', appOpen]);
      await advance(4 * DAY);

      expect(outcomes(id, quiet)).toEqual(['action:fired']);
      expect(outcomes(id, control)).toEqual(['action:holdout']);
      expect(outcomes(id, back)).toEqual([]);
      const [email] = mine(stack.activations(id), quiet);
      expect(email).toMatchObject({ channel: 'email', params: { template: 'win-back', name: 'Ada' } });
      expect(ms(email?.dueAt)).toBe((sessions[0]?.[1].occurredAt as number) + 14 * DAY);
      expect(mine(stack.activations(id), control)).toEqual([]);

      await advance(10 * DAY);
      expect(outcomes(id, back)).toEqual(['action:fired']);
      expect(ms(mine(stack.activations(id), back)[0]?.dueAt)).toBe(appOpen.occurredAt + 14 * DAY);
      expect(outcomes(id, quiet)).toEqual(['action:fired']);
    });

    it('checkout-discount-shadow: an abandoned checkout records a shadow decision and emits nothing', async () => {
      stack.clock.advanceToHourUtc(10);
      const id = 'checkout-discount-shadow';
      const abandoned = userIn(`shadow-abandoned-${encoding}`, id, 50);
      const bought = userIn(`shadow-bought-${encoding}`, id, 50);
      const small = userIn(`shadow-small-${encoding}`, id, 50);
      const blocked = userIn(`shadow-region-${encoding}`, id, 50);
      const control = userIn(`shadow-control-${encoding}`, id, 50, true);
      const employee = userIn(`shadow-employee-${encoding}`, id, 50);
      const customers = [abandoned, bought, small, blocked, control];
      await users(customers, ['email_marketing', 'offers'], { lifecycle: 'customer' });
      await users([employee], ['email_marketing', 'offers'], { lifecycle: 'employee' });
      const checkout = (u: string, cartValue: number): [Topic, ReturnType<typeof at>] => [
        'web',
        at(u, 'checkout_started', { cartValue }),
      ];
      const fromChina = checkout(blocked, 120);
      fromChina[1].context.region = 'CN';
      await send(
        checkout(abandoned, 120),
        checkout(bought, 120),
        checkout(small, 20),
        fromChina,
        checkout(control, 120),
        checkout(employee, 120),
      );
      await advance(20 * MINUTE);
      await send(['web', at(bought, 'purchase')]);
      await advance(10 * MINUTE);

      expect(outcomes(id, abandoned)).toEqual(['action:shadow']);
      expect(outcomes(id, control)).toEqual(['action:holdout']); // holdout comes before shadow
      for (const u of [bought, small, blocked, employee])
        expect({ u, d: outcomes(id, u) }).toEqual({ u, d: [] });
      const [decision] = mine(stack.decisions(id), abandoned);
      expect(decision).toMatchObject({ activationId: null });
      expect(stack.activations(id)).toEqual([]);
      expect(stack.activations().filter((a) => [...customers, employee].includes(a.key as string))).toEqual(
        [],
      );
    });
  },
);
