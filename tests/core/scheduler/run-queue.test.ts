import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicLoopback, chunk, startTestCore, waitFor } from '../../support/index.js';

describe('scheduled runs and the run queue', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());

  it('a scheduled run waits queued while the schedule kind is full and starts when the run before it ends', async () => {
    const t = await startTestCore({
      env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url, PATH: process.env.PATH },
      runLimits: { perKind: { schedule: 1 } },
    });
    try {
      anthropic.script({ kind: 'hang' }, { kind: 'stream', chunks: chunk('The digest.', 3) });
      const a = await t.client.call('schedules.add', { name: 'report', spec: { kind: 'interval', everySeconds: 3600 }, prompt: 'write the report' });
      const b = await t.client.call('schedules.add', { name: 'digest', spec: { kind: 'interval', everySeconds: 3600 }, prompt: 'write the digest' });
      const first = await t.client.call('schedules.runNow', { scheduleId: a.id });
      await waitFor(() => t.core.runs.get(first.runId).status === 'running' && anthropic.requests.length === 1, 'the first scheduled run to reach the model');
      const second = await t.client.call('schedules.runNow', { scheduleId: b.id });
      assert.equal(t.core.runs.get(second.runId).kind, 'schedule');
      assert.deepEqual(t.core.queue.queued(), [{ runId: second.runId, kind: 'schedule' }], 'the second waits in the queue');
      assert.equal(t.core.runs.get(second.runId).status, 'queued');

      await t.client.call('runs.cancel', { runId: first.runId });
      await waitFor(() => t.core.runs.get(second.runId).status === 'done', 'the second scheduled run to finish');
      await t.core.idle();
      const history = await t.client.call('schedules.history', { scheduleId: b.id });
      assert.equal(history.entries[0].runId, second.runId);
      assert.equal(history.entries[0].status, 'ran');
    } finally {
      await t.close();
    }
  });
});
