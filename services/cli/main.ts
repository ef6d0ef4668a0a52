import type { CliIo, Command } from './command';
import { processIo } from './command';
import { backtestCommand } from './commands/backtest';
import { deployCommand } from './commands/deploy';
import { explainCommand } from './commands/explain';
import { testCommand } from './commands/test';
import { validateCommand } from './commands/validate';

/** The subcommands; adding one is an import and an entry here. */
export const COMMANDS: readonly Command[] = [
  validateCommand,
  testCommand,
  backtestCommand,
  deployCommand,
  explainCommand,
];

/** Entry point of `npx triggerctl <command> [args]`; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`triggerctl: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  return command.run(args, io);
}

function usage(): string {
  const lines = COMMANDS.map((c) => `  triggerctl ${c.usage}\n      ${c.summary}`);
  return `Usage:\n${lines.join('\n')}\n`;
}
