import { COMMANDS, main } from '../../../services/cli/main';
import { recordingIo } from './io';

describe('triggerctl main', () => {
  it('prints usage listing every command', async () => {
    const io = recordingIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const c of COMMANDS) expect(io.stdout()).toContain(`triggerctl ${c.usage}`);
    expect(io.stdout()).toContain('validate [DIR]');
  });

  it('exits 1 with usage when no command is given', async () => {
    const io = recordingIo();
    expect(await main([], io)).toBe(1);
    expect(io.stdout()).toMatch(/^Usage:/);
  });

  it('rejects an unknown command', async () => {
    const io = recordingIo();
    expect(await main(['deploi'], io)).toBe(2);
    expect(io.stderr()).toMatch(/^triggerctl: unknown command 'deploi'/);
  });

  it('dispatches to the named command with the remaining arguments', async () => {
    const io = recordingIo();
    expect(await main(['validate', 'a', 'b'], io)).toBe(2);
    expect(io.stderr()).toBe('usage: triggerctl validate [DIR]\n');
  });
});
