import { Kafka, logLevel } from 'kafkajs';
import type { logCreator } from 'kafkajs';
import Redis, { Cluster } from 'ioredis';
import { Registry } from 'prom-client';

import { describeConfig, loadConfig } from './config';
import type { EngineConfig, RedisConfig } from './config';
import { ConfigError } from './errors';
import { createLogger, moduleLogger } from './log';
import type { Logger } from './log';
import { startEngine } from './runtime';

/** Routes kafkajs' own logs into pino (warn and above), one child logger. */
function kafkaLogCreator(logger: Logger): logCreator {
  const log = moduleLogger(logger, 'kafkajs');
  return () =>
    ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      if (level === logLevel.ERROR) log.error(rest, message);
      else if (level === logLevel.WARN) log.warn(rest, message);
    };
}

/** The only place Redis clients are constructed: a Cluster when REDIS_URL lists several nodes. */
export function createRedis(r: RedisConfig): Redis | Cluster {
  const common = {
    username: r.username ?? undefined,
    password: r.password ?? undefined,
    tls: r.tls ? {} : undefined,
    maxRetriesPerRequest: 3,
  };
  if (r.mode === 'cluster') return new Cluster([...r.nodes], { redisOptions: common });
  const node = r.nodes[0] ?? { host: '127.0.0.1', port: 6379 };
  return new Redis({ ...common, host: node.host, port: node.port, db: r.db });
}

/** The only place the Kafka client is constructed. */
export function createKafka(config: EngineConfig, logger: Logger): Kafka {
  return new Kafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(logger),
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 10_000 },
  });
}

/** Entry point of `npx trigger-engine`: configuration from the environment, stops on SIGTERM/SIGINT. */
export async function main(_argv: string[]): Promise<number> {
  let config: EngineConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`trigger-engine: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  logger.info({ config: describeConfig(config) }, 'starting');
  const redis = createRedis(config.redis);
  const engine = await startEngine({
    config,
    kafka: createKafka(config, logger),
    redis,
    logger,
    registry: new Registry(),
  });
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info('shutting down');
  const force = setTimeout(() => {
    logger.error('graceful shutdown timed out');
    process.exit(1);
  }, config.tuning.shutdownTimeoutMs);
  force.unref();
  await engine.stop();
  await redis.quit();
  return 0;
}
