import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');

jest.setTimeout(120_000);

// Docker is not available where the tests run: replay the image's dependency install, as a dry run, on
// the committed package.json and lockfile. `npm ci` refused this lockfile (it lacks other platforms'
// optional binaries), so the image did not build while every other test passed.
describe('infra/Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'infra/Dockerfile'), 'utf8');
  const installs = [...dockerfile.matchAll(/^RUN (npm [^&\n]+)/gm)].map((m) => (m[1] as string).trim());

  it('installs its dependencies with one npm command', () => {
    expect(installs).toHaveLength(1);
  });

  it('installs the runtime dependencies from the committed lockfile, without the dev ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'image-install-'));
    try {
      for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, f), join(dir, f));
      const [npm, ...args] = (installs[0] as string).split(/\s+/);
      const { stdout } = await run(npm as string, [...args, '--dry-run'], { cwd: dir });
      const added = Number(/added (\d+) packages/.exec(stdout)?.[1]);
      // The runtime set (kafkajs, ioredis, tsx, ...) is a few dozen packages; with jest and TypeScript
      // it is hundreds.
      expect(added).toBeGreaterThan(10);
      expect(added).toBeLessThan(100);
      expect(readFileSync(join(dir, 'package-lock.json'))).toEqual(
        readFileSync(join(ROOT, 'package-lock.json')),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
