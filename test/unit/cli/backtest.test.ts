import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { backtestCommand } from '../../../services/cli/commands/backtest';
import type { Decision } from '../../../services/engine/evaluate';
import { recordingIo } from './io';

// pricing-hero (web, personalization), cart-nudge (push unless checkout within 3 s), welcome-series.
const TRIGGERS = resolve(__dirname, '../../e2e/fixtures/triggers');
const T = Date.UTC(2026, 2, 2, 9);
const MIN = 60_000;

const consent = (userId: string, purpose: string, at: number) => ({
  topic: 'consent',
  key: userId,
  value: { userId, purpose, status: 'granted', updatedAt: at, source: 'cmp' },
});
const event = (userId: string, channel: string, type: string, at: number, properties = {}) => ({
  topic: `events.${channel}`,
  key: userId,
  value: {
    eventId: `${userId}-${type}-${at}`,
    userId,
    channel,
    type,
    occurredAt: at,
    sessionId: null,
    properties,
    context: null,
  },
});

describe('triggerctl backtest', () => {
  let dir: string;
  let records: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'backtest-'));
    records = join(dir, 'records.jsonl');
    const lines = [
      // Out of time order on purpose: the replay sorts by event time.
      JSON.stringify(event('u1', 'web', 'page_view', T + MIN, { path: '/pricing', plan: 'team' })),
      JSON.stringify(consent('u1', 'personalization', T)),
      JSON.stringify(event('u2', 'web', 'page_view', T + 2 * MIN, { path: '/pricing', plan: 'team' })),
      '{"topic": "events.web", "value": {"eventId": "broken',
      JSON.stringify({ ...event('u2', 'web', 'page_view', T), topic: 'clicks' }),
      '',
      JSON.stringify(consent('u3', 'push', T)),
      JSON.stringify(event('u3', 'mobile', 'add_to_cart', T + 3 * MIN, { productId: 'sku-1' })),
      // Later than the cart's 3 s deadline: its timer fires before this is evaluated.
      JSON.stringify(event('u9', 'web', 'page_view', T + 10 * MIN, { path: '/' })),
    ];
    writeFileSync(records, `${lines.join('\n')}\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (...args: string[]) => {
    const io = recordingIo();
    const code = await backtestCommand.run(args, io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  it('replays the records through the triggers and counts decisions and activations per trigger', async () => {
    const { code, out, err } = await run(TRIGGERS, '--records', records);
    expect(code).toBe(0);
    expect(out).toMatch(
      /^backtest: 6 records \(4 events, 0 profile updates, 2 consent changes\) from 2026-03-02T09:00:00\.000Z to 2026-03-02T09:10:00\.000Z, 2 rejected/,
    );
    expect(out).toMatch(/pricing-hero +1 web +fired 1, consent_missing 1\n/);
    expect(out).toMatch(/cart-nudge +1 mobile +fired 1\n/);
    expect(out).toMatch(/welcome-series +- +no decisions\n/);
    expect(out).toMatch(
      /3 decisions, 2 activations, 0 conversions; 0 timers still pending after the last record\n$/,
    );
    // Rejected lines, by line number, with what was wrong.
    expect(err).toMatch(new RegExp(`records.jsonl:4: not JSON`));
    expect(err).toMatch(/records.jsonl:5: topic "clicks" is not an input topic \(write one of events.web, /);
  });

  it('writes every decision as a JSON line with --decisions', async () => {
    const { code, out } = await run(TRIGGERS, '--records', records, '--decisions');
    expect(code).toBe(0);
    const decisions = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Decision);
    expect(decisions.map((d) => [d.triggerId, d.userId, d.outcome])).toEqual([
      ['pricing-hero', 'u1', 'fired'],
      ['pricing-hero', 'u2', 'consent_missing'],
      ['cart-nudge', 'u3', 'fired'],
    ]);
    expect(decisions[2]?.decidedAt).toBe(T + 3 * MIN + 3_000);
  });

  it('refuses bad usage, unreadable input, invalid triggers and a file without a valid record', async () => {
    for (const args of [
      [],
      [TRIGGERS],
      [TRIGGERS, '--records'],
      [TRIGGERS, 'extra', '--records', records],
      ['--nope'],
    ])
      expect(await run(...args)).toMatchObject({
        code: 2,
        err: expect.stringMatching(/usage: triggerctl backtest/),
      });
    expect(await run(TRIGGERS, '--records', join(dir, 'missing.jsonl'))).toMatchObject({
      code: 2,
      err: expect.stringMatching(/ENOENT/),
    });
    const bad = mkdtempSync(join(dir, 'bad-triggers-'));
    writeFileSync(join(bad, 't.yaml'), 'id: x\n');
    expect(await run(bad, '--records', records)).toMatchObject({
      code: 1,
      err: expect.stringMatching(/run triggerctl validate/),
    });
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, 'not json\n');
    expect(await run(TRIGGERS, '--records', empty)).toMatchObject({
      code: 1,
      err: expect.stringMatching(/no valid record/),
    });
  });
});
