import { join } from 'node:path';

import {
  formatDefinitionError,
  loadDefinitions,
  readDefinitionFolder,
  validateDefinitions,
} from '../../../../services/engine/definitions';

const TRIGGERS_DIR = join(__dirname, '../../../../triggers');

describe('the example triggers in triggers/', () => {
  it('all validate against triggers/policies.yaml', async () => {
    const result = validateDefinitions(await readDefinitionFolder(TRIGGERS_DIR));
    expect(result.ok ? [] : result.errors.map(formatDefinitionError)).toEqual([]);
  });

  it('cover the cases of issue 3', async () => {
    const result = validateDefinitions(await readDefinitionFolder(TRIGGERS_DIR));
    if (!result.ok) throw new Error('examples do not validate');
    const triggers = result.triggers.map((t) => t.value);
    expect(triggers.length).toBeGreaterThanOrEqual(8);
    const byId = new Map(triggers.map((t) => [t.id, t]));
    expect(byId.get('pricing-third-session')?.signal.count).toEqual({
      atLeast: 3,
      within: '48h',
      distinct: 'sessionId',
    });
    expect(byId.get('cart-abandonment')?.signal.absent?.within).toBe('1h');
    expect(byId.get('paid-retargeting-viewers')?.action?.type).toBe('paid.audience.add');
    expect(byId.get('paid-retargeting-viewers')?.suppression?.unless?.[0]?.event).toBe('purchase');
    expect(byId.get('inapp-session-depth')?.signal.count?.within).toBe('session');
    expect(byId.get('push-price-watch')?.action?.channel).toBe('mobile');
    expect(byId.get('browse-abandonment-email')?.action?.renderAt).toBe('open');
    expect(byId.get('win-back-inactive')?.signal.absent?.within).toBe('14d');
    const highRisk = triggers.filter((t) => t.risk === 'high');
    expect(highRisk.map((t) => [t.mode, Boolean(t.approvedBy)])).toEqual([['shadow', true]]);
    expect(result.policies.channels.mobile?.quietHours?.action).toBe('defer');
  });

  it('compile into plans routed by event type', async () => {
    const result = await loadDefinitions(TRIGGERS_DIR);
    if (!result.ok) throw new Error(result.errors.map(formatDefinitionError).join('\n'));
    expect(result.plans.length).toBeGreaterThanOrEqual(8);
    const routed = (type: string) => (result.index.byEventType.get(type) ?? []).map((p) => p.id);
    expect(routed('add_to_cart')).toEqual(
      expect.arrayContaining(['cart-abandonment', 'browse-abandonment-email']),
    );
    expect(routed('purchase')).toEqual(
      expect.arrayContaining(['cart-abandonment', 'paid-retargeting-viewers']),
    );
    expect(routed('demo_booked')).toContain('pricing-third-session');
    const discount = result.index.byId.get('checkout-discount-shadow');
    expect(discount?.steps[0]).toMatchObject({ kind: 'action', windowMs: 6 * 3_600_000, slaMs: 300_000 });
    expect(discount?.steps[0]?.kind === 'action' && discount.steps[0].consent).toEqual([
      'email_marketing',
      'offers',
    ]);
  });
});
