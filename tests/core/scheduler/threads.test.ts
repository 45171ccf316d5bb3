import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicLoopback, chunk, startTestCore, waitFor, lastChatRequest } from '../../support/index.js';

describe('threads', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());

  it('a scheduled run writes into its schedule’s thread, and the next chat request carries neither its prompt nor its report', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url, PATH: process.env.PATH } });
    try {
      anthropic.script(
        { kind: 'stream', chunks: chunk('Earlier chat answer.', 4) },
        { kind: 'stream', chunks: chunk('QUARTERLY-REPORT-BODY all numbers up.', 4) },
        { kind: 'stream', chunks: chunk('Hello again.', 4) },
      );
      const first = await t.client.call('chat.send', { text: 'an earlier chat message' });
      await waitFor(() => t.core.runs.get(first.runId).status === 'done', 'the first chat turn');
      const s = await t.client.call('schedules.add', { name: 'report', spec: { kind: 'interval', everySeconds: 3600 }, prompt: 'WRITE-THE-QUARTERLY-REPORT' });
      const ran = await t.client.call('schedules.runNow', { scheduleId: s.id });
      await waitFor(() => t.core.runs.get(ran.runId).status === 'done', 'the scheduled run');
      const { runId } = await t.client.call('chat.send', { text: 'hello' });
      await waitFor(() => t.core.runs.get(runId).status === 'done', 'the chat turn');
      await t.core.idle();

      const threads = t.core.db.prepare("SELECT DISTINCT thread_id FROM timeline WHERE run_id = ? AND kind != 'run_result'").pluck().all(ran.runId);
      assert.deepEqual(threads, [`schedule:${s.id}`]);
      const posted = t.core.db.prepare("SELECT thread_id FROM timeline WHERE run_id = ? AND kind = 'run_result'").pluck().all(ran.runId);
      assert.deepEqual(posted, ['chat'], 'its result, and only that, is in the chat thread');
      assert.equal(t.core.runs.threadOf(runId), 'chat');
      const chatRequest = JSON.stringify(lastChatRequest(anthropic).body);
      assert.match(chatRequest, /an earlier chat message/, 'the chat thread’s own history is there');
      assert.match(chatRequest, /Earlier chat answer/);
      assert.doesNotMatch(chatRequest, /WRITE-THE-QUARTERLY-REPORT/);
      assert.doesNotMatch(chatRequest, /QUARTERLY-REPORT-BODY/);
    } finally {
      await t.close();
    }
  });
});
