import type { Scheduler } from '../../../../services/devbroker/groups';

/** A manual clock for the coordinator: timers fire only when a test advances time. */
export class FakeScheduler implements Scheduler {
  now = 0;
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];
  private seq = 0;

  schedule(ms: number, fn: () => void): () => void {
    const t = { at: this.now + ms, seq: this.seq++, fn, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
    };
  }

  /** Moves time forward, firing due timers in time order (timers they arm fire too if due). */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = this.timers
        .filter((t) => t.live && t.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      due.live = false;
      this.now = due.at;
      due.fn();
    }
    this.now = end;
    this.timers = this.timers.filter((t) => t.live);
  }

  /** Live timers (to check none leak). */
  pending(): number {
    return this.timers.filter((t) => t.live).length;
  }
}
