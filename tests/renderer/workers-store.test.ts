import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Core } from '../../core/app.js';
import { connectInProcess } from '../../core/gateway/inprocess.js';
import { activeWorkerCount, createAppStore, startAppStore } from '../../renderer/store/index.js';
import { startTestCore, waitFor } from '../support/index.js';

function spawnRecorded(core: Core, task: string): string {
  return core.log.transaction(() => {
    const runId = core.runs.create({ kind: 'worker', title: task });
    core.log.append('worker.spawned', { role: 'researcher', task, parentRunId: null, depth: 1 }, runId);
    return runId;
  });
}

const usage = { model: 'claude-loopback', purpose: 'worker' as const, inputTokens: 10, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0.01 };

test('the workers slice matches the registry after loading and while following events, counting usage once', async () => {
  const t = await startTestCore();
  const client = connectInProcess(t.core.gateway, { reconnect: true });
  try {
    // Before the window loads: a worker that has already used tokens, so the replay from the
    // timeline's head must not count them again.
    const first = spawnRecorded(t.core, 'read the logs');
    t.core.log.transaction(() => {
      t.core.runs.transition(first, 'running');
      t.core.log.append('run.usage', usage, first);
    });
    const store = createAppStore(client);
    const stop = await startAppStore(store, client);
    const second = spawnRecorded(t.core, 'write the summary');
    t.core.log.transaction(() => {
      t.core.runs.transition(second, 'running');
      t.core.log.append('message.created', { messageId: 'w2m1', role: 'assistant', text: '', status: 'streaming' }, second);
      t.core.log.append('message.delta', { messageId: 'w2m1', text: 'Dear team' }, second);
      t.core.log.append('run.usage', usage, first);
    });
    await waitFor(() => store.getState().workers[second]?.step === 'writing', 'the second worker writing');
    assert.equal(activeWorkerCount(store.getState().workers), 2);
    t.core.log.transaction(() => t.core.runs.transition(first, 'cancelled', { reason: 'cancelled_by_user' }));
    await waitFor(() => store.getState().workers[first]?.status === 'cancelled', 'the first cancelled');
    const { workers } = await client.call('workers.list', { status: 'all' });
    for (const w of workers) assert.deepEqual(store.getState().workers[w.id], w, `the store agrees with the registry on ${w.task}`);
    assert.equal(store.getState().workers[first].tokens, 30);
    assert.equal(activeWorkerCount(store.getState().workers), 1);
    stop();
  } finally {
    client.close();
    await t.close();
  }
});
