import { hostname } from 'node:os';
import type { Server } from 'node:http';

import { Partitioners } from 'kafkajs';
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

import { DefinitionsHolder, textsFromView, watchCompactedTopic, watchDefinitionFolder } from '../catalog';
import type { CompactedTopicWatch, FolderWatch } from '../catalog';
import { AvroCodec, createOutputEncoder } from '../codec';
import type { EngineConfig } from '../config';
import { formatDefinitionError, readDefinitionFolder } from '../definitions';
import { fromRedisError } from '../errors';
import type { CompiledDefinitions, DefinitionTexts } from '../definitions';
import { createEmitter, sendMessages } from '../emit';
import type { Decision, Input } from '../evaluate';
import { createHttpServer } from '../http';
import { coPartitionAssigner, createIngestRecord, topicNames } from '../ingest';
import type { DlqRecord } from '../ingest';
import { Lane, PassWorkers } from '../lane';
import type { LaneOffload } from '../lane';
import { createMetrics } from '../metrics';
import { renderSigner, resolveRender, verifyRenderToken } from '../render';
import { RedisStateStore, USER_STATE_CODEC } from '../state';
import type { UserState } from '../state';
import { Breaker, definitionPrints, redeployed } from './breaker';
import type { DefinitionPrints } from './breaker';
import { KafkaHealth } from './kafka-health';
import { OffsetCommitter } from './commits';
import { ensureTopics } from './topics';
import { TimerPoller } from '../timers';

export interface EngineDeps {
  config: EngineConfig;
  /** Constructed by main.ts (or a test): the engine never builds its own clients. */
  kafka: Kafka;
  redis: ConstructorParameters<typeof RedisStateStore>[0]['client'];
  logger: Logger;
  registry: Registry;
  clock?: () => number;
  /** Port for HTTP; default config.http.port; null = no HTTP server (some tests). */
  httpPort?: number | null;
}

