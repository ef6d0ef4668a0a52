import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { validateCommand } from '../../../../services/cli/commands/validate';
import { POLICIES_YAML } from '../../engine/definitions/fixtures';
import { recordingIo } from '../io';

const TRIGGERS_DIR = join(__dirname, '../../../../triggers');

describe('triggerctl validate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'validate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one line per trigger and exits 0 on the examples', async () => {
    const io = recordingIo();
    expect(await validateCommand.run([TRIGGERS_DIR], io)).toBe(0);
    const lines = io.stdout().trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^\d+ triggers valid in /);
    const pricing = lines.find((l) => l.startsWith('pricing-third-session'));
    expect(pricing).toMatch(
      /^pricing-third-session +v3 +live +page_view \(web\), where 1 condition, count >= 3 in 48h distinct sessionId.* -> web, email {2}window 30m {2}sla 1s$/,
    );
    const cart = lines.find((l) => l.startsWith('cart-abandonment'));
    expect(cart).toContain('-> mobile, email  window mobile 2h, email 24h  sla mobile 5s, email 5m');
    expect(io.stderr()).toBe('');
  });

  it('prints every error of the folder and exits 1', async () => {
    writeFileSync(join(dir, 'policies.yaml'), POLICIES_YAML);
    writeFileSync(
      join(dir, 'cart.yaml'),
      'id: cart\nversion: 1\nsignal: { event: add_to_cart }\nsequence:\n  - id: wait-a-bit\n    wait: 24\n  - id: send\n    action: { channel: email, type: email.send }\n',
    );
    writeFileSync(
      join(dir, 'other.yaml'),
      'id: other\nversion: 1\nsignal: { event: x }\naction: { channel: web, type: web.x }\nsuppression: { coldown: 1d }\n',
    );
    const io = recordingIo();
    expect(await validateCommand.run([dir], io)).toBe(1);
    expect(io.stderr()).toBe(
      [
        `${join(dir, 'cart.yaml')}:6 sequence[0].wait: "24" is not a duration (use 24h; units: ms, s, m, h, d)`,
        `${join(dir, 'other.yaml')}:5 suppression.coldown: unknown key 'coldown' (did you mean 'cooldown'?)`,
        `2 errors in ${dir}`,
        '',
      ].join('\n'),
    );
    expect(io.stdout()).toBe('');
  });

  it('says "1 error" and "1 trigger"', async () => {
    const io = recordingIo();
    expect(await validateCommand.run([dir], io)).toBe(1);
    expect(io.stderr()).toMatch(/\n1 error in /);
    writeFileSync(join(dir, 'policies.yaml'), POLICIES_YAML);
    writeFileSync(
      join(dir, 'one.yaml'),
      'id: one\nversion: 1\nsignal: { event: x }\naction: { channel: web, type: web.x }\n',
    );
    const ok = recordingIo();
    expect(await validateCommand.run([dir], ok)).toBe(0);
    expect(ok.stdout()).toMatch(/\n1 trigger valid in /);
  });

  it('exits 2 when the folder cannot be read or the arguments are wrong', async () => {
    const io = recordingIo();
    expect(await validateCommand.run([join(dir, 'nope')], io)).toBe(2);
    expect(io.stderr()).toMatch(/^triggerctl validate: cannot read .*nope: ENOENT/);
    expect(await validateCommand.run(['--strict'], recordingIo())).toBe(2);
  });

  it('defaults to triggers/ in the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(join(TRIGGERS_DIR, '..'));
    try {
      const io = recordingIo();
      expect(await validateCommand.run([], io)).toBe(0);
      expect(io.stdout()).toMatch(/triggers valid in triggers\n$/);
    } finally {
      process.chdir(cwd);
    }
  });
});
