import { Breaker } from '../../../../services/engine/runtime';

const T0 = 1_767_225_600_000;

describe('Breaker', () => {
  it('stays closed at exactly the per-minute limit and trips on the first activation above it', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 3 }, 5, T0);
    breaker.record({ cart: 2 }, 5, T0 + 1_000);
    expect(breaker.isOpen('cart')).toBe(false);
    expect(changes).toEqual([]);
    breaker.record({ cart: 1 }, 5, T0 + 2_000);
    expect(breaker.isOpen('cart')).toBe(true);
    expect(breaker.status().get('cart')).toEqual({ breakerOpen: true });
    expect(changes).toEqual([['cart', true]]);
  });

  it('reports a trip once, and counts triggers apart', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 6, welcome: 5 }, 5, T0);
    breaker.record({ cart: 10 }, 5, T0 + 10);
    expect(changes).toEqual([['cart', true]]);
    expect(breaker.isOpen('welcome')).toBe(false);
    expect(breaker.status().has('welcome')).toBe(false);
  });

  it('starts a fresh window 60 s after the first count, so old activations no longer weigh', () => {
    const breaker = new Breaker();
    breaker.record({ cart: 5 }, 5, T0);
    breaker.record({ cart: 5 }, 5, T0 + 60_000);
    expect(breaker.isOpen('cart')).toBe(false);
    // Within the new window the count carries on.
    breaker.record({ cart: 1 }, 5, T0 + 119_999);
    expect(breaker.isOpen('cart')).toBe(true);
  });

  it('does not roll the window before 60 s have passed', () => {
    const breaker = new Breaker();
    breaker.record({ cart: 5 }, 5, T0);
    breaker.record({ cart: 1 }, 5, T0 + 59_999);
    expect(breaker.isOpen('cart')).toBe(true);
  });

  it('reset() closes every open breaker, reports each as closed, and forgets the counts', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 9, welcome: 9, quiet: 1 }, 5, T0);
    breaker.reset();
    expect(breaker.isOpen('cart')).toBe(false);
    expect(breaker.isOpen('welcome')).toBe(false);
    expect(breaker.status().size).toBe(0);
    expect(changes).toEqual([
      ['cart', true],
      ['welcome', true],
      ['cart', false],
      ['welcome', false],
    ]);
    // The count restarted from zero: the limit itself does not trip.
    breaker.record({ cart: 5 }, 5, T0 + 1);
    expect(breaker.isOpen('cart')).toBe(false);
  });

  it('resume() closes one open breaker, reports it, restarts its count, and leaves the others open', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 9, welcome: 9 }, 5, T0);
    expect(breaker.resume('cart')).toBe(true);
    expect(breaker.isOpen('cart')).toBe(false);
    expect(breaker.isOpen('welcome')).toBe(true);
    expect([...breaker.status().keys()]).toEqual(['welcome']);
    expect(changes).toEqual([
      ['cart', true],
      ['welcome', true],
      ['cart', false],
    ]);
    // Within the same minute, the 9 counted before the resume no longer weigh.
    breaker.record({ cart: 5 }, 5, T0 + 1);
    expect(breaker.isOpen('cart')).toBe(false);
    breaker.record({ cart: 1 }, 5, T0 + 2);
    expect(breaker.isOpen('cart')).toBe(true);
  });

  it('resume() of a closed or unknown breaker changes nothing and says so', () => {
    const changes: [string, boolean][] = [];
    const breaker = new Breaker((trigger, open) => changes.push([trigger, open]));
    breaker.record({ cart: 3 }, 5, T0);
    expect(breaker.resume('cart')).toBe(false);
    expect(breaker.resume('nobody')).toBe(false);
    expect(changes).toEqual([]);
    // The count was kept: three more in the same minute are over the limit.
    breaker.record({ cart: 3 }, 5, T0 + 1);
    expect(breaker.isOpen('cart')).toBe(true);
  });
});
