import {
  compileDefinitions,
  formatDefinitionError,
  formatPerChannel,
  readDefinitionFolder,
  summarizeTrigger,
  validateDefinitions,
} from '../../engine/definitions';
import type { CliIo, Command } from '../command';

/** Default folder of trigger definitions, relative to the working directory. */
export const DEFAULT_TRIGGERS_DIR = 'triggers';

/**
 * `triggerctl validate [DIR]`: every error of the folder (file:line path: message), exit 1 on any;
 * otherwise one line per trigger and exit 0.
 */
export const validateCommand: Command = {
  name: 'validate',
  usage: 'validate [DIR]',
  summary: `check every trigger and policies.yaml in DIR (default ${DEFAULT_TRIGGERS_DIR}/)`,
  run: async (args: string[], io: CliIo) => {
    if (args.length > 1 || args.some((a) => a.startsWith('-'))) {
      io.err('usage: triggerctl validate [DIR]\n');
      return 2;
    }
    const dir = args[0] ?? DEFAULT_TRIGGERS_DIR;
    let texts;
    try {
      texts = await readDefinitionFolder(dir);
    } catch (err) {
      io.err(`triggerctl validate: cannot read ${dir}: ${(err as Error).message}\n`);
      return 2;
    }
    const result = validateDefinitions(texts);
    // Compiling proves the plans the engine would run can be built from what validated.
    if (result.ok) compileDefinitions(texts);
    if (!result.ok) {
      for (const e of result.errors) io.err(`${formatDefinitionError(e)}\n`);
      io.err(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${dir}\n`);
      return 1;
    }
    const rows = result.triggers.map(({ value }) => {
      const s = summarizeTrigger(value, result.policies);
      return [
        s.id,
        `v${s.version}`,
        s.mode,
        s.signal,
        `-> ${s.channels.join(', ')}`,
        `window ${formatPerChannel(s.window)}`,
        `sla ${formatPerChannel(s.sla)}`,
      ];
    });
    // Pad the short leading columns so ids, versions and modes line up.
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    for (const row of rows) {
      io.out(`${row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ')}\n`);
    }
    io.out(`${rows.length} trigger${rows.length === 1 ? '' : 's'} valid in ${dir}\n`);
    return 0;
  },
};
