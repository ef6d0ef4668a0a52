// Runs the load generator as a process: `tsx scripts/loadgen.ts --brokers ... --rate ...`.
import { main } from '../services/loadgen/main';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
