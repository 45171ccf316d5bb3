// WebSocket round trip of the no-op command `system.ping` through the headless host (token check,
// zod validation, dispatch, reply) against a raw `ws` echo of the same frame on the same machine.
// Target: p95 < 2 ms.
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { connectWebSocket } from '../../core/gateway/websocket-client.js';
import { startHost } from '../../core/host/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { benchDir, metric, percentile, sampleAsync } from '../lib.js';

const WARMUP = 300;
const SAMPLES = 3000;

export async function run(): Promise<Record<string, unknown>> {
  const dir = benchDir();
  const host = await startHost({ dataDir: dir.path, rendererDir: null, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
  const echo = await startEcho();
  const client = connectWebSocket(host.wsUrl);
  try {
    await sampleAsync(WARMUP, () => client.call('system.ping', {}));
    await sampleAsync(WARMUP, (i) => echo.roundTrip(i));
    // Alternate halves so background load on a shared machine falls on both alike.
    const ping: number[] = [];
    const raw: number[] = [];
    for (let round = 0; round < 2; round++) {
      ping.push(...(await sampleAsync(SAMPLES / 2, () => client.call('system.ping', {}))));
      raw.push(...(await sampleAsync(SAMPLES / 2, (i) => echo.roundTrip(i))));
    }
    const p95 = percentile(ping, 95);
    return {
      ping_p50_ms: metric(percentile(ping, 50), 'ms', { baseline: { value: percentile(raw, 50), what: 'raw ws echo p50' } }),
      ping_p95_ms: metric(p95, 'ms', { baseline: { value: percentile(raw, 95), what: 'raw ws echo p95' }, target: '< 2 ms', met: p95 < 2 }),
      ping_p99_ms: metric(percentile(ping, 99), 'ms', { baseline: { value: percentile(raw, 99), what: 'raw ws echo p99' } }),
      samples: SAMPLES,
      notes: 'one request in flight at a time over one connection to a host started in-process with startHost; the echo server answers the same JSON frame',
    };
  } finally {
    client.close();
    await echo.close();
    await host.close();
    dir.cleanup();
  }
}

/** A raw `ws` server that echoes every text frame, and a client that waits for each echo. */
async function startEcho(): Promise<{ roundTrip(i: number): Promise<void>; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  const { port } = server.address() as AddressInfo;
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let waiting: (() => void) | null = null;
  socket.on('message', (data) => {
    // Parse as a client would, so the baseline pays for JSON both ways too.
    JSON.parse(data.toString());
    const done = waiting;
    waiting = null;
    done?.();
  });
  return {
    roundTrip(i) {
      return new Promise<void>((resolve) => {
        waiting = resolve;
        socket.send(JSON.stringify({ id: i, command: 'system.ping', args: {} }));
      });
    },
    async close() {
      socket.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
