import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { MAX_FRAME_BYTES, type AppEvent } from '../../../core/contract/index.js';
import { readLock } from '../../../core/datadir/index.js';
import { startTestHost, waitFor, type TestHost } from '../../support/index.js';

/** Opens a raw socket; resolves with the HTTP status of a refused upgrade, or the open socket. */
function rawConnect(url: string, options: { origin?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string } | { ws: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin: options.origin, headers: options.headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => resolve({ ws }));
    ws.on('error', reject);
  });
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>)));
}

describe('the WebSocket transport', () => {
  let host: TestHost;
  before(async () => {
    host = await startTestHost();
  });
  after(async () => {
    await host.close();
  });

  it('answers commands and pushes subscribed events over a real socket', async () => {
    const client = host.connect();
    const info = await client.call('system.info', {});
    assert.equal(info.pid, process.pid);
    const seen: AppEvent[] = [];
    client.subscribe(info.head, (event) => seen.push(event));
    await client.call('settings.update', { ui: { theme: 'dark' } } as never).catch(() => undefined);
    host.core.log.transaction(() => host.core.log.append('timeline.error', { code: 'probe', message: 'pushed' }));
    await waitFor(() => seen.some((e) => e.type === 'timeline.error' && e.data.message === 'pushed'), 'pushed event');
    assert.ok(seen.every((e, i) => i === 0 || e.seq > seen[i - 1].seq));
    client.close();
  });

  it('refuses an upgrade without the token or with a wrong one with 401', async () => {
    const bare = host.server.wsUrl.replace(/\?token=.*$/, '');
    const missing = await rawConnect(bare);
    assert.ok('status' in missing && missing.status === 401);
    const wrong = await rawConnect(`${bare}?token=${'x'.repeat(host.server.token.length)}`);
    assert.ok('status' in wrong && wrong.status === 401);
    assert.match(wrong.body, /token/);
    const client = host.connect();
    await assert.rejects(
      connectAndPing(host.server.wsUrl.replace(host.server.token, 'nope')),
      (err: Error & { code?: string }) => err.code === 'unavailable' && /401/.test(err.message),
    );
    await client.call('system.ping', {});
    client.close();
  });

  it('refuses a foreign Origin with 403 and accepts the host page own origins', async () => {
    const foreign = await rawConnect(host.server.wsUrl, { origin: 'http://evil.example' });
    assert.ok('status' in foreign && foreign.status === 403);
    const otherPort = await rawConnect(host.server.wsUrl, { origin: `http://127.0.0.1:${host.server.port + 1}` });
    assert.ok('status' in otherPort && otherPort.status === 403);
    for (const origin of [`http://127.0.0.1:${host.server.port}`, `http://localhost:${host.server.port}`]) {
      const ok = await rawConnect(host.server.wsUrl, { origin });
      assert.ok('ws' in ok, `origin ${origin} accepted`);
      ok.ws.close();
    }
  });

  it('refuses an upgrade whose Host header names another host (DNS rebinding)', async () => {
    const rebound = await rawConnect(host.server.wsUrl, { headers: { host: `attacker.example:${host.server.port}` } });
    assert.ok('status' in rebound && rebound.status === 403);
  });

  it('closes a connection that sends an oversize frame with 1009 and keeps serving others', async () => {
    const opened = await rawConnect(host.server.wsUrl);
    assert.ok('ws' in opened);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => opened.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    opened.ws.send(JSON.stringify({ id: 1, command: 'chat.send', args: { text: 'x'.repeat(MAX_FRAME_BYTES + 10) } }));
    const { code } = await closed;
    assert.equal(code, 1009, 'closed with "message too big"');
    const states: string[] = [];
    const sender = host.connect();
    sender.onState((state, detail) => states.push(`${state}: ${detail}`));
    await sender.call('system.ping', {});
    await assert.rejects(sender.call('chat.send', { text: 'z'.repeat(MAX_FRAME_BYTES) }), (err: Error & { code?: string }) => err.code === 'unavailable');
    assert.match(states.at(-1) ?? '', /closed: a frame was larger than the size limit \(1009\)/);
    const again = await connectAndPing(host.server.wsUrl);
    assert.ok(again > 0);
  });

  it('accepts a frame just under the size cap and answers it with a typed error', async () => {
    const opened = await rawConnect(host.server.wsUrl);
    assert.ok('ws' in opened);
    const frame = JSON.stringify({ id: 7, command: 'chat.send', args: { text: 'y'.repeat(MAX_FRAME_BYTES - 200) } });
    assert.ok(Buffer.byteLength(frame) < MAX_FRAME_BYTES);
    const reply = nextMessage(opened.ws);
    opened.ws.send(frame);
    const r = await reply;
    assert.equal(r.id, 7);
    assert.equal(r.ok, false);
    assert.equal((r.error as { code: string }).code, 'invalid_input');
    opened.ws.close();
  });

  it('drops a peer that stops answering heartbeats and keeps one that answers', async () => {
    const beating = await startTestHost({ heartbeatMs: 100 });
    try {
      const ws = new WebSocket(beating.server.wsUrl, { autoPong: false });
      await new Promise((resolve) => ws.on('open', resolve));
      const live = beating.connect();
      await live.call('system.ping', {});
      const started = Date.now();
      await new Promise<void>((resolve) => ws.on('close', () => resolve()));
      assert.ok(Date.now() - started < 2000);
      await new Promise((r) => setTimeout(r, 250));
      await live.call('system.ping', {});
      assert.equal(live.state(), 'open', 'a peer that answers pings stays connected');
      assert.equal(beating.server.clientCount(), 1);
    } finally {
      await beating.close();
    }
  });

  it('publishes its endpoint in the lock and withdraws it on close', async () => {
    const lock = readLock(host.core.paths.lock);
    assert.equal(lock?.endpoint?.token, host.server.token);
    assert.equal(lock?.endpoint?.url, `http://127.0.0.1:${host.server.port}/`);
    assert.ok(!lock?.endpoint?.url.includes(host.server.token), 'the URL in the lock does not carry the token');
  });
});

async function connectAndPing(wsUrl: string): Promise<number> {
  const { connectWebSocket } = await import('../../../core/gateway/websocket-client.js');
  const client = connectWebSocket(wsUrl);
  try {
    return (await client.call('system.ping', {})).now;
  } finally {
    client.close();
  }
}

describe('closing a host server after its core', () => {
  it('does not bring back a lock file the core already released', async () => {
    const { existsSync } = await import('node:fs');
    const host = await startTestHost();
    const lockPath = host.core.paths.lock;
    await host.core.close();
    assert.equal(existsSync(lockPath), false);
    await host.server.close();
    assert.equal(existsSync(lockPath), false, 'the lock stays released');
    await host.close();
  });
});
