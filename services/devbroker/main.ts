import { startBroker } from './server';

const USAGE =
  'usage: devbroker [--port 9092] [--host 127.0.0.1] [--data-dir DIR] [--partitions 3] [--no-auto-create] [--auto-create-ready]';

/**
 * Entry point of `npx devbroker`. Prints `devbroker listening on HOST:PORT` on stdout once bound (tests
 * read it); stops cleanly on SIGTERM or SIGINT.
 */
export async function main(argv: string[]): Promise<number> {
  const opts: {
    port: number;
    host?: string;
    dataDir?: string;
    partitions?: number;
    autoCreateTopics?: boolean;
    autoCreateReady?: boolean;
  } = {
    port: 9092,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--port') opts.port = Number(value());
    else if (arg === '--host') opts.host = value();
    else if (arg === '--data-dir') opts.dataDir = value();
    else if (arg === '--partitions') opts.partitions = Number(value());
    else if (arg === '--no-auto-create') opts.autoCreateTopics = false;
    else if (arg === '--auto-create-ready') opts.autoCreateReady = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else {
      process.stderr.write(`devbroker: unknown argument '${arg}'\n${USAGE}\n`);
      return 2;
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    process.stderr.write(`devbroker: --port must be an integer 0-65535\n`);
    return 2;
  }
  if (opts.partitions !== undefined && (!Number.isInteger(opts.partitions) || opts.partitions < 1)) {
    process.stderr.write(`devbroker: --partitions must be an integer >= 1\n`);
    return 2;
  }
  const broker = await startBroker(opts);
  process.stdout.write(`devbroker listening on ${broker.address}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await broker.stop();
  return 0;
}
