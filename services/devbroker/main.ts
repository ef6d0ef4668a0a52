/** Entry point of `npx devbroker`. */
export function main(_argv: string[]): number {
  process.stderr.write('devbroker: not yet implemented (issue 2)\n');
  return 1;
}
