import { Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import type { Registry } from 'prom-client';

/** Metric names (DESIGN.md "Metrics"), exported so dashboards and alert tests check against them. */
export const METRIC = {
  eventsConsumed: 'trigger_events_consumed_total',
  eventsInvalid: 'trigger_events_invalid_total',
  decisions: 'trigger_decisions_total',
  activations: 'trigger_activations_total',
  signalToActivation: 'trigger_signal_to_activation_seconds',
  slaBreaches: 'trigger_sla_breaches_total',
  slaTarget: 'trigger_sla_seconds',
  ingestLag: 'trigger_ingest_lag_seconds',
  engineTime: 'trigger_engine_time_seconds',
  engineStage: 'trigger_engine_seconds',
  consumerLag: 'trigger_consumer_lag_messages',
  timersPending: 'trigger_timers_pending',
  conversions: 'trigger_conversions_total',
  breakerOpen: 'trigger_breaker_open',
  ready: 'trigger_ready',
  redisRoundTrips: 'trigger_redis_roundtrips_total',
} as const;

/**
 * The label names of each metric, the only ones it can carry. None identifies a user (DESIGN.md: no user
 * ids in labels): a per-user label would grow Prometheus series without bound. Rejected records counted
 * in trigger_events_invalid_total are exactly those written to events.dlq, so there is no separate DLQ
 * counter: its `reason` label is the DLQ `error` header prefix (ingest/reasons.ts).
 */
export const METRIC_LABELS = {
  [METRIC.eventsConsumed]: ['topic'],
  [METRIC.eventsInvalid]: ['topic', 'reason'],
  [METRIC.decisions]: ['trigger', 'outcome', 'reason'],
  [METRIC.activations]: ['trigger', 'channel'],
  [METRIC.signalToActivation]: ['trigger', 'channel'],
  [METRIC.slaBreaches]: ['trigger', 'channel'],
  [METRIC.slaTarget]: ['trigger', 'channel'],
  [METRIC.ingestLag]: ['topic'],
  [METRIC.engineTime]: ['trigger', 'channel'],
  [METRIC.engineStage]: ['stage'],
  [METRIC.consumerLag]: ['topic', 'partition'],
  [METRIC.timersPending]: ['partition'],
  [METRIC.conversions]: ['trigger', 'group'],
  [METRIC.breakerOpen]: ['trigger'],
  [METRIC.ready]: [],
  [METRIC.redisRoundTrips]: [],
} as const satisfies Record<(typeof METRIC)[keyof typeof METRIC], readonly string[]>;

/**
 * Engine pipeline stages timed by trigger_engine_seconds. `handoff`: with a worker thread, a pass's
 * time spent copying to and from the thread and waiting for it (its computing is `evaluate`).
 */
export type Stage = 'decode' | 'load' | 'evaluate' | 'handoff' | 'emit' | 'apply';

// Latency buckets from 5 ms to 15 min: sub-second web SLAs and 15-minute paid SLAs on one histogram.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
const STAGE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * Every engine metric, registered once on the given registry (no global registry). Labels never carry a
 * user id: label values are topic, trigger id, channel, outcome, reason, stage, partition, group.
 */
export function createMetrics(registry: Registry, opts: { defaultMetrics?: boolean } = {}) {
  const registers = [registry];
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const consumed = new Counter({
    name: METRIC.eventsConsumed,
    help: 'Input records consumed',
    labelNames: METRIC_LABELS[METRIC.eventsConsumed],
    registers,
  });
  const invalid = new Counter({
    name: METRIC.eventsInvalid,
    help: 'Input records sent to the DLQ, by reason',
    labelNames: METRIC_LABELS[METRIC.eventsInvalid],
    registers,
  });
  const decisions = new Counter({
    name: METRIC.decisions,
    help: 'Decisions recorded, by trigger, outcome and reason',
    labelNames: METRIC_LABELS[METRIC.decisions],
    registers,
  });
  const activations = new Counter({
    name: METRIC.activations,
    help: 'Activations emitted',
    labelNames: METRIC_LABELS[METRIC.activations],
    registers,
  });
  const signalToActivation = new Histogram({
    name: METRIC.signalToActivation,
    help: 'emittedAt - dueAt of each activation, seconds',
    labelNames: METRIC_LABELS[METRIC.signalToActivation],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const engineTime = new Histogram({
    name: METRIC.engineTime,
    help: "emittedAt - the Kafka timestamp of the signal event's record (the broker's append time on LogAppendTime topics, else the producer's), seconds; activations whose signal event was consumed in the pass that emitted them",
    labelNames: METRIC_LABELS[METRIC.engineTime],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const breaches = new Counter({
    name: METRIC.slaBreaches,
    help: 'Activations emitted later than their SLA after dueAt',
    labelNames: METRIC_LABELS[METRIC.slaBreaches],
    registers,
  });
  const slaTarget = new Gauge({
    name: METRIC.slaTarget,
    help: 'The SLA each trigger and channel is held to, seconds (for dashboards and alerts)',
    labelNames: METRIC_LABELS[METRIC.slaTarget],
    registers,
  });
  const ingestLag = new Histogram({
    name: METRIC.ingestLag,
    help: 'Broker append time - occurredAt of consumed events, seconds (upstream lag)',
    labelNames: METRIC_LABELS[METRIC.ingestLag],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const stages = new Histogram({
    name: METRIC.engineStage,
    help: 'Time per lane batch in each engine stage, seconds',
    labelNames: METRIC_LABELS[METRIC.engineStage],
    buckets: STAGE_BUCKETS,
    registers,
  });
  const consumerLag = new Gauge({
    name: METRIC.consumerLag,
    help: 'High watermark - next offset, per input partition',
    labelNames: METRIC_LABELS[METRIC.consumerLag],
    registers,
  });
  const timersPending = new Gauge({
    name: METRIC.timersPending,
    help: 'Armed timers in the due index of each owned partition',
    labelNames: METRIC_LABELS[METRIC.timersPending],
    registers,
  });
  const conversions = new Counter({
    name: METRIC.conversions,
    help: 'Goal conversions attributed to a trigger, by group (treatment, holdout)',
    labelNames: METRIC_LABELS[METRIC.conversions],
    registers,
  });
  const breakerOpen = new Gauge({
    name: METRIC.breakerOpen,
    help: '1 while the trigger is paused by its circuit breaker',
    labelNames: METRIC_LABELS[METRIC.breakerOpen],
    registers,
  });
  const ready = new Gauge({
    name: METRIC.ready,
    help: '1 when Kafka, Redis and triggers are ready',
    registers,
  });
  const redisRoundTrips = new Counter({
    name: METRIC.redisRoundTrips,
    help: 'Redis round trips (pipelines)',
    registers,
  });

  return {
    consumed: (topic: string, n = 1) => consumed.inc({ topic }, n),
    invalid: (topic: string, reason: string) => invalid.inc({ topic, reason }),
    decision: (trigger: string, outcome: string, reason: string | null) =>
      decisions.inc({ trigger, outcome, reason: reason ?? '' }),
    /**
     * Counts one emission, observes emittedAt - dueAt (ms in, seconds observed, clamped at 0), sets the
     * SLA gauge, and counts a breach when strictly over the SLA: exactly `slaMs` late is on time.
     */
    emission(a: { trigger: string; channel: string; dueAt: number; emittedAt: number; slaMs: number }) {
      const labels = { trigger: a.trigger, channel: a.channel };
      activations.inc(labels);
      const latencyMs = Math.max(0, a.emittedAt - a.dueAt);
      signalToActivation.observe(labels, latencyMs / 1000);
      slaTarget.set(labels, a.slaMs / 1000);
      if (latencyMs > a.slaMs) breaches.inc(labels);
    },
    /** Sets the SLA a trigger's channel is held to (e.g. at deploy), before its first emission. */
    slaTarget: (trigger: string, channel: string, slaMs: number) =>
      slaTarget.set({ trigger, channel }, slaMs / 1000),
    ingestLag: (topic: string, seconds: number) => ingestLag.observe({ topic }, Math.max(0, seconds)),
    /** The engine's part of an activation's latency (spec "Latency SLA"): from the broker to the emission. */
    engineTime: (trigger: string, channel: string, seconds: number) =>
      engineTime.observe({ trigger, channel }, Math.max(0, seconds)),
    stage: (stage: Stage, seconds: number) => stages.observe({ stage }, seconds),
    consumerLag: (topic: string, partition: number, messages: number) =>
      consumerLag.set({ topic, partition: String(partition) }, messages),
    timersPending: (partition: number, n: number) => timersPending.set({ partition: String(partition) }, n),
    conversion: (trigger: string, group: 'treatment' | 'holdout') => conversions.inc({ trigger, group }),
    breaker: (trigger: string, open: boolean) => breakerOpen.set({ trigger }, open ? 1 : 0),
    ready: (isReady: boolean) => ready.set(isReady ? 1 : 0),
    redisRoundTrips: (n: number) => redisRoundTrips.inc(n),
  };
}

export type EngineMetrics = ReturnType<typeof createMetrics>;
