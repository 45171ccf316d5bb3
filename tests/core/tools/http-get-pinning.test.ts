import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AppEvent } from '../../../core/contract/index.js';
import { formatNetApproval } from '../../../core/permissions/index.js';
import { httpGetTool, type ToolContext } from '../../../core/tools/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { AnthropicLoopback, startTestCore, tempDir, waitFor, lastChatRequest, type TestCore } from '../../support/index.js';

/**
 * DNS rebinding: a name that answers one address when the gate checks it and another when the tool
 * connects. The tool must connect to what the gate vetted. Every address here is on 127.0.0.0/8:
 * the "vetted" server on 127.0.0.1 and the "rebound" one on 127.0.0.2, on the same port.
 */
describe('http_get connects only to addresses the permission gate vetted', () => {
  const dir = tempDir();
  let vetted: Server;
  let rebound: Server;
  let port = 0;
  const hits: { server: string; host: string | undefined }[] = [];
  let anthropic: AnthropicLoopback;
  let t: TestCore;
  const lookups: string[] = [];

  before(async () => {
    vetted = createServer((req, res) => {
      hits.push({ server: 'vetted', host: req.headers.host });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('the vetted page');
    });
    await new Promise<void>((r) => vetted.listen(0, '127.0.0.1', r));
    port = (vetted.address() as AddressInfo).port;
    rebound = createServer((req, res) => {
      hits.push({ server: 'rebound', host: req.headers.host });
      res.end('rebound secret');
    });
    await new Promise<void>((r) => rebound.listen(port, '127.0.0.2', r));
    anthropic = await AnthropicLoopback.start();
    t = await startTestCore({
      dataDir: dir.path,
      allowedRoots: [dir.path],
      // The first answer is the one the gate checks; every later one points elsewhere.
      resolveHost: async (host) => {
        lookups.push(host);
        return lookups.length === 1 ? ['127.0.0.1'] : ['127.0.0.2'];
      },
      env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url },
    });
    await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'net.http', pattern: 'rebind.test' });
  });
  after(async () => {
    await t?.close();
    await anthropic?.close();
    for (const s of [vetted, rebound]) {
      s?.closeAllConnections();
      await new Promise((r) => s?.close(r));
    }
    dir.cleanup();
  });

  const ctx = (approved?: string): ToolContext => ({
    runId: 'run_1',
    signal: new AbortController().signal,
    clock: new ManualClock(),
    roots: [dir.path],
    env: {},
    notifier: null,
    timeZone: 'UTC',
    ...(approved === undefined ? {} : { approved }),
  });

  it('a name whose answer changes after the check is fetched from the checked address, with its own name in the Host header', async () => {
    hits.length = 0;
    const url = `http://rebind.test:${port}/page`;
    anthropic.script({ kind: 'stream', toolCalls: [{ name: 'http_get', arguments: { url } }] }, { kind: 'stream', chunks: ['done'] });
    const { runId } = await t.client.call('chat.send', { text: 'fetch it' });
    await waitFor(async () => ['done', 'failed', 'cancelled'].includes((await t.client.call('runs.get', { runId })).status), 'the run to end');
    await t.core.idle();
    const ofRun = t.core.log.since(0, 100_000).filter((e) => e.runId === runId);
    const done = ofRun.find((e): e is Extract<AppEvent, { type: 'tool.completed' }> => e.type === 'tool.completed');
    assert.equal(done?.data.ok, true, JSON.stringify(done?.data));
    assert.match(done!.data.output, /the vetted page/);
    assert.deepEqual(lookups, ['rebind.test'], 'the name was looked up once, by the gate');
    assert.deepEqual(hits, [{ server: 'vetted', host: `rebind.test:${port}` }]);
    assert.doesNotMatch(JSON.stringify(lastChatRequest(anthropic).body), /rebound secret/);
  });

  it('the tool answers its connection lookup with the vetted address even when the name resolves elsewhere', async () => {
    hits.length = 0;
    // `localhost` resolves (hosts file) to this machine; the gate's answer says 127.0.0.2, and that is where it goes.
    const url = `http://localhost:${port}/x`;
    const out = await httpGetTool.run({ url }, ctx(formatNetApproval({ href: url, addresses: ['127.0.0.2'], privateAllowed: true })));
    assert.match(out.text, /rebound secret/);
    assert.deepEqual(hits, [{ server: 'rebound', host: `localhost:${port}` }]);
  });

  it('over HTTPS the pinned connection still names the host in TLS SNI, and a handshake that fails is unavailable', async () => {
    // A bare TCP server on the vetted address reads the ClientHello; the host name rides in its SNI extension.
    let hello = Buffer.alloc(0);
    const tls = createTcpServer((socket) => {
      socket.on('data', (d) => {
        hello = Buffer.concat([hello, d]);
        socket.destroy();
      });
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    try {
      const url = `https://pinned.test:${(tls.address() as AddressInfo).port}/`;
      await assert.rejects(httpGetTool.run({ url }, ctx(formatNetApproval({ href: url, addresses: ['127.0.0.1'], privateAllowed: true }))), (err: Error & { code?: string }) => err.code === 'unavailable');
      assert.ok(hello.includes(Buffer.from('pinned.test')), 'the ClientHello names the host');
    } finally {
      await new Promise((r) => tls.close(r));
    }
  });

  it('with nothing vetted, a private address is refused before any connection unless a rule names the host', async () => {
    hits.length = 0;
    const literal = `http://127.0.0.1:${port}/`;
    await assert.rejects(httpGetTool.run({ url: literal }, ctx()), (err: Error & { code?: string }) => err.code === 'denied' && /127\.0\.0\.1 is a loopback address/.test(err.message));
    // The gate had no resolver: it vetted nothing, so the tool looks the name up once and checks it the same way.
    const named = `http://localhost:${port}/`;
    await assert.rejects(httpGetTool.run({ url: named }, ctx(formatNetApproval({ href: named, addresses: [], privateAllowed: false }))), (err: Error & { code?: string }) => err.code === 'denied' && /localhost/.test(err.message));
    assert.equal(hits.length, 0, 'nothing was reached');
    const allowed = await httpGetTool.run({ url: literal }, ctx(formatNetApproval({ href: literal, addresses: [], privateAllowed: true })));
    assert.match(allowed.text, /the vetted page/);
    assert.deepEqual(hits.map((h) => h.server), ['vetted']);
  });
});
