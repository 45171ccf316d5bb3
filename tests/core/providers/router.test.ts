import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, DEFAULT_RETRY, ProviderRegistry, routeStream, type RoutedEvent } from '../../../core/providers/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { useLoopbackProviders, startTestCore, waitFor, type ScriptedReply } from '../../support/index.js';

/** Drains a routed stream, moving the manual clock whenever the router waits on it. */
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
  while (!done) {
    if (clock.pendingTimers()) {
      const retry = events.filter((e) => e.type === 'retry').at(-1);
      clock.advance(retry?.type === 'retry' ? retry.delayMs : 1);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await consumer;
  return { events, error };
}

describe('routing with retry, fallback and cooldown', () => {
  const providers = useLoopbackProviders();

  const setup = () => {
    const clock = new ManualClock();
    const registry = new ProviderRegistry(() => ({ anthropic: { apiKey: 'sk-ant-test-key-000000', baseUrl: providers.anthropic.url }, ollama: { host: providers.ollama.url }, endpoints: {} }));
    const breaker = new CircuitBreaker(clock, { threshold: 3, cooldownMs: 60_000 });
    return { clock, breaker, deps: { providers: registry, clock, breaker } };
  };
  const request = () => ({ system: 's', messages: [{ role: 'user' as const, content: 'hi' }], maxTokens: 100, signal: new AbortController().signal });

  it('a 429 with retry-after waits that long on the clock, then the same model answers', async () => {
    const { clock, deps } = setup();
    providers.anthropic.script({ kind: 'error', status: 429, type: 'rate_limit_error', message: 'slow down', headers: { 'retry-after': '7' } }, { kind: 'stream', chunks: ['fine'] });
    const startedAt = clock.now();
    const before = providers.anthropic.requests.length;
    const { events, error } = await drain(clock, routeStream(deps, ['anthropic:claude-a'], request()));
    assert.equal(error, null);
    const retry = events.find((e) => e.type === 'retry');
    assert.equal(retry?.type === 'retry' && retry.delayMs, 7000);
    assert.ok(clock.now() - startedAt >= 7000, 'the retry came after retry-after on the injected clock');
    assert.equal(providers.anthropic.requests.length - before, 2);
    const end = events.find((e) => e.type === 'end');
    assert.equal(end?.type === 'end' && end.model, 'anthropic:claude-a');
  });

  it('529 overloaded three times falls to the next model, which answers; the failing model then cools down until its time passes', async () => {
    const { clock, deps } = setup();
    const overloaded = { kind: 'error', status: 529, type: 'overloaded_error', message: 'overloaded' } as const;
    providers.anthropic.script(overloaded, overloaded, overloaded);
    providers.ollama.script({ kind: 'stream', chunks: ['from the local model'] });
    const before = providers.anthropic.requests.length;
    const first = await drain(clock, routeStream(deps, ['anthropic:claude-a', 'ollama:llama3.2'], request()));
    assert.equal(first.error, null);
    assert.equal(providers.anthropic.requests.length - before, 3);
    assert.deepEqual(first.events.filter((e) => e.type !== 'text' && e.type !== 'usage').map((e) => e.type), ['retry', 'retry', 'cooldown', 'fallback', 'end']);
    const end = first.events.find((e) => e.type === 'end');
    assert.equal(end?.type === 'end' && end.model, 'ollama:llama3.2');

    // In cooldown: skipped without a request.
    providers.ollama.script({ kind: 'stream', chunks: ['again local'] });
    const second = await drain(clock, routeStream(deps, ['anthropic:claude-a', 'ollama:llama3.2'], request()));
    assert.equal(providers.anthropic.requests.length - before, 3);
    assert.deepEqual(second.events[0], { type: 'fallback', from: 'anthropic:claude-a', to: 'ollama:llama3.2', reason: 'cooldown' });

    // After the cooldown the model is tried again.
    clock.advance(60_001);
    providers.anthropic.script({ kind: 'stream', chunks: ['back'] });
    const third = await drain(clock, routeStream(deps, ['anthropic:claude-a', 'ollama:llama3.2'], request()));
    assert.equal(providers.anthropic.requests.length - before, 4);
    const back = third.events.find((e) => e.type === 'end');
    assert.equal(back?.type === 'end' && back.model, 'anthropic:claude-a');
  });

  it('a stream that stalls after its headers times out on the clock, is retried, then the next model answers', async () => {
    const clock = new ManualClock();
    const registry = new ProviderRegistry(() => ({ anthropic: { apiKey: 'sk-ant-test-key-000000', baseUrl: providers.anthropic.url }, ollama: { host: providers.ollama.url }, endpoints: {} }));
    const idleMs = 20_000;
    const deps = { providers: registry, clock, breaker: new CircuitBreaker(clock, { threshold: 5, cooldownMs: 60_000 }), retry: { ...DEFAULT_RETRY, idleMs } };
    // Headers at once, then nothing for a minute of real time: only the router's idle timer can end it.
    const silent: ScriptedReply = { kind: 'stream', chunks: ['late'], firstByteDelayMs: 60_000 };
    providers.anthropic.script(silent, silent, silent);
    providers.ollama.script({ kind: 'stream', chunks: ['in time'] });
    const before = providers.anthropic.requests.length;
    const events: RoutedEvent[] = [];
    let done = false;
    let error: unknown = null;
    const consumer = (async () => {
      try {
        for await (const e of routeStream(deps, ['anthropic:claude-slow', 'ollama:llama3.2'], request())) events.push(e);
      } catch (err) {
        error = err;
      } finally {
        done = true;
      }
    })();
    let stalledSeen = 0;
    let retriesSeen = 0;
    while (!done) {
      await new Promise((r) => setTimeout(r, 5));
      const retries = events.filter((e) => e.type === 'retry').length;
      if (providers.anthropic.requests.length - before > stalledSeen) {
        stalledSeen++;
        await new Promise((r) => setTimeout(r, 20));
        clock.advance(idleMs - 1);
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(done, false, 'nothing gives up before the idle time');
        clock.advance(1);
      } else if (retries > retriesSeen) {
        retriesSeen = retries;
        const last = events.filter((e) => e.type === 'retry').at(-1)!;
        clock.advance(last.type === 'retry' ? last.delayMs : 0);
      }
    }
    await consumer;
    assert.equal(error, null);
    assert.equal(providers.anthropic.requests.length - before, 3, JSON.stringify(events));
    assert.deepEqual(events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.kind), ['timeout', 'timeout']);
    assert.deepEqual(events.find((e) => e.type === 'fallback'), { type: 'fallback', from: 'anthropic:claude-slow', to: 'ollama:llama3.2', reason: 'timeout' });
    const end = events.find((e) => e.type === 'end');
    assert.equal(end?.type === 'end' && end.model, 'ollama:llama3.2');
    await waitFor(() => providers.anthropic.requests.slice(before).every((r) => r.aborted), 'each stalled request was closed');
  });

  it('a bad request is not retried and does not fall back', async () => {
    const { clock, deps } = setup();
    providers.anthropic.script({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'bad' });
    const before = providers.anthropic.requests.length;
    const { error } = await drain(clock, routeStream(deps, ['anthropic:claude-a', 'ollama:llama3.2'], request()));
    assert.match(String(error?.message), /400/);
    assert.equal(providers.anthropic.requests.length - before, 1);
  });

  it('a chat run falls back through its chain, records which model answered, and the UI can see the cooldown', async () => {
    const clock = new ManualClock();
    const t = await startTestCore({ clock, env: providers.env() });
    try {
      await t.client.call('agent.settings.update', { routes: { chat: ['anthropic:claude-a', 'ollama:llama3.2'] } });
      const overloaded = { kind: 'error', status: 529, type: 'overloaded_error', message: 'overloaded' } as const;
      providers.anthropic.script(overloaded, overloaded, overloaded);
      providers.ollama.script({ kind: 'stream', chunks: ['answered locally'] });
      const { runId } = await t.client.call('chat.send', { text: 'hello' });
      await waitFor(async () => {
        if (clock.pendingTimers()) clock.advance(1000);
        return (await t.client.call('runs.get', { runId })).status === 'done';
      });
      const run = await t.client.call('runs.get', { runId });
      assert.equal(run.model, 'ollama:llama3.2');
      const types = t.events.filter((e) => e.runId === runId).map((e) => e.type);
      assert.ok(types.includes('provider.fallback') && types.includes('provider.cooldown'));
      const status = await t.client.call('providers.status', {});
      assert.deepEqual(status.models.map((m) => [m.model, m.state]), [['anthropic:claude-a', 'cooldown']]);
      const shown = await t.client.call('runs.show', { runId });
      assert.deepEqual(shown.usage.byModel.map((m) => m.model), ['ollama:llama3.2']);
      assert.ok(shown.usage.total.inputTokens > 0, 'the local model reported its tokens');
      assert.equal(shown.usage.total.costUsd, 0, 'Ollama models cost nothing');
    } finally {
      await t.close();
    }
  });
});
