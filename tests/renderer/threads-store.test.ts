import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectInProcess } from '../../core/gateway/inprocess.js';
import { createAppStore, startAppStore } from '../../renderer/store/index.js';
import { AnthropicLoopback, chunk, startTestCore, waitFor } from '../support/index.js';

test('the window’s master timeline keeps the chat thread and the results; a schedule’s thread opened on its own follows its next run live; a reply sends replyTo once', async () => {
  const anthropic = await AnthropicLoopback.start();
  const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
  const client = connectInProcess(t.core.gateway, { reconnect: true });
  try {
    anthropic.script(
      { kind: 'stream', chunks: chunk('FIRST-REPORT all quiet.', 4) },
      { kind: 'stream', chunks: chunk('SECOND-REPORT one alert.', 3), delayMs: 10 },
      { kind: 'stream', chunks: chunk('Noted.', 3) },
    );
    const store = createAppStore(client);
    const stop = await startAppStore(store, client);
    const s = await client.call('schedules.add', { name: 'Watch', spec: { kind: 'interval', everySeconds: 3600 }, prompt: 'watch things' });
    const first = await client.call('schedules.runNow', { scheduleId: s.id });
    await waitFor(() => store.getState().timelineItems.some((i) => i.kind === 'run_result' && i.runId === first.runId), 'the first result in the window');
    assert.ok(!store.getState().timelineItems.some((i) => i.runId === first.runId && i.kind !== 'run_result'), 'none of the run’s own items in the master timeline');

    await store.getState().showThread(`schedule:${s.id}`, 'Watch', first.runId);
    assert.deepEqual(store.getState().openThread?.items.map((i) => (i.kind === 'message' ? i.text : i.kind)), ['FIRST-REPORT all quiet.']);
    const second = await client.call('schedules.runNow', { scheduleId: s.id });
    await waitFor(() => store.getState().openThread?.items.some((i) => i.kind === 'message' && i.runId === second.runId && i.text === 'SECOND-REPORT one alert.'), 'the next run, live in the open thread');
    await waitFor(() => store.getState().timelineItems.some((i) => i.kind === 'run_result' && i.runId === second.runId), 'its result in the master timeline');
    assert.ok(!store.getState().timelineItems.some((i) => i.kind === 'message' && i.runId === second.runId));
    assert.ok(store.getState().openThread?.items.every((i) => i.threadId === `schedule:${s.id}`));
    store.getState().closeThread();

    const result = store.getState().timelineItems.find((i) => i.kind === 'run_result' && i.runId === second.runId)!;
    store.getState().setReplyTo({ itemId: result.id, name: 'Watch' });
    await store.getState().sendChat('what alert?');
    assert.equal(store.getState().replyTo, null, 'the reply is sent once');
    await waitFor(() => store.getState().timelineItems.some((i) => i.kind === 'message' && i.role === 'user' && i.replyTo === result.id), 'the message that replies');
    stop();
  } finally {
    client.close();
    await t.close();
    await anthropic.close();
  }
});
