/** metrics: every engine metric declared once, on an injected prom-client registry. */
export { createMetrics, METRIC, METRIC_LABELS } from './metrics';
export type { EngineMetrics, Stage } from './metrics';
