import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';
import { useLoopbackProviders, chunk, startTestCore, waitFor, lastChatRequest, type TestCore } from '../../support/index.js';

describe('a chat turn through the real SDKs', () => {
  const providers = useLoopbackProviders();

  const start = () =>
    startTestCore({ env: providers.env() });

  it('streams an Anthropic reply into the timeline and stores it whole', async () => {
    const t: TestCore = await start();
    try {
      providers.anthropic.script({ kind: 'stream', chunks: chunk('Hello from the loopback server.', 3), delayMs: 2 });
      const { runId } = await t.client.call('chat.send', { text: 'hi there' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'run done');
      const { items } = await t.client.call('timeline.list', {});
      const messages = items.filter((i) => i.kind === 'message');
      assert.equal(messages.length, 2);
      assert.equal(messages[1].kind === 'message' && messages[1].text, 'Hello from the loopback server.');
      assert.equal(messages[1].kind === 'message' && messages[1].status, 'done');
      const request = lastChatRequest(providers.anthropic);
      assert.equal((request.body as { stream: boolean }).stream, true);
      assert.ok([request.headers['x-api-key'], request.headers.authorization].some((h) => String(h).includes('sk-ant-test-key-000000')));
      const run = await t.client.call('runs.get', { runId });
      assert.match(run.model ?? '', /^anthropic:/);
    } finally {
      await t.close();
    }
  });

  it('streams an Ollama reply when the chat model is an Ollama model', async () => {
    const t = await start();
    try {
      providers.ollama.script({ kind: 'stream', chunks: ['Local ', 'model ', 'says hi.'], delayMs: 1 });
      const { runId } = await t.client.call('chat.send', { text: 'hello', model: 'ollama:llama3.2' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'run done');
      const { items } = await t.client.call('timeline.list', {});
      const reply = items.at(-1)!;
      assert.equal(reply.kind === 'message' && reply.text, 'Local model says hi.');
      assert.equal(reply.kind === 'message' && reply.model, 'ollama:llama3.2');
    } finally {
      await t.close();
    }
  });

  it('cancel stops the stream at once and nothing of the run is emitted after cancelled', async () => {
    const t = await start();
    try {
      providers.anthropic.script({ kind: 'stream', chunks: chunk('a'.repeat(400), 2), delayMs: 10 });
      const { runId } = await t.client.call('chat.send', { text: 'tell me a long story' });
      await waitFor(() => t.events.some((e) => e.type === 'message.delta' && e.runId === runId), 'first delta');
      const cancelled = await t.client.call('runs.cancel', { runId });
      assert.equal(cancelled.status, 'cancelled');
      const at = t.events.findIndex((e) => e.type === 'run.status' && e.runId === runId && e.data.to === 'cancelled');
      await new Promise((r) => setTimeout(r, 150));
      await waitFor(() => at >= 0 && t.events.findIndex((e) => e.type === 'run.status' && e.data.to === 'cancelled') >= 0);
      const cancelIndex = t.events.findIndex((e) => e.type === 'run.status' && e.runId === runId && e.data.to === 'cancelled');
      assert.deepEqual(t.events.slice(cancelIndex + 1).filter((e) => e.runId === runId), []);
      const completed = t.events.find((e) => e.type === 'message.completed' && e.runId === runId);
      assert.equal(completed?.type === 'message.completed' && completed.data.status, 'cancelled');
      await waitFor(() => lastChatRequest(providers.anthropic).aborted, 'server saw the client go');
    } finally {
      await t.close();
    }
  });

  it('an Ollama that is not running is a readable timeline error once the retries are spent, not a crash', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadHost = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const clock = new ManualClock();
    const t = await startTestCore({ clock, env: { OLLAMA_HOST: deadHost } });
    try {
      const { runId } = await t.client.call('chat.send', { text: 'hi', model: 'ollama:llama3.2' });
      // The backoff between attempts waits on the injected clock.
      const run = await waitFor(async () => {
        clock.advance(10_000);
        const r = await t.client.call('runs.get', { runId });
        return r.status === 'failed' ? r : null;
      }, 'the run to fail');
      assert.equal(run.error, `Ollama is not reachable at ${deadHost}: is it running?`);
      const shown = t.events.filter((e) => e.type === 'timeline.error' && e.runId === runId);
      assert.equal(shown.length, 1, 'one readable error in the timeline');
      assert.equal(shown[0].type === 'timeline.error' && shown[0].data.message, run.error);
      assert.equal((await t.client.call('system.ping', {})) !== undefined, true, 'core still answers');
    } finally {
      await t.close();
    }
  });

  it('a missing API key is a readable timeline error, not a crash', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_BASE_URL: providers.anthropic.url } });
    try {
      const { runId } = await t.client.call('chat.send', { text: 'hi' });
      const run = await waitFor(async () => {
        const r = await t.client.call('runs.get', { runId });
        return r.status === 'failed' ? r : null;
      });
      assert.equal(run.error, 'no API key set: open Settings or set ANTHROPIC_API_KEY');
      assert.ok(t.events.some((e) => e.type === 'timeline.error' && e.data.message.includes('ANTHROPIC_API_KEY')));
    } finally {
      await t.close();
    }
  });
});
