import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

import { Kafka, logLevel } from 'kafkajs';

import { startTestBroker } from '../../support/broker';
import type { TestBroker } from '../../support/broker';
import { until } from './helpers';

// devbroker.md §10 kcat 6: librdkafka's balanced consumer (kcat -G) against the coordinator.
jest.setTimeout(90_000);

const KCAT = '/usr/bin/kcat';
/** How long to wait for kcat members' assignments (librdkafka joins slower than kafkajs). */
const KCAT_WAIT_MS = 30_000;
const run = `${process.pid}-${Date.now()}`;

let broker: TestBroker;
let kafka: Kafka;

beforeAll(async () => {
  broker = await startTestBroker();
  kafka = new Kafka({ clientId: 'kcat-group-test', brokers: [broker.address], logLevel: logLevel.NOTHING });
});
afterAll(async () => {
  await broker?.stop();
});

async function createTopic(topic: string, partitions: number, messages: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  await admin.disconnect();
  if (messages === 0) return;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: messages }, (_, i) => ({ value: `k${i}` })) });
  await producer.disconnect();
}

/** Runs kcat to completion; resolves with its exit code and output. */
function kcat(
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(KCAT, ['-b', broker.address, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`kcat ${args.join(' ')} did not exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running `kcat -G ... -v`; `assigned` holds the partitions of its latest "assigned:" line. */
function groupMember(
  groupId: string,
  topic: string,
): { proc: ChildProcess; assigned: () => number[] | null } {
  const proc = spawn(
    KCAT,
    ['-b', broker.address, '-G', groupId, topic, '-v', '-X', 'heartbeat.interval.ms=500', '-f', '%s\n'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    proc,
    assigned: () => {
      const lines = stderr.split('\n').filter((l) => /(assigned|revoked):/.test(l));
      const last = lines.at(-1);
      if (last === undefined || !last.includes('assigned:')) return null;
      return [...last.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])).sort();
    },
  };
}

function stop(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    const kill = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    proc.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    proc.kill('SIGTERM');
  });
}

describe('kcat -G against the dev broker', () => {
  it('consumes everything, commits on exit, and a second run prints nothing', async () => {
    const topic = `kcat-g1-${run}`;
    const groupId = `g1-${run}`;
    await createTopic(topic, 3, 12);
    // Never -o with -G: it would override the committed offsets.
    const args = ['-G', groupId, topic, '-e', '-X', 'auto.offset.reset=earliest', '-f', '%s\n'];
    const first = await kcat(args);
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n').sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `k${i}`).sort(),
    );
    const second = await kcat(args);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('');
  });

  it('two concurrent members get disjoint assignments covering all 4 partitions', async () => {
    const topic = `kcat-g2-${run}`;
    const groupId = `g2-${run}`;
    await createTopic(topic, 4, 0);
    const a = groupMember(groupId, topic);
    let b: ReturnType<typeof groupMember> | null = null;
    try {
      await until('the first member to own all 4', () => a.assigned()?.length === 4, KCAT_WAIT_MS);
      b = groupMember(groupId, topic);
      const second = b;
      await until(
        'both members assigned, disjoint and covering',
        () => {
          const pa = a.assigned();
          const pb = second.assigned();
          return pa !== null && pb !== null && pa.length > 0 && pb.length > 0 && pa.length + pb.length === 4;
        },
        KCAT_WAIT_MS,
      );
      const pa = a.assigned() ?? [];
      const pb = second.assigned() ?? [];
      expect(pa.filter((p) => pb.includes(p))).toEqual([]);
      expect([...pa, ...pb].sort()).toEqual([0, 1, 2, 3]);
    } finally {
      const codes = await Promise.all([stop(a.proc), ...(b ? [stop(b.proc)] : [])]);
      expect(codes.every((c) => c === 0)).toBe(true);
    }
  });
});
