/** http: metrics, health, readiness, the admin API and open-time rendering. */
export { createHttpServer } from './server';
export type { HttpDeps, Readiness } from './server';
