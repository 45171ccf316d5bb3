import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { connectWebSocket } from '../../../core/gateway/websocket-client.js';
import { CLOSE_CODES, attachWebSocketGateway } from '../../../core/gateway/websocket.js';
import type { Logger } from '../../../core/util/logger.js';
import { startTestCore, startTestHost, waitFor, type TestCore, type TestHost } from '../../support/index.js';

describe('peers that misbehave', () => {
  let host: TestHost;
  before(async () => {
    host = await startTestHost();
  });
  after(async () => {
    await host.close();
  });

  it('clients that vanish with requests in flight do not disturb the host', async () => {
    for (let round = 0; round < 20; round++) {
      const ws = new WebSocket(host.server.wsUrl);
      await new Promise((resolve) => ws.once('open', resolve));
      for (let i = 0; i < 20; i++) ws.send(JSON.stringify({ id: i, command: i % 2 ? 'system.doctor' : 'events.subscribe', args: i % 2 ? { probeProviders: false } : { fromSeq: 0 } }));
      if (round % 2) ws.terminate();
      else ws.close();
    }
    const client = host.connect();
    assert.ok((await client.call('system.ping', {})).now > 0);
    await waitFor(() => host.server.clientCount() === 1, 'the vanished clients to be gone');
    client.close();
  });

  it('fifty clients subscribed at once each get every event, in order', async () => {
    const base = host.core.log.head();
    const clients = Array.from({ length: 50 }, () => host.connect());
    const seen = clients.map(() => [] as number[]);
    clients.forEach((c, i) => c.subscribe(base, (e) => seen[i].push(e.seq)));
    await Promise.all(clients.map((c) => c.call('system.ping', {})));
    for (let i = 0; i < 200; i++) host.core.log.transaction(() => host.core.log.append('timeline.error', { code: 'probe', message: `fan-out ${i}` }));
    const expected = Array.from({ length: 200 }, (_, i) => base + i + 1);
    await waitFor(() => seen.every((s) => s.length === 200), 'every client to see every event');
    for (const s of seen) assert.deepEqual(s, expected);
    for (const c of clients) c.close();
  });
});

describe('a peer too slow to read what it subscribed to', () => {
  let t: TestCore;
  before(async () => {
    t = await startTestCore();
  });
  after(async () => {
    await t.close();
  });

  it('is closed with 4008 instead of growing the host memory, and catches up after reconnecting', async () => {
    const server = createServer();
    const warnings: string[] = [];
    const logger: Logger = { log: (level, msg) => void (level === 'warn' && warnings.push(msg)) };
    const gateway = attachWebSocketGateway({ server, gateway: t.core.gateway, logger, token: 'secret-token', allowedOrigins: () => [], maxBufferedBytes: 64 * 1024 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws?token=secret-token`;
    try {
      const base = t.core.log.head();
      const big = 'x'.repeat(4000);
      // A raw peer that subscribes and then stops reading from its socket.
      const slow = new WebSocket(url);
      await new Promise((resolve) => slow.once('open', resolve));
      const closed = new Promise<number>((resolve) => slow.once('close', (code) => resolve(code)));
      slow.send(JSON.stringify({ id: 1, command: 'events.subscribe', args: { fromSeq: base } }));
      await new Promise((resolve) => slow.once('message', resolve));
      (slow as unknown as { _socket: { pause(): void } })._socket.pause();
      // Whatever the kernel buffers take, the host's own buffer passes the cap before long.
      let appended = 0;
      while (!warnings.includes('websocket peer too slow; closing it')) {
        assert.ok(appended < 20_000, 'the slow peer was never closed');
        for (let i = 0; i < 50; i++, appended++) t.core.log.transaction(() => t.core.log.append('timeline.error', { code: 'bulk', message: `${appended} ${big}` }));
        await new Promise((resolve) => setImmediate(resolve));
      }
      (slow as unknown as { _socket: { resume(): void } })._socket.resume();
      assert.equal(await closed, CLOSE_CODES.tooSlow);

      const client = connectWebSocket(url, { reconnect: true, minDelayMs: 1, maxDelayMs: 5 });
      const seen: number[] = [];
      client.subscribe(base, (e) => seen.push(e.seq));
      await waitFor(() => seen.length === appended, 'the whole backlog');
      assert.deepEqual(seen, Array.from({ length: appended }, (_, i) => base + i + 1));
      client.close();
    } finally {
      await gateway.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a host that stops answering', () => {
  it('is dropped by a client heartbeat, so a reconnecting client notices', async () => {
    const { WebSocketServer } = await import('ws');
    const frozen = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise<void>((resolve) => frozen.once('listening', () => resolve()));
    frozen.on('connection', (socket) => socket.on('message', (data) => {
      const { id } = JSON.parse(data.toString()) as { id: number };
      socket.send(JSON.stringify({ id, ok: true, result: { now: 1 } }));
    }));
    const port = (frozen.address() as AddressInfo).port;
    const client = connectWebSocket(`ws://127.0.0.1:${port}/ws`, { heartbeatMs: 50 });
    try {
      await client.call('system.ping', {});
      const detail = await new Promise<string>((resolve) => client.onState((state, d) => state === 'closed' && resolve(d)));
      assert.match(detail, /stopped answering heartbeats/);
    } finally {
      client.close();
      await new Promise<void>((resolve) => frozen.close(() => resolve()));
    }
  });
});
