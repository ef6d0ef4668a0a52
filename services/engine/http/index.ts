/** http: metrics, health, readiness, the admin API and open-time rendering. */
export { createHttpServer, DEFAULT_DECISIONS, MAX_DECISIONS } from './server';
export type { HttpDeps, Readiness } from './server';
