import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createGzip } from 'node:zlib';
import { createAnthropicProvider, ProviderError, type ModelRequest, type StreamEvent } from '../../../core/providers/index.js';
import { createHttpFetch } from '../../../core/providers/http-fetch.js';
import { AnthropicLoopback, LoopbackServer, TEST_API_KEY, waitFor } from '../../support/index.js';

const request = (signal: AbortSignal = new AbortController().signal): ModelRequest => ({
  model: 'claude-loopback',
  system: 'be brief',
  messages: [{ role: 'user', content: 'hello' }],
  maxTokens: 64,
  signal,
});

async function collect(stream: AsyncIterable<StreamEvent>): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    for await (const event of stream) if (event.type === 'text') text += event.text;
    return { text, error: null };
  } catch (err) {
    return { text, error: err };
  }
}

/** A server that takes requests and never answers them, until closed. */
async function silentServer(): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  let received = 0;
  return { ...(await listen(createServer(() => void received++))), received: () => received };
}

describe('the model SDKs\' fetch over kept-alive node:http connections', () => {
  it('streams the Anthropic provider\'s turns one after another over one connection, shared by every client in the process', async () => {
    const server = await AnthropicLoopback.start();
    try {
      server.always({ kind: 'stream', chunks: ['Hel', 'lo'], usage: { input: 5, output: 2 } });
      const first = createAnthropicProvider({ apiKey: TEST_API_KEY, baseUrl: server.url });
      for (let i = 0; i < 4; i++) assert.deepEqual(await collect(first.stream(request())), { text: 'Hello', error: null });
      const second = createAnthropicProvider({ apiKey: TEST_API_KEY, baseUrl: server.url });
      assert.deepEqual(await collect(second.stream(request())), { text: 'Hello', error: null });
      assert.equal(server.requests.length, 5);
      assert.equal(server.connectionsOpened, 1);
      // The SDK's headers go out as it set them (the key, in whichever header it uses).
      const { authorization, 'x-api-key': apiKey } = server.requests[0].headers;
      assert.ok([authorization, apiKey].some((h) => String(h).includes(TEST_API_KEY)));
      assert.equal(server.requests[0].headers['anthropic-version'] !== undefined, true);
    } finally {
      await server.close();
    }
  });

  it('opens a connection for each request at once, and the next requests reuse them', async () => {
    const server = await AnthropicLoopback.start();
    try {
      server.always({ kind: 'stream', chunks: ['ok'], delayMs: 20 });
      const provider = createAnthropicProvider({ apiKey: TEST_API_KEY, baseUrl: server.url });
      const together = await Promise.all([0, 1, 2].map(() => collect(provider.stream(request()))));
      assert.deepEqual(together.map((r) => r.text), ['ok', 'ok', 'ok']);
      assert.equal(server.connectionsOpened, 3);
      await Promise.all([0, 1, 2].map(() => collect(provider.stream(request()))));
      assert.equal(server.connectionsOpened, 3);
    } finally {
      await server.close();
    }
  });

  it('ends a turn aborted mid-stream as cancelled, and the server sees the request go away', async () => {
    const server = await AnthropicLoopback.start();
    try {
      server.script({ kind: 'hang' }).always({ kind: 'stream', chunks: ['after'] });
      const provider = createAnthropicProvider({ apiKey: TEST_API_KEY, baseUrl: server.url });
      const controller = new AbortController();
      const turn = collect(provider.stream(request(controller.signal)));
      await waitFor(() => server.requests.length === 1, 'the request to reach the server');
      controller.abort();
      const { error } = await turn;
      assert.ok(error instanceof ProviderError, String(error));
      assert.equal(error.kind, 'cancelled');
      await waitFor(() => server.requests[0].aborted, 'the server to see the request aborted');
      // The next turn still gets through (on a new connection: the aborted one is gone).
      assert.deepEqual(await collect(provider.stream(request())), { text: 'after', error: null });
    } finally {
      await server.close();
    }
  });

  it('rejects with an AbortError when aborted before the answer starts, and a time limit is the provider\'s timeout', async () => {
    const server = await silentServer();
    try {
      const fetchOverHttp = createHttpFetch();
      const controller = new AbortController();
      const pending = fetchOverHttp(`${server.url}/v1/messages`, { method: 'POST', body: '{}', signal: controller.signal });
      await waitFor(() => server.received() === 1, 'the request to reach the server');
      controller.abort();
      await assert.rejects(pending, (err: Error) => err.name === 'AbortError');
      await assert.rejects(fetchOverHttp(`${server.url}/v1/messages`, { method: 'POST', body: '{}', signal: controller.signal }), (err: Error) => err.name === 'AbortError');

      const provider = createAnthropicProvider({ apiKey: TEST_API_KEY, baseUrl: server.url, timeoutMs: 300 });
      const { error } = await collect(provider.stream(request()));
      assert.ok(error instanceof ProviderError, String(error));
      assert.equal(error.kind, 'timeout');
    } finally {
      await server.close();
    }
  });

  it('fails like fetch when nothing listens: a TypeError with the cause, which the provider calls unreachable', async () => {
    const server = await silentServer();
    const url = server.url;
    await server.close();
    await assert.rejects(createHttpFetch()(`${url}/v1/messages`, { method: 'POST', body: '{}' }), (err: Error) => err instanceof TypeError && err.message === 'fetch failed' && (err.cause as NodeJS.ErrnoException).code === 'ECONNREFUSED');
    const { error } = await collect(createAnthropicProvider({ apiKey: TEST_API_KEY, baseUrl: url }).stream(request()));
    assert.ok(error instanceof ProviderError, String(error));
    assert.equal(error.kind, 'unreachable');
  });

  it('keeps an error answer\'s status, headers and JSON body', async () => {
    const server = await AnthropicLoopback.start();
    try {
      server.script({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down', headers: { 'retry-after': '7' } });
      const { error } = await collect(createAnthropicProvider({ apiKey: TEST_API_KEY, baseUrl: server.url, now: () => 0 }).stream(request()));
      assert.ok(error instanceof ProviderError, String(error));
      assert.deepEqual([error.kind, error.status, error.retryAfterMs], ['rate_limit', 429, 7000]);
      assert.match(error.message, /slow down/);
    } finally {
      await server.close();
    }
  });

  it('hands a body it does not send itself (a stream) to the global fetch', async () => {
    const server = new LoopbackServer((path) => {
      if (path === '/echo') return (_req, res, body) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ got: body }));
      return null;
    });
    await server.start();
    try {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"part": 1}'));
          controller.close();
        },
      });
      const streamed = await createHttpFetch()(`${server.url}/echo`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
      assert.deepEqual(await streamed.json(), { got: { part: 1 } });
    } finally {
      await server.close();
    }
  });

  it('follows a redirect as fetch does without sending the first request again, keeps a 307\'s POST, and honours manual, error and the 20-hop limit', async () => {
    const seen: string[] = [];
    const server = await plainServer((req, res, body) => {
      seen.push(`${req.method} ${req.url}${body ? ` ${body}` : ''}`);
      const to = { '/found': '/new', '/see-other': '/new', '/temporary': '/new', '/loop': '/loop' }[req.url ?? ''];
      const status = { '/found': 302, '/see-other': 303, '/temporary': 307, '/loop': 302 }[req.url ?? ''];
      if (to && status) return void res.writeHead(status, { location: to }).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body, type: req.headers['content-type'] ?? null }));
    });
    try {
      const fetchOverHttp = createHttpFetch();
      const post = (path: string, redirect?: RequestRedirect) => fetchOverHttp(`${server.url}${path}`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, redirect });
      assert.deepEqual(await (await post('/found')).json(), { method: 'GET', body: '', type: null });
      assert.deepEqual(seen.splice(0), ['POST /found {"a":1}', 'GET /new']);
      assert.deepEqual(await (await post('/see-other')).json(), { method: 'GET', body: '', type: null });
      assert.deepEqual(seen.splice(0), ['POST /see-other {"a":1}', 'GET /new']);
      assert.deepEqual(await (await post('/temporary')).json(), { method: 'POST', body: '{"a":1}', type: 'application/json' });
      assert.deepEqual(seen.splice(0), ['POST /temporary {"a":1}', 'POST /new {"a":1}']);

      const manual = await post('/found', 'manual');
      assert.deepEqual([manual.status, manual.headers.get('location')], [302, '/new']);
      await assert.rejects(post('/found', 'error'), (err: Error) => err instanceof TypeError && err.message === 'fetch failed');
      assert.deepEqual(seen.splice(0), ['POST /found {"a":1}', 'POST /found {"a":1}']);
      await assert.rejects(fetchOverHttp(`${server.url}/loop`), (err: Error) => err instanceof TypeError && /20 redirects/.test(String((err.cause as Error).message)));
      assert.equal(seen.length, 21);
    } finally {
      await server.close();
    }
  });

  it('does not send a POST again when its kept-alive connection is cut after the server read it, but sends a GET again once', async () => {
    const seen: string[] = [];
    const server = await plainServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/v1/messages') return void setTimeout(() => req.socket.destroy(), 50);
      if (req.url === '/flaky' && seen.filter((s) => s === 'GET /flaky').length === 1) return void req.socket.destroy();
      res.writeHead(200).end('ok');
    });
    try {
      const fetchOverHttp = createHttpFetch();
      assert.equal(await (await fetchOverHttp(`${server.url}/warm`)).text(), 'ok');
      await assert.rejects(fetchOverHttp(`${server.url}/v1/messages`, { method: 'POST', body: '{"model":"m"}' }), (err: Error) => err instanceof TypeError && err.message === 'fetch failed');
      assert.deepEqual(seen.splice(0), ['GET /warm', 'POST /v1/messages']);

      assert.equal(await (await fetchOverHttp(`${server.url}/warm`)).text(), 'ok');
      assert.equal(await (await fetchOverHttp(`${server.url}/flaky`)).text(), 'ok');
      assert.deepEqual(seen.splice(0), ['GET /warm', 'GET /flaky', 'GET /flaky']);
    } finally {
      await server.close();
    }
  });

  it('sends a PUT or DELETE again once, on a new connection, when its kept-alive connection was closed before any of the answer, but never after part of it arrived', async () => {
    const seen: string[] = [];
    const server = await plainServer((req, res, body) => {
      seen.push(`${req.method} ${req.url} ${body}`);
      const times = seen.filter((s) => s === `${req.method} ${req.url} ${body}`).length;
      // Closed as the request came in, as a server does with a connection it had just let go idle.
      if (req.url === '/cut' && times === 1) return void req.socket.destroy();
      // Closed after the first bytes of the answer: the server acted on the request.
      if (req.url === '/half') return void req.socket.end('HTTP/1.1 200 OK\r\ncontent-')
      res.writeHead(200).end(`${req.method} ${times}`);
    });
    try {
      const fetchOverHttp = createHttpFetch();
      for (const method of ['PUT', 'DELETE']) {
        assert.equal(await (await fetchOverHttp(`${server.url}/warm`)).text(), 'GET 1');
        const body = method === 'PUT' ? '{"v":1}' : undefined;
        const response = await fetchOverHttp(`${server.url}/cut`, { method, body });
        assert.equal(await response.text(), `${method} 2`);
        assert.deepEqual(seen.splice(0).slice(1), [`${method} /cut ${body ?? ''}`, `${method} /cut ${body ?? ''}`]);
      }
      for (const method of ['GET', 'PUT', 'DELETE']) {
        assert.equal(await (await fetchOverHttp(`${server.url}/warm`)).text(), 'GET 1');
        await assert.rejects(fetchOverHttp(`${server.url}/half`, { method }), (err: Error) => err instanceof TypeError && err.message === 'fetch failed');
        assert.deepEqual(seen.splice(0), ['GET /warm ', `${method} /half `], `${method} cut after part of its answer is not sent again`);
      }
    } finally {
      await server.close();
    }
  });

  it('rejects an answer whose status fetch cannot represent as a TypeError, and the process carries on', async () => {
    const server = createNetServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 600 Odd\r\ncontent-length: 2\r\n\r\nhi')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/messages`;
      await assert.rejects(createHttpFetch()(url, { method: 'POST', body: '{}' }), (err: Error) => err instanceof TypeError && err.message === 'fetch failed' && err.cause instanceof RangeError);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('closes the connection when a compressed body the server is still sending is cancelled', async () => {
    let closed = false;
    let answer: ServerResponse | null = null;
    const server = await plainServer((_req, res) => {
      answer = res;
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/octet-stream' });
      const gzip = createGzip();
      gzip.pipe(res);
      res.once('close', () => {
        closed = true;
        gzip.destroy();
      });
      // Random bytes do not compress, so the connection fills up after a few hundred kilobytes.
      const write = () => {
        while (!closed) if (!gzip.write(randomBytes(16 * 1024))) return void gzip.once('drain', write);
      };
      write();
    });
    try {
      const response = await createHttpFetch()(`${server.url}/stream`);
      const reader = response.body!.getReader();
      const first = await reader.read();
      assert.ok(first.value && first.value.byteLength > 0);
      // Nothing more is read: the connection fills up and the server is held back.
      await waitFor(() => answer?.writableNeedDrain, 'the server to be held back by the unread body');
      await reader.cancel();
      await waitFor(() => closed, 'the server to see the connection closed');
    } finally {
      await server.close();
    }
  });
});

/** A node:http server answering with `handle` once it has read each request's body. */
async function plainServer(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  return listen(server);
}

/** Listens on a loopback port; `close` drops every open connection, kept-alive ones included, then the server. */
async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
