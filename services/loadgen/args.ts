/** Options of the load generator's command line (`scripts/loadgen.ts`, `make demo`, `make bench`). */
export interface LoadgenOptions {
  /** Comma list of host:port. */
  brokers: string;
  users: number;
  /** Records per second. */
  rate: number;
  /** How long to run; 0 runs until SIGINT/SIGTERM. */
  seconds: number;
  /** TOPIC_PREFIX of the engine it feeds. */
  prefix: string;
  seed: number;
  /** Greatest collector delay in ms by which events are backdated (see TrafficOptions.maxLagMs). */
  lagMs: number;
  /**
   * Records of the seed's traffic to pass over before sending (generated, not sent): continues traffic
   * that another producer sent the first `skip` records of (the benchmark's phase 3).
   */
  skip: number;
}

export const LOADGEN_DEFAULTS: Readonly<LoadgenOptions> = Object.freeze({
  brokers: '127.0.0.1:9092',
  users: 5000,
  rate: 500,
  seconds: 60,
  prefix: '',
  seed: 1,
  lagMs: 0,
  skip: 0,
});

export const USAGE =
  'usage: loadgen [--brokers 127.0.0.1:9092] [--users 5000] [--rate 500] [--seconds 60] [--prefix P] [--seed 1] [--lag-ms 0] [--skip 0]';

const FLAGS: Record<string, keyof LoadgenOptions> = {
  '--brokers': 'brokers',
  '--users': 'users',
  '--rate': 'rate',
  '--seconds': 'seconds',
  '--prefix': 'prefix',
  '--seed': 'seed',
  '--lag-ms': 'lagMs',
  '--skip': 'skip',
};

/** At least 1: users, rate. At least 0: seconds, seed, lagMs, skip. Integers all. */
const MIN: Partial<Record<keyof LoadgenOptions, number>> = {
  users: 1,
  rate: 1,
  seconds: 0,
  seed: 0,
  lagMs: 0,
  skip: 0,
};

/** Parses `--flag value` pairs; an unknown flag, a missing value or a bad number is an error sentence. */
export function parseLoadgenArgs(
  argv: readonly string[],
): { ok: true; options: LoadgenOptions } | { ok: false; error: string } {
  const options: LoadgenOptions = { ...LOADGEN_DEFAULTS };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] as string;
    const key = FLAGS[flag];
    const value = argv[i + 1];
    if (!key) return { ok: false, error: `Unknown option ${flag}.` };
    if (value === undefined) return { ok: false, error: `Option ${flag} needs a value.` };
    const min = MIN[key];
    if (min === undefined) {
      (options as unknown as Record<string, string>)[key] = value;
      continue;
    }
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min)
      return { ok: false, error: `Option ${flag} must be an integer of at least ${min}, not "${value}".` };
    (options as unknown as Record<string, number>)[key] = n;
  }
  if (options.brokers.trim() === '') return { ok: false, error: 'Option --brokers must name a broker.' };
  return { ok: true, options };
}
