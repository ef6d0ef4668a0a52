import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

import pino from 'pino';
import type { Logger } from 'pino';

import { apiVersionsTooNew, buildRegistry } from './apis';
import type { ApiHandler, BrokerContext, BrokerSettings } from './apis';
import { GroupCoordinator } from './groups';
import { TopicStore } from './log';
import { Reader, TruncatedError } from './protocol';

/** Kafka's socket.request.max.bytes: a bigger frame closes the connection. */
export const MAX_FRAME_BYTES = 100 * 1024 * 1024;

export interface BrokerOptions {
  /** 0 (default) binds an ephemeral port; the bound one is advertised. */
  port?: number;
  /** Bind and advertise this address (default 127.0.0.1, never `localhost`: clients may resolve it to ::1). */
  host?: string;
  /** Keep logs and committed offsets here across restarts; in memory only when absent. */
  dataDir?: string;
  /** Partitions of auto-created topics (default 3). */
  partitions?: number;
  /** Kafka's auto.create.topics.enable (default true). */
  autoCreateTopics?: boolean;
  /**
   * Answer the Metadata call that auto-creates a topic with its partitions at once. Default false: that
   * call gets LEADER_NOT_AVAILABLE (5), as Kafka answers, and clients retry (devbroker.md §4).
   */
  autoCreateReady?: boolean;
  /** Caps the advertised max version per API key, to simulate an older broker. */
  maxVersions?: Readonly<Record<number, number>>;
  logger?: Logger;
  /** Called for each request (api key, version, client id): lets tests assert what was negotiated. */
  onRequest?: (apiKey: number, version: number, clientId: string) => void;
}

export interface RunningBroker {
  host: string;
  port: number;
  /** `host:port`, for a client's `brokers` list. */
  address: string;
  stop(): Promise<void>;
}

/** Starts a single-node broker speaking the Kafka wire protocol (devbroker.md). */
export async function startBroker(opts: BrokerOptions = {}): Promise<RunningBroker> {
  const log = opts.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2));
  const host = opts.host ?? '127.0.0.1';
  const topics = new TopicStore(opts.dataDir ?? null);
  const groups = new GroupCoordinator({
    dataDir: opts.dataDir ?? null,
    partitionExists: (t, p) => topics.partition(t, p) !== undefined,
    log,
  });
  let signalStop!: () => void;
  const stopping = new Promise<void>((resolve) => (signalStop = resolve));
  const settings: BrokerSettings = {
    nodeId: 1,
    clusterId: 'devbroker-cluster',
    host,
    port: opts.port ?? 0,
    defaultPartitions: opts.partitions ?? 3,
    autoCreateTopics: opts.autoCreateTopics ?? true,
    autoCreateReady: opts.autoCreateReady ?? false,
  };
  const ctx: BrokerContext = { settings, topics, groups, log, stopping };
  const registry = buildRegistry(opts.maxVersions);
  const sockets = new Set<Socket>();

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, ctx, registry, opts.onRequest);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  settings.port = typeof address === 'object' && address ? address.port : settings.port;
  log.info({ host, port: settings.port, dataDir: opts.dataDir ?? null }, 'devbroker listening');

  return {
    host,
    port: settings.port,
    address: `${host}:${settings.port}`,
    stop: async () => {
      signalStop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await groups.flush(); // group deletions and topic drops are written in the background
      groups.close();
      topics.close();
    },
  };
}

/**
 * One connection: frames in, one request at a time, responses in request order. A bad frame, an
 * unknown API or version, or a handler failure closes this connection only.
 */
function serveConnection(
  socket: Socket,
  ctx: BrokerContext,
  registry: ReadonlyMap<number, ApiHandler>,
  onRequest: BrokerOptions['onRequest'],
): void {
  const clientHost = `/${socket.remoteAddress ?? '127.0.0.1'}`;
  let buffered: Buffer = Buffer.alloc(0);
  let chain: Promise<void> = Promise.resolve();
  const close = (reason: string, extra: Record<string, unknown> = {}) => {
    if (!socket.destroyed) ctx.log.warn({ ...extra, remote: clientHost }, `closing connection: ${reason}`);
    socket.destroy();
  };

  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const size = buffered.readInt32BE(0);
      if (size < 8 || size > MAX_FRAME_BYTES) return close('bad frame size', { size });
      if (buffered.length < 4 + size) break;
      const frame = buffered.subarray(4, 4 + size);
      buffered = buffered.subarray(4 + size);
      chain = chain.then(() => handleFrame(frame));
    }
  });

  async function handleFrame(frame: Buffer): Promise<void> {
    if (socket.destroyed) return;
    const r = new Reader(frame);
    let apiKey = -1;
    try {
      apiKey = r.int16();
      const version = r.int16();
      const correlationId = r.int32();
      const clientId = r.nullableString() ?? '';
      onRequest?.(apiKey, version, clientId);
      ctx.log.debug({ apiKey, version, clientId }, 'request');
      const handler = registry.get(apiKey);
      let body;
      if (apiKey === 18 && handler && version > handler.maxVersion) body = apiVersionsTooNew();
      else if (!handler || version < handler.minVersion || version > handler.maxVersion) {
        return close('unsupported API key or version', { apiKey, version, clientId });
      } else {
        if (apiKey === 18 && version >= 3) r.skipTags(); // request header v2
        body = await handler.handle(ctx, version, r, { clientId, clientHost });
      }
      if (body === null || socket.destroyed) return;
      const payload = body.toBuffer();
      const header = Buffer.allocUnsafe(8);
      header.writeInt32BE(payload.length + 4, 0);
      header.writeInt32BE(correlationId, 4);
      socket.write(Buffer.concat([header, payload]));
    } catch (err) {
      if (err instanceof TruncatedError) return close(err.message, { apiKey });
      ctx.log.error({ err, apiKey }, 'request failed: broker bug, connection closed');
      socket.destroy();
    }
  }
}
