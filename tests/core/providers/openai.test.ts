import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, DEFAULT_RETRY, ProviderError, ProviderRegistry, createOpenAICompatibleProvider, routeStream, type RoutedEvent, type StreamEvent } from '../../../core/providers/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { TEST_OPENAI_KEY, chunk, useLoopbackProviders, waitFor, type ScriptedReply } from '../../support/index.js';

async function collect(stream: AsyncIterable<StreamEvent | RoutedEvent>): Promise<{ events: (StreamEvent | RoutedEvent)[]; error: Error | null }> {
  const events: (StreamEvent | RoutedEvent)[] = [];
  try {
    for await (const e of stream) events.push(e);
    return { events, error: null };
  } catch (err) {
    return { events, error: err as Error };
  }
}

/** Drains a routed stream; each retry's wait passes on the manual clock at once (and nothing else does, so no idle timeout fires). */
async function drain(clock: ManualClock, stream: AsyncIterable<RoutedEvent>): Promise<{ events: RoutedEvent[]; error: Error | null }> {
  const events: RoutedEvent[] = [];
  let done = false;
  let error: Error | null = null;
  const consumer = (async () => {
    try {
      for await (const e of stream) events.push(e);
    } catch (err) {
      error = err as Error;
    } finally {
      done = true;
    }
  })();
  let waited = 0;
  while (!done) {
    const retries = events.filter((e) => e.type === 'retry');
    if (retries.length > waited) {
      const retry = retries[waited++];
      // While the router sleeps, the attempt's idle timer and the sleep are both pending.
      await waitFor(() => clock.pendingTimers() >= 2, 3000, 'the router to wait');
      clock.advance(retry.type === 'retry' ? retry.delayMs : 0);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await consumer;
  return { events, error };
}

const tools = [
  { name: 'read_text', description: 'Reads a file', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
  { name: 'current_time', description: 'The time', inputSchema: { type: 'object', properties: { zone: { type: 'string' } } } },
];

describe('the OpenAI-compatible provider through the real openai SDK', () => {
  const servers = useLoopbackProviders();
  const provider = (overrides: { apiKey?: string | null; name?: string } = {}) =>
    createOpenAICompatibleProvider({ name: overrides.name ?? 'openai', baseUrl: servers.openai.baseUrl, apiKey: overrides.apiKey === undefined ? TEST_OPENAI_KEY : overrides.apiKey, keyRequired: false });
  const request = (extra: Partial<Parameters<ReturnType<typeof provider>['stream']>[0]> = {}) => ({
    model: 'loopback-chat',
    system: 'be brief',
    messages: [{ role: 'user' as const, content: 'hello' }],
    maxTokens: 256,
    signal: new AbortController().signal,
    ...extra,
  });

  it('streams a text turn chunk by chunk, asks for usage in the stream and reports it', async () => {
    servers.openai.script({ kind: 'stream', chunks: chunk('Hello from a compatible server.', 3), usage: { input: 42, output: 11, cacheRead: 8 } });
    const before = servers.openai.requests.length;
    const { events, error } = await collect(provider().stream(request()));
    assert.equal(error, null);
    const texts = events.filter((e) => e.type === 'text');
    assert.ok(texts.length >= 10, 'the text arrived in many deltas');
    assert.equal(texts.map((e) => (e.type === 'text' ? e.text : '')).join(''), 'Hello from a compatible server.');
    assert.deepEqual(events.find((e) => e.type === 'usage'), { type: 'usage', usage: { inputTokens: 42, outputTokens: 11, cacheReadTokens: 8, cacheWriteTokens: 0 } });
    assert.deepEqual(events.at(-1), { type: 'end', stopReason: 'end_turn', model: 'loopback-chat' });
    const sent = servers.openai.requests[before];
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.authorization, `Bearer ${TEST_OPENAI_KEY}`);
    const body = sent.body as { stream: boolean; stream_options: unknown; messages: { role: string; content: string }[]; max_tokens: number };
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.equal(body.max_tokens, 256);
    assert.deepEqual(body.messages, [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello' }]);
  });

  it('assembles a tool call whose arguments arrive over many chunks', async () => {
    const args = { path: '/home/someone/notes/a-rather-long-file-name.txt' };
    servers.openai.script({ kind: 'stream', chunks: ['Let me look.'], toolCalls: [{ id: 'call_abc', name: 'read_text', arguments: args }] });
    const before = servers.openai.requests.length;
    const { events, error } = await collect(provider().stream(request({ tools })));
    assert.equal(error, null);
    assert.ok(JSON.stringify(args).length / servers.openai.argumentChunk >= 10, 'the arguments were split over at least ten chunks');
    const calls = events.filter((e) => e.type === 'tool_call');
    assert.deepEqual(calls, [{ type: 'tool_call', id: 'call_abc', name: 'read_text', input: args, rawArguments: JSON.stringify(args) }]);
    assert.deepEqual(events.at(-1), { type: 'end', stopReason: 'tool_use', model: 'loopback-chat' });
    const body = servers.openai.requests[before].body as { tools: { type: string; function: { name: string; parameters: unknown } }[] };
    assert.deepEqual(
      body.tools.map((t) => [t.type, t.function.name]),
      [
        ['function', 'read_text'],
        ['function', 'current_time'],
      ],
    );
    assert.deepEqual(body.tools[0].function.parameters, tools[0].inputSchema);
  });

  it('returns two parallel tool calls in order, each with its own id and arguments', async () => {
    servers.openai.script({
      kind: 'stream',
      toolCalls: [
        { id: 'call_one', name: 'read_text', arguments: { path: '/tmp/one.txt' } },
        { id: 'call_two', name: 'current_time', arguments: { zone: 'Europe/Paris' } },
      ],
    });
    const { events, error } = await collect(provider().stream(request({ tools })));
    assert.equal(error, null);
    assert.deepEqual(
      events.filter((e) => e.type === 'tool_call').map((e) => e.type === 'tool_call' && [e.id, e.name, e.input]),
      [
        ['call_one', 'read_text', { path: '/tmp/one.txt' }],
        ['call_two', 'current_time', { zone: 'Europe/Paris' }],
      ],
    );
  });

  it('sends an earlier tool turn back as assistant tool_calls followed by tool messages', async () => {
    servers.openai.script({ kind: 'stream', chunks: ['done'] });
    const before = servers.openai.requests.length;
    await collect(
      provider().stream(
        request({
          messages: [
            { role: 'user', content: 'read two files' },
            {
              role: 'assistant',
              content: [
                { type: 'text', text: 'Reading.' },
                { type: 'tool_use', id: 'call_1', name: 'read_text', input: { path: 'a' } },
                { type: 'tool_use', id: 'call_2', name: 'read_text', input: { path: 'b' } },
              ],
            },
            {
              role: 'user',
              content: [
                { type: 'tool_result', toolUseId: 'call_1', content: 'contents of a', isError: false },
                { type: 'tool_result', toolUseId: 'call_2', content: 'no such file', isError: true },
              ],
            },
          ],
        }),
      ),
    );
    const body = servers.openai.requests[before].body as { messages: unknown[] };
    assert.deepEqual(body.messages.slice(1), [
      { role: 'user', content: 'read two files' },
      {
        role: 'assistant',
        content: 'Reading.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'read_text', arguments: '{"path":"a"}' } },
          { id: 'call_2', type: 'function', function: { name: 'read_text', arguments: '{"path":"b"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'contents of a' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Error: no such file' },
    ]);
  });

  it('estimates usage when the server sends none, and says it is an estimate', async () => {
    servers.openai.script({ kind: 'stream', chunks: ['a reply of a few words'], usageOmitted: true });
    const { events } = await collect(provider().stream(request()));
    const usage = events.find((e) => e.type === 'usage');
    assert.ok(usage?.type === 'usage');
    assert.equal(usage.usage.estimated, true);
    assert.ok(usage.usage.inputTokens > 0 && usage.usage.outputTokens > 0, JSON.stringify(usage.usage));
  });

  it('an endpoint without a key sends no Authorization header; a server that wants one gets a 401 named as a key problem', async () => {
    servers.openai.script({ kind: 'stream', chunks: ['ok'] });
    const before = servers.openai.requests.length;
    const { error } = await collect(provider({ apiKey: null, name: 'lmstudio' }).stream(request()));
    assert.equal(error, null);
    assert.equal(servers.openai.requests[before].headers.authorization, undefined);

    servers.openai.requireKey = 'sk-the-right-key-000000000000';
    try {
      const { error: refused } = await collect(provider({ apiKey: 'sk-a-wrong-key-0000000000000', name: 'lmstudio' }).stream(request()));
      assert.ok(refused instanceof ProviderError);
      assert.equal(refused.kind, 'auth');
      assert.equal(refused.provider, 'lmstudio');
      assert.match(refused.message, /lmstudio rejected the API key \(401\)/);
      assert.ok(!refused.message.includes('sk-a-wrong-key'));
    } finally {
      servers.openai.requireKey = null;
    }
  });

  it('OpenAI itself without a key is a no_key error before any request', async () => {
    const before = servers.openai.requests.length;
    const openai = createOpenAICompatibleProvider({ name: 'openai', baseUrl: servers.openai.baseUrl, apiKey: null, keyRequired: true });
    const { error } = await collect(openai.stream(request()));
    assert.ok(error instanceof ProviderError);
    assert.equal(error.kind, 'no_key');
    assert.match(error.message, /OPENAI_API_KEY/);
    assert.equal(servers.openai.requests.length, before);
  });

  it('a cancel mid-stream stops the stream and closes the request', async () => {
    servers.openai.script({ kind: 'stream', chunks: chunk('x'.repeat(200), 2), delayMs: 15 });
    const controller = new AbortController();
    const before = servers.openai.requests.length;
    const events: StreamEvent[] = [];
    let error: unknown = null;
    try {
      for await (const e of provider().stream(request({ signal: controller.signal }))) {
        events.push(e);
        if (events.length === 3) controller.abort();
      }
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ProviderError && error.kind === 'cancelled', String(error));
    assert.ok(!events.some((e) => e.type === 'end'), 'a cut-off reply does not pass for a finished one');
    await waitFor(() => servers.openai.requests[before]?.aborted, 2000, 'the server saw the request closed');
  });

  it('lists models from /v1/models and probes the endpoint', async () => {
    servers.openai.models = ['qwen2.5-7b-instruct', 'loopback-embed'];
    const p = provider({ name: 'lmstudio', apiKey: null });
    assert.deepEqual(await p.listModels!(new AbortController().signal), ['loopback-embed', 'qwen2.5-7b-instruct']);
    const probe = await p.probe(new AbortController().signal);
    assert.equal(probe.ok, true);
    assert.match(probe.detail, /reachable at http:\/\/127\.0\.0\.1:\d+\/v1; 2 model\(s\)/);
    const down = createOpenAICompatibleProvider({ name: 'gone', baseUrl: 'http://127.0.0.1:9/v1', apiKey: null, keyRequired: false });
    const failed = await down.probe(new AbortController().signal);
    assert.equal(failed.ok, false);
    assert.match(failed.detail, /cannot reach gone at http:\/\/127\.0\.0\.1:9\/v1/);
  });
});

describe('routing across provider kinds with an OpenAI-compatible endpoint', () => {
  const servers = useLoopbackProviders();
  const setup = (retry = DEFAULT_RETRY) => {
    const clock = new ManualClock();
    const registry = new ProviderRegistry(() => ({
      anthropic: { apiKey: 'sk-ant-test-key-000000', baseUrl: servers.anthropic.url },
      ollama: { host: servers.ollama.url },
      endpoints: { lmstudio: { baseUrl: servers.openai.baseUrl, apiKey: null, keyRequired: false }, openai: { baseUrl: servers.openai.baseUrl, apiKey: TEST_OPENAI_KEY, keyRequired: false } },
    }));
    const breaker = new CircuitBreaker(clock, { threshold: 3, cooldownMs: 60_000 });
    return { clock, breaker, deps: { providers: registry, clock, breaker, retry } };
  };
  const request = () => ({ system: 's', messages: [{ role: 'user' as const, content: 'hi' }], maxTokens: 100, signal: new AbortController().signal });

  it('a 429 with retry-after waits that long on the clock, then the same model answers', async () => {
    const { clock, deps } = setup();
    servers.openai.script({ kind: 'error', status: 429, type: 'rate_limit_exceeded', message: 'slow down', headers: { 'retry-after': '9' } }, { kind: 'stream', chunks: ['fine'] });
    const before = servers.openai.requests.length;
    const startedAt = clock.now();
    const { events, error } = await drain(clock, routeStream(deps, ['openai:gpt-loop'], request()));
    assert.equal(error, null);
    const retry = events.find((e) => e.type === 'retry');
    assert.deepEqual(retry?.type === 'retry' && [retry.kind, retry.delayMs], ['rate_limit', 9000]);
    assert.ok(clock.now() - startedAt >= 9000);
    assert.equal(servers.openai.requests.length - before, 2);
    const end = events.find((e) => e.type === 'end');
    assert.equal(end?.type === 'end' && end.model, 'openai:gpt-loop');
  });

  it('a 500 from the OpenAI-compatible server is retried, then falls back to the Anthropic model', async () => {
    const { clock, deps } = setup();
    const failing: ScriptedReply = { kind: 'error', status: 500, type: 'server_error', message: 'boom' };
    servers.openai.script(failing, failing, failing);
    servers.anthropic.script({ kind: 'stream', chunks: ['from Anthropic'] });
    const before = servers.openai.requests.length;
    const { events, error } = await drain(clock, routeStream(deps, ['lmstudio:qwen', 'anthropic:claude-a'], request()));
    assert.equal(error, null);
    assert.equal(servers.openai.requests.length - before, 3);
    assert.deepEqual(
      events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.kind),
      ['server', 'server'],
    );
    assert.deepEqual(events.find((e) => e.type === 'fallback'), { type: 'fallback', from: 'lmstudio:qwen', to: 'anthropic:claude-a', reason: 'server' });
    const end = events.find((e) => e.type === 'end');
    assert.equal(end?.type === 'end' && end.model, 'anthropic:claude-a');
  });

  it('an Anthropic 529 falls back to a local OpenAI-compatible model', async () => {
    const { clock, deps } = setup();
    const overloaded = { kind: 'error', status: 529, type: 'overloaded_error', message: 'overloaded' } as const;
    servers.anthropic.script(overloaded, overloaded, overloaded);
    servers.openai.script({ kind: 'stream', chunks: ['from ', 'LM Studio'] });
    const { events, error } = await drain(clock, routeStream(deps, ['anthropic:claude-a', 'lmstudio:qwen2.5-7b-instruct'], request()));
    assert.equal(error, null);
    assert.deepEqual(events.find((e) => e.type === 'fallback'), { type: 'fallback', from: 'anthropic:claude-a', to: 'lmstudio:qwen2.5-7b-instruct', reason: 'overloaded' });
    assert.equal(
      events
        .filter((e) => e.type === 'text')
        .map((e) => (e.type === 'text' ? e.text : ''))
        .join(''),
      'from LM Studio',
    );
    const end = events.find((e) => e.type === 'end');
    assert.equal(end?.type === 'end' && end.model, 'lmstudio:qwen2.5-7b-instruct');
  });

  it('a stream that stalls after its headers times out on the clock and falls to the next model', async () => {
    const idleMs = 15_000;
    const { clock, deps } = setup({ ...DEFAULT_RETRY, attemptsPerModel: 1, idleMs });
    servers.openai.script({ kind: 'hang' });
    servers.ollama.script({ kind: 'stream', chunks: ['in time'] });
    const before = servers.openai.requests.length;
    const events: RoutedEvent[] = [];
    let done = false;
    const consumer = (async () => {
      for await (const e of routeStream(deps, ['lmstudio:slow', 'ollama:llama3.2'], request())) events.push(e);
    })().finally(() => (done = true));
    await waitFor(() => servers.openai.requests.length > before, 3000, 'the stalled request');
    await new Promise((r) => setTimeout(r, 30));
    clock.advance(idleMs - 1);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(done, false, 'nothing gives up before the idle time');
    clock.advance(1);
    await consumer;
    assert.deepEqual(events.find((e) => e.type === 'fallback'), { type: 'fallback', from: 'lmstudio:slow', to: 'ollama:llama3.2', reason: 'timeout' });
    const end = events.find((e) => e.type === 'end');
    assert.equal(end?.type === 'end' && end.model, 'ollama:llama3.2');
    await waitFor(() => servers.openai.requests[before].aborted, 2000, 'the stalled request was closed');
  });

  it('a model of a provider nobody added fails at once with a clear message, without falling back', async () => {
    const { clock, deps } = setup();
    const before = servers.anthropic.requests.length;
    const { error } = await drain(clock, routeStream(deps, ['nowhere:model', 'anthropic:claude-a'], request()));
    assert.match(String(error?.message), /no provider named "nowhere"/);
    assert.equal(servers.anthropic.requests.length, before);
  });
});
