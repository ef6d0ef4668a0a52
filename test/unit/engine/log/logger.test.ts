import { REDACTED, createLogger, moduleLogger } from '../../../../services/engine/log';
import type { LogLevel } from '../../../../services/engine/config';

function capture(level: LogLevel): {
  lines: Record<string, unknown>[];
  logger: ReturnType<typeof createLogger>;
} {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level, destination: { write: (s: string) => lines.push(JSON.parse(s)) } });
  return { lines, logger };
}

describe('createLogger', () => {
  it('writes JSON lines with level, time, name and the facts as fields', () => {
    const { lines, logger } = capture('info');
    logger.info({ topic: 'events.web', count: 3 }, 'batch decoded');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      name: 'trigger-engine',
      topic: 'events.web',
      count: 3,
      msg: 'batch decoded',
    });
    expect(typeof lines[0]?.time).toBe('string');
  });

  it('honours the level', () => {
    const { lines, logger } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });

  it('redacts user ids above debug, top level and one level down', () => {
    const { lines, logger } = capture('trace');
    logger.info({ userId: 'u-1', input: { userId: 'u-2', type: 'page_view' }, userIds: ['u-3'] }, 'rejected');
    logger.error({ user: 'u-4' }, 'failed');
    expect(lines[0]).toMatchObject({
      userId: REDACTED,
      input: { userId: REDACTED, type: 'page_view' },
      userIds: REDACTED,
    });
    expect(lines[1]).toMatchObject({ user: REDACTED });
    expect(JSON.stringify(lines)).not.toMatch(/u-[1-4]/);
  });

  it('keeps user ids at debug and trace', () => {
    const { lines, logger } = capture('trace');
    logger.debug({ userId: 'u-1' }, 'loaded');
    logger.trace({ input: { userId: 'u-2' } }, 'evaluated');
    expect(lines[0]).toMatchObject({ userId: 'u-1' });
    expect(lines[1]).toMatchObject({ input: { userId: 'u-2' } });
  });

  it('does not mutate the caller object', () => {
    const { logger } = capture('info');
    const fields = { userId: 'u-1' };
    logger.info(fields, 'x');
    expect(fields.userId).toBe('u-1');
  });

  it('redacts secrets at every level', () => {
    const { lines, logger } = capture('debug');
    logger.debug(
      { renderSecret: 's3cr3t', http: { adminToken: 't0k3n' }, headers: { authorization: 'Bearer x' } },
      'cfg',
    );
    expect(JSON.stringify(lines)).not.toMatch(/s3cr3t|t0k3n|Bearer/);
  });

  it('logs errors with their message and stack', () => {
    const { lines, logger } = capture('info');
    logger.error({ err: new Error('boom') }, 'batch failed');
    expect(lines[0]).toMatchObject({ err: { message: 'boom', type: 'Error' } });
  });
});

describe('moduleLogger', () => {
  it('binds the module name on every line', () => {
    const { lines, logger } = capture('info');
    const log = moduleLogger(logger, 'ingest');
    log.info({ userId: 'u-9' }, 'dlq');
    expect(lines[0]).toMatchObject({ module: 'ingest', userId: REDACTED, msg: 'dlq' });
  });
});