export interface RunningEngine {
  /** The HTTP port actually bound (null without HTTP). */
  httpPort: number | null;
  definitions: DefinitionsHolder;
  /** Partition numbers this instance owns now (its lanes). */
  ownedPartitions(): number[];
  ready(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts the streaming engine (DESIGN.md "The flow"): loads definitions, joins the consumer group with
 * the co-partitioning assigner, runs one lane per owned partition (inputs and due timers), emits, records,
 * commits; serves HTTP. `stop()` is the graceful shutdown: stop fetching, finish in-flight batches,
 * commit, leave the group.
 */
export async function startEngine(deps: EngineDeps): Promise<RunningEngine> {
  const { config, kafka, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const log = logger.child({ module: 'engine' });
  const metrics = createMetrics(deps.registry);
  const topics = topicNames(config.topicPrefix);
  const codec = AvroCodec.load();
  const encoder = createOutputEncoder(codec, config.outputEncoding);
  const ingest = createIngestRecord({ codec, topics });
  const store = new RedisStateStore<UserState, Decision>({
    client: deps.redis,
    keyPrefix: config.redis.keyPrefix,
    decisionsKept: config.tuning.decisionsKeptPerUser,
    codec: USER_STATE_CODEC,
    // The poller is built further down; nothing is applied before the consumer runs.
    onTimersArmed: (partition, dueAt) => timers.armed(partition, dueAt),
  });
  const workers =
    config.tuning.workerThreads > 0
      ? new PassWorkers(
          config.tuning.workerThreads,
          {
            topicPrefix: config.topicPrefix,
            outputEncoding: config.outputEncoding,
            renderSecret: config.http.renderSecret,
            renderTokenTtlMs: config.http.renderTokenTtlMs,
            keyPrefix: config.redis.keyPrefix,
            cluster: store.cluster,
          },
          log,
        )
      : null;
  let reportedRoundTrips = 0;
  const reportRoundTrips = () => {
    metrics.redisRoundTrips(store.roundTrips - reportedRoundTrips);
    reportedRoundTrips = store.roundTrips;
  };

  // Definitions: a refused set keeps the previous one in force; a new set closes the breakers it redeploys.
  const holder = new DefinitionsHolder();
  const breaker = new Breaker((trigger, open) => {
    metrics.breaker(trigger, open);
    log.warn({ trigger, open }, open ? 'breaker opened: trigger paused' : 'breaker closed');
  });
  let prints: DefinitionPrints | null = null;
  const applyTexts = (texts: DefinitionTexts, origin: string) => {
    const result = holder.update(texts);
    if (!result.ok) {
      log.error(
        { origin, errors: result.errors.map(formatDefinitionError) },
        'definitions refused; previous set stays in force',
      );
      return;
    }
    workers?.setDefinitions(result.generation, texts);
    const next = definitionPrints(holder.current() as CompiledDefinitions);
    redeployed(breaker, prints, next);
    prints = next;
    // Publish every step's SLA at load, so dashboards draw the SLA line before the first emission.
    for (const plan of holder.current()?.plans ?? []) {
      for (const step of plan.steps)
        if (step.kind === 'action') metrics.slaTarget(plan.id, step.action.channel, step.slaMs);
    }
    log.info({ origin, triggers: result.triggers, generation: result.generation }, 'definitions loaded');
  };
  let folderWatch: FolderWatch | null = null;
  let topicWatch: CompactedTopicWatch | null = null;
  if (config.triggers.source === 'dir') {
    const dir = config.triggers.dir;
    applyTexts(await readDefinitionFolder(dir), dir);
    folderWatch = watchDefinitionFolder(
      dir,
      (texts) => applyTexts(texts, dir),
      (err) => log.error({ err }, 'definitions folder unreadable'),
    );
  } else {
    topicWatch = await watchCompactedTopic({
      kafka,
      topic: config.triggers.topic,
      groupId: `${config.kafka.groupId}.definitions.${hostname()}.${process.pid}.${clock()}`,
      onChange: (view) =>
        applyTexts(textsFromView(view), config.triggers.source === 'topic' ? config.triggers.topic : ''),
    });
    await topicWatch.caughtUp;
  }

  // Topics: every input topic must have the same partition count (one user, one lane).
  const admin: Admin = kafka.admin();
  await admin.connect();
  const partitionCount = await ensureTopics(admin, topics, log);
  await admin.disconnect();

  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const renderSecret = config.http.renderSecret;
  const emit = createEmitter({
    producer,
    encoder,
    topics,
    clock,
    sign: renderSigner(renderSecret, clock, config.http.renderTokenTtlMs),
  });

  const offload: LaneOffload | undefined = workers
    ? {
        loadRaw: (userIds) => store.loadRaw(userIds),
        compute: (request) => workers.run(request),
        send: (topicMessages) => sendMessages(producer, topicMessages),
        applyEncoded: (encoded) => store.applyEncoded(encoded),
        generation: () => holder.generation,
      }
    : undefined;
  const lanes = new Map<number, Lane>();
  const laneFor = (partition: number): Lane => {
    let lane = lanes.get(partition);
    if (!lane) {
      lane = new Lane({
        partition,
        store,
        definitions: () => holder.current(),
        triggerStatus: () => breaker.status(),
        emit,
        clock,
        stateTtlMs: config.tuning.stateTtlMs,
        maxInputs: config.tuning.batchMaxRecords,
        offload,
        metrics,
        logger: log,
        onActivationCounts: (counts) =>
          breaker.record(
            counts,
            holder.current()?.policies.breakerMaxActivationsPerMinute ?? Infinity,
            clock(),
          ),
      });
      lanes.set(partition, lane);
    }
    return lane;
  };

  let redisUp = true;
  const heartbeatIntervalMs = Math.min(3000, Math.floor(config.kafka.sessionTimeoutMs / 10));
  // Silent for three heartbeat intervals: the broker is gone even if kafkajs is still retrying.
  const kafkaHealth = new KafkaHealth(3 * heartbeatIntervalMs);
  producer.on(producer.events.REQUEST, () => kafkaHealth.answered());
  const consumer: Consumer = kafka.consumer({
    groupId: config.kafka.groupId,
    partitionAssigners: [coPartitionAssigner],
    sessionTimeout: config.kafka.sessionTimeoutMs,
    heartbeatInterval: heartbeatIntervalMs,
    // How long the broker may hold a fetch that finds nothing: it answers as soon as records arrive, so
    // this costs no latency. At 100 ms an idle engine took 51-63 ms of CPU per second and the dev broker
    // 22-27; at 500, 29-44 and 7-10 (scripts/idle-cost.ts). kafkajs heartbeats between fetches, so never
    // longer than the heartbeat interval.
    maxWaitTimeInMs: Math.min(500, heartbeatIntervalMs),
    allowAutoTopicCreation: false,
  });
  const timers = new TimerPoller({
    store,
    intervalMs: config.tuning.timerPollIntervalMs,
    maxWaitMs: config.tuning.timerPollMaxMs,
    batchMax: config.tuning.timerBatchMax,
    clock,
    onDue: async (partition, due) => {
      await laneFor(partition).process(due.map((timer): Input => ({ kind: 'timer', timer })));
      reportRoundTrips();
    },
    onPending: (partition, n) => metrics.timersPending(partition, n),
    onError: (err) => {
      // A timer pass can also fail on Kafka (its send) or share a failed coalesced pass: only a Redis
      // error says Redis is down.
      if (fromRedisError(err).code === 'redis_unavailable') redisUp = false;
      log.error({ err }, 'timer poll failed');
    },
    onSuccess: () => (redisUp = true),
  });
  let owned = new Set<number>();
  consumer.on(consumer.events.REQUEST, () => kafkaHealth.answered());
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    kafkaHealth.joinedGroup();
    owned = new Set<number>();
    for (const partitions of Object.values(payload.memberAssignment))
      for (const p of partitions) owned.add(p);
    timers.setPartitions([...owned]);
    log.info({ partitions: [...owned].sort((a, b) => a - b), partitionCount }, 'joined group');
  });
  consumer.on(consumer.events.REBALANCING, () => {
    owned = new Set();
    timers.setPartitions([]);
    // Best effort (the group may refuse it mid-rebalance): what was processed need not be redone.
    void commits.flush((err) => log.debug({ err }, 'offset commit during rebalance refused'));
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    kafkaHealth.crashed();
    log.error({ err: payload.error }, 'consumer crashed');
  });

  // The first failure in a row is a warning; the rest (e.g. the old member's offsets refused every second
  // after a consumer restart, until the next batch) are debug noise.
  const commits = new OffsetCommitter(config.tuning.commitIntervalMs, (err, inARow) =>
    log[inARow === 1 ? 'warn' : 'debug'](
      { err, inARow },
      'offset commit failed; the next one carries the same offsets',
    ),
  );
  // Set by stop(): from then on every batch commits as it ends, before kafkajs leaves the group.
  let stopping = false;
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics.inputs], fromBeginning: true });
  await consumer.run({
    // Commits are ours (OffsetCommitter): kafkajs' auto-commit sends one per batch.
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: Math.max(1, partitionCount * topics.inputs.length),
    eachBatch: async ({
      batch,
      resolveOffset,
      commitOffsetsIfNecessary,
      isRunning,
      isStale,
      uncommittedOffsets,
    }: EachBatchPayload) => {
      commits.bind(uncommittedOffsets, commitOffsetsIfNecessary);
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      // At most batchMaxRecords per lane batch: bounds the outputs of one send and the work redone after
      // a failure; offsets are resolved chunk by chunk, each only after its batch is emitted and recorded.
      const max = config.tuning.batchMaxRecords;
      for (let from = 0; from < batch.messages.length; from += max) {
        if (!isRunning() || isStale()) break; // the chunks done so far are still committed below
        const chunk = batch.messages.slice(from, from + max);
        const started = process.hrtime.bigint();
        const inputs: Input[] = [];
        const dlq: DlqRecord[] = [];
        // The broker's append time of each event, for the engine's part of the latency of what it signals.
        const appendedAt = new Map<string, number>();
        for (const m of chunk) {
          const result = ingest({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key,
            value: m.value,
          });
          if (result.ok) {
            inputs.push(result.input);
            if (result.input.kind === 'event') {
              metrics.ingestLag(batch.topic, (Number(m.timestamp) - result.input.event.occurredAt) / 1000);
              // A redelivered copy later in the chunk is not when the event reached the broker.
              if (!appendedAt.has(result.input.event.eventId))
                appendedAt.set(result.input.event.eventId, Number(m.timestamp));
            }
          } else {
            dlq.push(result.dlq);
            metrics.invalid(batch.topic, result.reason);
          }
        }
        metrics.consumed(batch.topic, chunk.length);
        metrics.stage('decode', Number(process.hrtime.bigint() - started) / 1e9);
        try {
          const outcome = await laneFor(batch.partition).process(inputs, dlq);
          redisUp = true;
          // A pass's outcome is shared by the batches it coalesced: each observes the activations whose
          // signal (their last signal event: the one that completed it) it brought, once per activation id
          // (a user re-evaluated after a write conflict is emitted again under the same id).
          const observed = new Set<string>();
          for (const a of outcome.activations) {
            const at = appendedAt.get(a.signalEventIds.at(-1) ?? '');
            if (at === undefined || observed.has(a.activationId)) continue;
            observed.add(a.activationId);
            metrics.engineTime(a.triggerId, a.channel, (a.emittedAt - at) / 1000);
          }
        } catch (err) {
          if (fromRedisError(err).code === 'redis_unavailable') redisUp = false;
          log.error(
            { err, topic: batch.topic, partition: batch.partition },
            'batch failed; offsets not committed',
          );
          throw err;
        } finally {
          reportRoundTrips();
        }
        resolveOffset((chunk[chunk.length - 1] as { offset: string }).offset);
      }
      metrics.consumerLag(batch.topic, batch.partition, Number(batch.offsetLag()));
      // A stopping consumer commits now: kafkajs waits for this batch before it leaves the group.
      await commits.afterBatch(stopping || !isRunning());
    },
  });
  timers.start();

  const triggerRows = () =>
    (holder.current()?.plans ?? []).map((p) => ({
      id: p.id,
      version: p.version,
      mode: p.mode,
      state: breaker.isOpen(p.id) ? 'breaker_open' : p.mode === 'paused' ? 'paused' : 'active',
    }));
  // Redis is up when the client says so and the last poll or batch reached it.
  const redisReady = () => deps.redis.status === 'ready' && redisUp;
  const readiness = () => ({
    kafka: kafkaHealth.up(),
    redis: redisReady(),
    triggers: holder.current() !== null,
    workers: workers?.healthy() ?? true,
  });
  const ready = () => Object.values(readiness()).every(Boolean);
  let server: Server | null = null;
  let httpPort: number | null = null;
  const port = deps.httpPort === undefined ? config.http.port : deps.httpPort;
  if (port !== null) {
    server = createHttpServer({
      registry: deps.registry,
      readiness,
      triggers: triggerRows,
      recentDecisions: (userId, limit) => store.recentDecisions(userId, limit),
      verifyRender: (token) => verifyRenderToken(renderSecret, token, clock()),
      render: async (claims) => {
        const defs = holder.current();
        if (!defs) return null;
        const state = (await store.load([claims.userId])).get(claims.userId);
        return resolveRender(defs.index, claims, state, clock());
      },
      resumeTrigger: (id) => {
        const row = () => triggerRows().find((r) => r.id === id);
        if (!row()) return null;
        const resumed = breaker.resume(id);
        if (resumed) log.warn({ trigger: id }, 'circuit breaker closed by an operator (resume)');
        return { resumed, state: row()?.state ?? 'active' };
      },
      adminToken: config.http.adminToken,
      onError: (err) => log.error({ err }, 'http request failed'),
    });
    await new Promise<void>((resolve) => server!.listen(port, '0.0.0.0', resolve));
    const address = server.address();
    httpPort = typeof address === 'object' && address ? address.port : port;
    log.info({ port: httpPort }, 'http listening');
  }
  const readyTimer = setInterval(
    () => {
      metrics.ready(ready());
      // An idle consumer still commits what its last batches processed.
      void commits.flush();
    },
    Math.min(1000, Math.max(100, config.tuning.commitIntervalMs)),
  );
  readyTimer.unref();

  return {
    httpPort,
    definitions: holder,
    ownedPartitions: () => [...owned].sort((x, y) => x - y),
    ready,
    stop: async () => {
      clearInterval(readyTimer);
      folderWatch?.stop();
      await timers.stop();
      // What was processed since the last periodic commit; batches still in flight commit as they end.
      stopping = true;
      await commits.flush();
      await consumer.disconnect(); // waits for in-flight batches, then leaves the group
      await Promise.all([...lanes.values()].map((l) => l.drain()));
      await producer.disconnect();
      await workers?.close();
      await topicWatch?.stop();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      log.info('engine stopped');
    },
  };
}
