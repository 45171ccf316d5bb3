import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyTimelineEvent, type TimelineItem } from '../../../core/contract/index.js';
import { AnthropicLoopback, chunk, startTestCore, waitFor } from '../../support/index.js';

describe('the timeline projection', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());

  it('the stored timeline equals the events folded by the shared reducer', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      anthropic.script(
        { kind: 'stream', chunks: chunk('first answer', 3), delayMs: 1 },
        // Not retried: a bad request fails the run at once (overloads are retried and fall back).
        { kind: 'error', status: 400, type: 'invalid_request_error', message: 'bad' },
        { kind: 'stream', chunks: chunk('x'.repeat(300), 2), delayMs: 5 },
      );
      const a = await t.client.call('chat.send', { text: 'one' });
      await t.core.idle();
      const b = await t.client.call('chat.send', { text: 'two' });
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId: b.runId })).status, 'failed');
      const c = await t.client.call('chat.send', { text: 'three' });
      await waitFor(() => t.events.some((e) => e.type === 'message.delta' && e.runId === c.runId));
      await t.client.call('runs.cancel', { runId: c.runId });
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId: a.runId })).status, 'done');

      const index = new Map<string, number>();
      let folded: TimelineItem[] = [];
      for (const event of t.core.log.since(0, 10_000)) folded = applyTimelineEvent(folded, index, event);
      const { items } = await t.client.call('timeline.list', { limit: 1000 });
      assert.deepEqual(items, folded);
      assert.deepEqual(
        items.map((i) => (i.kind === 'message' ? `${i.role}:${i.status}` : i.kind === 'run_status' ? `status:${i.status}` : i.kind === 'error' ? `error:${i.code}` : `tool:${i.tool}`)),
        ['user:done', 'assistant:done', 'user:done', 'assistant:failed', 'error:provider.bad_request', 'status:failed', 'user:done', 'assistant:cancelled', 'status:cancelled'],
      );
    } finally {
      await t.close();
    }
  });

  it('pages go backwards from a seq and say whether older items exist', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      anthropic.always({ kind: 'stream', chunks: ['ok'] });
      for (let i = 0; i < 5; i++) await t.client.call('chat.send', { text: `m${i}` });
      await t.core.idle();
      anthropic.script();
      const newest = await t.client.call('timeline.list', { limit: 4 });
      assert.equal(newest.items.length, 4);
      assert.equal(newest.hasMore, true);
      const older = await t.client.call('timeline.list', { limit: 100, beforeSeq: newest.items[0].seq });
      assert.equal(older.items.length, 6);
      assert.equal(older.hasMore, false);
      assert.ok(older.items.at(-1)!.seq < newest.items[0].seq);
    } finally {
      await t.close();
    }
  });
});
