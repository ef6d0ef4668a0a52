// Measures how late due timers fire on an idle engine (issue 4: within 100 ms of due): arms 20 absent
// timers (the e2e fixture trigger cart-nudge, 3 s) through the real broker and Redis, and prints
// emittedAt - dueAt of each resulting activation. `npx tsx scripts/timer-punctuality.ts`
import { event, grant, startStack } from '../test/e2e/harness';

async function main(): Promise<void> {
  const stack = await startStack();
  try {
    await stack.collect();
    await stack.engine();
    const users = Array.from({ length: 20 }, (_, i) => `punct-${i}`);
    await stack.produce(
      stack.topics.consent,
      users.map((u) => grant(u, 'push')),
    );
    await stack.waitForState(users);
    for (const u of users) {
      await stack.produce(stack.topics.events.mobile, [
        event(u, 'mobile', 'add_to_cart', { productId: 'p' }),
      ]);
      await new Promise((r) => setTimeout(r, 137)); // spread the due times across poll intervals
    }
    await stack.waitFor('every timer', () => stack.activations('cart-nudge').length === users.length, 30_000);
    const late = stack
      .activations('cart-nudge')
      .map((a) => Number(a.value?.emittedAt) - Number(a.value?.dueAt))
      .sort((a, b) => a - b);
    process.stdout.write(
      `timer lateness ms (n=${late.length}): min ${late[0]} median ${late[late.length >> 1]} max ${late[late.length - 1]}\n`,
    );
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
