import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicLoopback, chunk, startTestCore, waitFor, lastChatRequest } from '../../support/index.js';

describe('chat turns in the master conversation', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());

  it('a message sent while a reply streams waits queued, then sees that reply in its history', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      anthropic.script({ kind: 'stream', chunks: chunk('the first reply', 2), delayMs: 5 }, { kind: 'stream', chunks: ['second'] });
      const first = await t.client.call('chat.send', { text: 'first question' });
      await waitFor(() => t.events.some((e) => e.type === 'message.delta' && e.runId === first.runId));
      const second = await t.client.call('chat.send', { text: 'second question' });
      assert.equal((await t.client.call('runs.get', { runId: second.runId })).status, 'queued');
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId: second.runId })).status, 'done');
      const sent = lastChatRequest(anthropic).body as { messages: { role: string; content: string }[] };
      assert.deepEqual(
        sent.messages.map((m) => [m.role, m.content]),
        [
          ['user', 'first question'],
          ['assistant', 'the first reply'],
          ['user', 'second question'],
        ],
      );
    } finally {
      await t.close();
    }
  });

  it('a queued turn can be cancelled before it starts and never reaches the model', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      anthropic.script({ kind: 'stream', chunks: chunk('slow reply', 1), delayMs: 10 });
      const before = anthropic.requests.length;
      const first = await t.client.call('chat.send', { text: 'one' });
      const queued = await t.client.call('chat.send', { text: 'two' });
      const cancelled = await t.client.call('runs.cancel', { runId: queued.runId });
      assert.equal(cancelled.status, 'cancelled');
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId: first.runId })).status, 'done');
      assert.equal(anthropic.requests.length - before, 1);
      assert.ok(!t.events.some((e) => e.runId === queued.runId && e.type === 'run.status' && e.data.to === 'running'));
    } finally {
      await t.close();
    }
  });

  it('bad arguments get a typed error and change nothing', async () => {
    const t = await startTestCore();
    try {
      const head = t.core.log.head();
      await assert.rejects(t.client.call('chat.send', { text: '   ' }), { code: 'invalid_input', message: /a message needs some text/ });
      await assert.rejects(t.client.call('chat.send', { text: 'x', model: 'gpt:4' }), { code: 'invalid_input' });
      await assert.rejects(t.client.call('runs.cancel', { runId: 'run_nope' }), { code: 'not_found' });
      await assert.rejects(t.client.call('runs.get', {} as never), { code: 'invalid_input' });
      assert.equal(t.core.log.head(), head);
    } finally {
      await t.close();
    }
  });
});
