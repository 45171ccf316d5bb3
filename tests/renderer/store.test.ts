import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Core } from '../../core/app.js';
import { connectInProcess } from '../../core/gateway/inprocess.js';
import { createAppStore, currentChatRun, startAppStore } from '../../renderer/store/index.js';
import { TIMELINE_PAGE_SIZE } from '../../renderer/store/timeline.js';
import { AnthropicLoopback, chunk, startTestCore, waitFor } from '../support/index.js';

function appendMessages(core: Core, from: number, count: number): void {
  core.log.transaction(() => {
    for (let i = from; i < from + count; i++) {
      core.log.append('message.created', { messageId: `m${i}`, role: i % 2 ? 'assistant' : 'user', text: `message ${i}`, status: 'done' }, null);
    }
  });
}

test('the timeline slice loads the newest page, follows new events and pages back to the oldest item without duplicates', async () => {
  const t = await startTestCore();
  const client = connectInProcess(t.core.gateway, { reconnect: true });
  try {
    const total = TIMELINE_PAGE_SIZE * 2 + 17;
    appendMessages(t.core, 0, total);
    const store = createAppStore(client);
    const stop = await startAppStore(store, client);
    let state = store.getState();
    assert.equal(state.timelineStatus, 'ready');
    assert.equal(state.timelineItems.length, TIMELINE_PAGE_SIZE);
    assert.equal(state.timelineItems.at(-1)?.id, `m${total - 1}`);
    assert.equal(state.hasOlder, true);

    appendMessages(t.core, total, 3);
    await waitFor(() => store.getState().timelineItems.at(-1)?.id === `m${total + 2}`, 'live events');

    while (store.getState().hasOlder) await store.getState().loadOlder();
    state = store.getState();
    const ids = state.timelineItems.map((item) => item.id);
    assert.equal(ids.length, total + 3);
    assert.deepEqual(ids, Array.from({ length: total + 3 }, (_, i) => `m${i}`), 'every item once, oldest first');
    const { items } = await client.call('timeline.list', { limit: 20_000 });
    assert.deepEqual(state.timelineItems, items, 'the same items as the core projection');
    stop();
  } finally {
    client.close();
    await t.close();
  }
});

test('a chat turn streams into the store, and Stop cancels it and clears it from the active runs', async () => {
  const anthropic = await AnthropicLoopback.start();
  const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
  const client = connectInProcess(t.core.gateway, { reconnect: true });
  try {
    anthropic.script({ kind: 'stream', chunks: chunk('a '.repeat(400), 2), delayMs: 20 });
    const store = createAppStore(client);
    const stop = await startAppStore(store, client);
    assert.equal(store.getState().connectionState, 'open');
    await store.getState().sendChat('go on for a while');
    const run = await waitFor(() => currentChatRun(store.getState().activeRuns), 'the active run');
    await waitFor(
      () => store.getState().timelineItems.some((i) => i.kind === 'message' && i.role === 'assistant' && i.status === 'streaming' && i.text.length > 0),
      'streamed text',
    );
    await store.getState().cancelRun(run.id);
    await waitFor(() => !currentChatRun(store.getState().activeRuns), 'the run to end');
    const items = store.getState().timelineItems;
    assert.ok(items.some((i) => i.kind === 'run_status' && i.status === 'cancelled' && i.runId === run.id));
    assert.ok(items.some((i) => i.kind === 'message' && i.role === 'assistant' && i.status === 'cancelled'));
    assert.deepEqual(store.getState().cancelling, {});
    stop();
  } finally {
    client.close();
    await t.close();
    await anthropic.close();
  }
});

test('a chat message the core refuses rejects with a readable reason', async () => {
  const t = await startTestCore();
  const client = connectInProcess(t.core.gateway, { reconnect: true });
  try {
    const store = createAppStore(client);
    const stop = await startAppStore(store, client);
    await assert.rejects(store.getState().sendChat('   '), /a message needs some text/);
    stop();
  } finally {
    client.close();
    await t.close();
  }
});

test('a timeline that cannot be loaded shows an error state instead of an empty timeline', async () => {
  const t = await startTestCore();
  const client = connectInProcess(t.core.gateway, { reconnect: true });
  try {
    t.core.db.exec('DROP TABLE timeline');
    const store = createAppStore(client);
    await assert.rejects(startAppStore(store, client));
    const state = store.getState();
    assert.equal(state.timelineStatus, 'error');
    assert.match(state.timelineError ?? '', /^The timeline could not be loaded: /);
    assert.doesNotMatch(state.timelineError ?? '', /at \w+ \(/, 'no stack trace');
  } finally {
    client.close();
    await t.close();
  }
});
