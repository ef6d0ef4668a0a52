import { KafkaHealth } from '../../../../services/engine/runtime/kafka-health';

describe('KafkaHealth', () => {
  let now = 0;
  const health = () => new KafkaHealth(1_800, () => now);

  beforeEach(() => {
    now = 10_000;
  });

  it('is down until the consumer joins the group', () => {
    const h = health();
    h.answered();
    expect(h.up()).toBe(false);
    h.joinedGroup();
    expect(h.up()).toBe(true);
  });

  it('goes down when no broker answered for longer than the silence limit, and up on the next answer', () => {
    const h = health();
    h.joinedGroup();
    now += 1_800;
    expect(h.up()).toBe(true);
    now += 1;
    expect(h.up()).toBe(false);
    h.answered();
    expect(h.up()).toBe(true);
  });

  it('stays down after a crash, whatever answers, until the consumer joins again', () => {
    const h = health();
    h.joinedGroup();
    h.crashed();
    h.answered();
    expect(h.up()).toBe(false);
    h.joinedGroup();
    expect(h.up()).toBe(true);
  });
});
