import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readDefinitionFolder } from '../../../../services/engine/definitions';

describe('readDefinitionFolder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'definitions-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads *.yaml and *.yml directly in the folder, keyed by folder and name, and skips the rest', async () => {
    writeFileSync(join(dir, 'b.yaml'), 'b');
    writeFileSync(join(dir, 'a.yml'), 'a');
    writeFileSync(join(dir, 'policies.yaml'), 'p');
    writeFileSync(join(dir, 'README.md'), 'no');
    mkdirSync(join(dir, 'tests'));
    writeFileSync(join(dir, 'tests', 'cart.test.yaml'), 'no');
    mkdirSync(join(dir, 'dir.yaml'));
    expect(await readDefinitionFolder(dir)).toEqual({
      [join(dir, 'a.yml')]: 'a',
      [join(dir, 'b.yaml')]: 'b',
      [join(dir, 'policies.yaml')]: 'p',
    });
  });

  it('fails for a folder that does not exist', async () => {
    await expect(readDefinitionFolder(join(dir, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});
