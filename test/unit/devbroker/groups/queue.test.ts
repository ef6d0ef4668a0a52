import { KeyedQueue } from '../../../../services/devbroker/groups';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('KeyedQueue', () => {
  it('runs one key in order even when an earlier task awaits, and other keys alongside', async () => {
    const q = new KeyedQueue();
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = q.run('a', async () => {
      seen.push('a1 start');
      await gate;
      seen.push('a1 end');
    });
    const a2 = q.run('a', () => seen.push('a2'));
    const b1 = q.run('b', () => seen.push('b1'));
    await tick();
    expect(seen).toEqual(['a1 start', 'b1']);
    release();
    await Promise.all([a1, a2, b1]);
    expect(seen).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('idle waits for every key, failed tasks included', async () => {
    const q = new KeyedQueue();
    const done: string[] = [];
    void q.run('a', async () => {
      await tick();
      done.push('a');
    });
    void q
      .run('b', async () => {
        await tick();
        await tick();
        done.push('b');
        throw new Error('boom');
      })
      .catch(() => undefined);
    await q.idle();
    expect(done.sort()).toEqual(['a', 'b']);
  });

  it('keeps going after a task fails, and passes the failure to its caller', async () => {
    const q = new KeyedQueue();
    const failed = q.run('a', () => {
      throw new Error('boom');
    });
    await expect(failed).rejects.toThrow('boom');
    await expect(q.run('a', () => 7)).resolves.toBe(7);
  });
});
