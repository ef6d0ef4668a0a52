/** Entry point of `npx triggerctl`. */
export function main(_argv: string[]): number {
  process.stderr.write('triggerctl: not yet implemented (issue 3)\n');
  return 1;
}
