import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import type { CoreOptions } from '../../core/app.js';
import type { Client } from '../../core/contract/index.js';
import { dataPaths } from '../../core/datadir/index.js';
import { connectWebSocket, type WebSocketClientOptions } from '../../core/gateway/websocket-client.js';
import { startHostServer, type HostServer, type HostServerOptions } from '../../core/host/index.js';
import { startTestCore, type TestCore } from './core.js';

export interface TestHost extends TestCore {
  server: HostServer;
  /** A WebSocket client of this host; closed with the host. */
  connect(options?: WebSocketClientOptions): Client;
}

/**
 * A test core served by a real host server on 127.0.0.1 (no UI unless `rendererDir` is given).
 * `client` and `events` stay in-process; `connect` opens WebSocket clients.
 */
export async function startTestHost(
  options: Partial<CoreOptions> & { dataDir?: string } & Omit<HostServerOptions, 'core'> = {},
): Promise<TestHost> {
  const { port, rendererDir, token, heartbeatMs, extraOrigins, ...coreOptions } = options;
  const t = await startTestCore(coreOptions);
  const server = await startHostServer({ core: t.core, port, rendererDir: rendererDir ?? null, token, heartbeatMs, extraOrigins });
  const clients: Client[] = [];
  return {
    ...t,
    server,
    connect(clientOptions) {
      const client = connectWebSocket(server.wsUrl, clientOptions);
      clients.push(client);
      return client;
    },
    async close(closeOptions) {
      for (const client of clients) client.close();
      await server.close();
      await t.close(closeOptions);
    },
  };
}

/**
 * A WebSocket connection to the host at `url` (the address it prints, with its token) that reads
 * what the host sends and never answers: on closing, the host waits for it to answer the close
 * handshake until it cuts it off, so it stays closing for a while.
 */
export async function silentWebSocket(url: string): Promise<Socket> {
  const { hostname, port, host, searchParams } = new URL(url);
  const socket = connect(Number(port), hostname);
  const key = randomBytes(16).toString('base64');
  socket.write(`GET /ws?token=${searchParams.get('token')} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let answer = '';
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (c: Buffer) => {
      answer += c.toString('latin1');
      if (answer.includes('\r\n\r\n')) resolve();
    });
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`the host closed the connection: ${answer}`)));
  });
  if (!/^HTTP\/1\.1 101 /.test(answer)) throw new Error(`the host refused the connection: ${answer}`);
  return socket;
}

/** Asserts that a host that served `dataDir` closed cleanly: its lock is removed and its database checkpointed and closed (no WAL left). */
export function assertHostClosed(dataDir: string): void {
  const paths = dataPaths(dataDir);
  assert.equal(existsSync(paths.lock), false, 'the host closed: its data folder is released');
  assert.equal(existsSync(`${paths.database}-wal`), false, 'and its database checkpointed');
}
