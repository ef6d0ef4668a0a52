/** Where a command writes: stdout for results, stderr for errors (injected so tests can read both). */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** One `triggerctl <name>` subcommand. main.ts dispatches on `name`; `run` returns the exit code. */
export interface Command {
  name: string;
  /** `triggerctl <usage>` as shown in help, e.g. `validate [DIR]`. */
  usage: string;
  /** One line for the help listing. */
  summary: string;
  run(args: string[], io: CliIo): Promise<number> | number;
}

/** Writes to the process streams: the CLI entry point is the one place allowed to. */
export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};
