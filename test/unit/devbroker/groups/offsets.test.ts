import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { GroupCoordinator, OFFSETS_DIR, OffsetStore } from '../../../../services/devbroker/groups';

// Unit tests stay off sockets; a temp directory is the one side effect, removed afterwards.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devbroker-offsets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const coordinator = () => new GroupCoordinator({ dataDir: dir, partitionExists: () => true });
const at = (c: GroupCoordinator, group: string, topic = 't', partition = 0) =>
  c.fetchOffsets(group, [{ topic, partitions: [partition] }])[0]?.partitions[0];

describe('committed offsets on disk', () => {
  it('survive a restart with the same data dir, with metadata, for odd group ids too', async () => {
    const first = coordinator();
    for (const group of ['g1', '..', 'a/b c*']) {
      await first.commitOffsets(group, '', -1, [{ topic: 't', partition: 0, offset: 10n, metadata: 'm' }]);
    }
    await first.commitOffsets('g1', '', -1, [{ topic: 't', partition: 0, offset: 12n, metadata: null }]);
    first.close();

    const second = coordinator();
    expect(at(second, 'g1')).toEqual({ partition: 0, offset: 12n, metadata: '' });
    expect(at(second, '..')).toEqual({ partition: 0, offset: 10n, metadata: 'm' });
    expect(at(second, 'a/b c*')?.offset).toBe(10n);
    expect(
      second
        .list()
        .map((g) => g.groupId)
        .sort(),
    ).toEqual(['..', 'a/b c*', 'g1']);
    expect(second.describe('g1').state).toBe('Empty');
  });

  it('leave no temp files behind, and forget deleted groups and topics across restarts', async () => {
    const first = coordinator();
    await first.commitOffsets('keep', '', -1, [
      { topic: 'gone', partition: 0, offset: 1n, metadata: null },
      { topic: 'stays', partition: 1, offset: 2n, metadata: null },
    ]);
    await first.commitOffsets('drop', '', -1, [{ topic: 'stays', partition: 0, offset: 3n, metadata: null }]);
    first.deleteTopicOffsets('gone');
    expect(first.deleteGroups(['drop'])).toEqual([0]);
    await first.flush();
    expect(readdirSync(join(dir, OFFSETS_DIR)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const second = coordinator();
    expect(at(second, 'keep', 'gone')?.offset).toBe(-1n);
    expect(at(second, 'keep', 'stays', 1)?.offset).toBe(2n);
    expect(second.describe('drop').state).toBe('Dead');
  });

  it('flush waits for the file removal of a group just deleted', async () => {
    const c = coordinator();
    await c.commitOffsets('drop', '', -1, [{ topic: 't', partition: 0, offset: 3n, metadata: null }]);
    expect(readdirSync(join(dir, OFFSETS_DIR))).toEqual(['drop.json']);
    expect(c.deleteGroups(['drop'])).toEqual([0]);
    await c.flush();
    expect(readdirSync(join(dir, OFFSETS_DIR))).toEqual([]);
  });

  it('skips an unreadable file and reports it', () => {
    new OffsetStore(dir);
    writeFileSync(join(dir, OFFSETS_DIR, 'bad.json'), '{not json');
    const bad: string[] = [];
    const store = new OffsetStore(dir, (file) => bad.push(file));
    expect(bad).toEqual([join(dir, OFFSETS_DIR, 'bad.json')]);
    expect(store.groupIds()).toEqual([]);
  });
});
