import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentExecutor } from '../../../core/agent/index.js';
import { CircuitBreaker, ProviderError, type ModelProvider, type ModelRequest, type StreamEvent } from '../../../core/providers/index.js';
import { startTestCore, useLoopbackProviders, waitFor } from '../../support/index.js';
import { chat } from './helpers.js';

/** Streams a few words, then ends its request as cancelled though nobody aborted it (a server cutting the stream, an SDK abort). */
function providerThatCancelsItself(id: string): ModelProvider {
  return {
    id,
    async *stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      assert.equal(request.signal.aborted, false);
      yield { type: 'text', text: 'half an ans' };
      throw new ProviderError(id, 'cancelled', 'the request was aborted');
    },
    probe: async () => ({ ok: true, detail: 'test' }),
  };
}

describe('how a run ends when its model stops', () => {
  const providers = useLoopbackProviders();

  it('a provider that ends its request as cancelled leaves the run cancelled with the reason, not done', async () => {
    const t = await startTestCore({ env: providers.env(), providers: { ollama: providerThatCancelsItself('ollama') } });
    try {
      const { run, events } = await chat(t, 'tell me something', 'ollama:llama3.2');
      assert.equal(run.status, 'cancelled');
      assert.equal(run.reason, 'provider_cancelled');
      assert.match(run.error ?? '', /provider ended the request as cancelled/);
      const reply = events.find((e) => e.type === 'message.completed' && e.data.messageId.startsWith(run.id));
      assert.ok(reply && reply.type === 'message.completed');
      assert.equal(reply.data.status, 'cancelled', 'the half-written reply is closed as cancelled');
      assert.equal(events.at(-1)?.type, 'run.status', 'nothing of the run follows its end');
    } finally {
      await t.close();
    }
  });

  it('a run the user cancels still ends cancelled_by_user, whatever its executor returns afterwards', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      providers.anthropic.script({ kind: 'hang' });
      const asked = providers.anthropic.requests.length;
      const { runId } = await t.client.call('chat.send', { text: 'wait for it' });
      await waitFor(() => providers.anthropic.requests.length > asked, 'the model request');
      const cancelled = await t.client.call('runs.cancel', { runId });
      assert.equal(cancelled.status, 'cancelled');
      await t.core.idle();
      const run = await t.client.call('runs.get', { runId });
      assert.equal(run.reason, 'cancelled_by_user');
      assert.equal(t.events.filter((e) => e.runId === runId && e.type === 'run.status' && e.data.to === 'cancelled').length, 1);
    } finally {
      await t.close();
    }
  });

  it('a failure that is not a provider error, while an Ollama model is tried, is recorded against ollama and replays exactly', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      // The breaker cannot tell whether the model may be tried: a plain error, before any request.
      class UnreadableBreaker extends CircuitBreaker {
        override blockedUntil(model: string): number | null {
          if (model.startsWith('ollama:')) throw new Error('breaker state unreadable');
          return super.blockedUntil(model);
        }
      }
      const runtime = { ...t.core.agent, breaker: new UnreadableBreaker(t.core.clock) };
      const { runId } = t.core.queue.enqueue({
        kind: 'chat',
        title: 'plain failure',
        executor: () => agentExecutor(runtime, { purpose: 'chat', userMessageSeq: 0, messages: [{ role: 'user', content: 'hello' }], model: 'ollama:llama3.2' }),
      });
      const run = await t.core.queue.ended(runId);
      assert.equal(run.status, 'failed');
      assert.equal(run.reason, 'internal');
      const step = t.core.db.prepare("SELECT data FROM agent_recordings WHERE run_id = ? AND kind = 'model'").get(runId) as { data: string };
      const recorded = JSON.parse(step.data) as { error: { provider: string | null; kind: string | null; message: string } };
      assert.deepEqual(recorded.error, { provider: 'ollama', kind: null, message: 'breaker state unreadable', status: null });
      const replay = await t.client.call('runs.replay', { runId });
      assert.equal(replay.matches, true, JSON.stringify(replay.firstDifference));
    } finally {
      await t.close();
    }
  });
});
