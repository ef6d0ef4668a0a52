import { mkdtemp, mkdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseOffset, testCommand } from '../../../services/cli/commands/test';
import { main } from '../../../services/cli/main';
import { recordingIo } from './io';

const TRIGGER = `id: hello-web
version: 1
signal:
  event: page_view
  where: { properties.path: { startsWith: /pricing } }
action: { channel: web, type: web.personalize, params: { slot: hero, path: '\${event.properties.path}' } }
`;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triggerctl-test-'));
  await copyFile('triggers/policies.yaml', join(dir, 'policies.yaml'));
  await writeFile(join(dir, 'hello-web.yaml'), TRIGGER);
  await mkdir(join(dir, 'tests'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CASE = (expect: string) => `cases:
  - name: pricing view
    consent: [personalization]
    timeline:
      - { at: +0m, event: page_view, properties: { path: /pricing } }
      - { at: +1h30m, event: page_view, properties: { path: /pricing } }
      - { at: +2d, event: page_view, properties: { path: /docs } }
    expect:
${expect}`;

describe('triggerctl test', () => {
  it('passes when the decisions match, in order, and exits 0', async () => {
    await writeFile(
      join(dir, 'tests', 'a.test.yaml'),
      CASE(
        '      - { outcome: fired, at: +0m }\n      - { outcome: suppressed, reason: cooldown, at: +1h30m }\n',
      ),
    );
    const io = recordingIo();
    expect(await testCommand.run([dir], io)).toBe(0);
    expect(io.stdout()).toContain('PASS');
    expect(io.stdout()).toContain('1 passed, 0 failed');
  });

  it('prints a readable diff and exits 1 when a decision differs', async () => {
    await writeFile(
      join(dir, 'tests', 'a.test.yaml'),
      CASE('      - { outcome: fired, at: +0m }\n      - { outcome: fired, at: +1h30m }\n'),
    );
    const io = recordingIo();
    expect(await testCommand.run([dir], io)).toBe(1);
    const out = io.stdout();
    expect(out).toContain('FAIL');
    expect(out).toContain('1. ok       hello-web action fired at +0m');
    expect(out).toContain('2. expected * * fired at +90m');
    expect(out).toContain('2. actual   hello-web action suppressed/cooldown at +90m');
    expect(out).toContain('outcome: expected fired, got suppressed');
    expect(out).toContain('failed checks: cooldown');
  });

  it('reports missing and unexpected decisions', async () => {
    await writeFile(join(dir, 'tests', 'a.test.yaml'), CASE('      - { outcome: fired }\n'));
    const io = recordingIo();
    expect(await testCommand.run([dir], io)).toBe(1);
    expect(io.stdout()).toContain('2. actual   hello-web action suppressed/cooldown');
    await writeFile(
      join(dir, 'tests', 'a.test.yaml'),
      CASE('      - { outcome: fired }\n      - { outcome: suppressed }\n      - { outcome: fired }\n'),
    );
    const io2 = recordingIo();
    expect(await testCommand.run([dir], io2)).toBe(1);
    expect(io2.stdout()).toContain('3. actual   (no decision)');
  });

  it('names the file and the path of a malformed test file', async () => {
    await writeFile(
      join(dir, 'tests', 'bad.test.yaml'),
      'cases:\n  - name: x\n    timeline:\n      - { at: soon, event: a }\n      - { at: +1m }\n    expect: []\n    typo: 1\n',
    );
    const io = recordingIo();
    expect(await testCommand.run([dir], io)).toBe(1);
    const err = io.stderr();
    expect(err).toContain('bad.test.yaml: cases[0].timeline[0].at: "soon" is not a relative time');
    expect(err).toContain('cases[0].timeline[1]: a timeline entry needs one of event, profile or consent');
    expect(err).toContain('cases[0]');
  });

  it('rejects an unknown trigger in `triggers`', async () => {
    await writeFile(
      join(dir, 'tests', 'a.test.yaml'),
      'cases:\n  - name: x\n    triggers: [nope]\n    expect: []\n',
    );
    const io = recordingIo();
    expect(await testCommand.run([dir], io)).toBe(1);
    expect(io.stdout()).toContain('unknown trigger: nope');
  });

  it('exits 2 on a missing folder or bad usage, 1 when there are no tests', async () => {
    const io = recordingIo();
    expect(await testCommand.run([join(dir, 'missing')], io)).toBe(2);
    expect(await testCommand.run(['a', 'b'], io)).toBe(2);
    expect(await testCommand.run([dir], io)).toBe(1);
    expect(io.stderr()).toContain('no *.test.yaml files');
  });

  it('is registered in triggerctl', async () => {
    const io = recordingIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.stdout()).toContain('test [DIR]');
  });

  it('runs the example triggers tests of the repository green', async () => {
    const io = recordingIo();
    expect(await testCommand.run(['triggers'], io)).toBe(0);
    expect(io.stdout()).not.toContain('FAIL');
  });
});

describe('parseOffset', () => {
  it.each([
    ['+5m', 300_000],
    ['5m', 300_000],
    ['-2h', -7_200_000],
    ['+1h30m', 5_400_000],
    ['+0', 0],
    ['0', 0],
    ['+250ms', 250],
  ])('%s is %d ms', (text, ms) => {
    expect(parseOffset(text)).toBe(ms);
  });

  it.each(['soon', '5', '+', '1.5h', '+5 m'])('%s is not an offset', (text) => {
    expect(parseOffset(text)).toBeUndefined();
  });
});
