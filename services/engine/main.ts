/** Entry point of `npx trigger-engine`. */
export function main(_argv: string[]): number {
  process.stderr.write('trigger-engine: not yet implemented (issue 4)\n');
  return 1;
}
