import { join } from 'node:path';

import {
  formatDefinitionError,
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
});
