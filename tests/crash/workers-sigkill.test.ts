import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectWebSocket } from '../../core/gateway/index.js';
import { chunk, gate, waitFor } from '../support/index.js';
import { isWorkerRequest } from '../core/workers/support.js';
import { anthropicForSuite, killHard, restartOn, withHostChild } from './harness.js';

describe('a host killed with workers running', () => {
  const anthropic = anthropicForSuite();

  it('restarts with every worker failed: interrupted, and the chat shows each interrupted worker once, as its result', async () => {
    // Each worker's reply streams, then holds its last words until the host is gone: still streaming when killed, however slow the machine.
    const held = gate();
    anthropic().respond((body) => (isWorkerRequest(body) ? { kind: 'stream', chunks: chunk('slow words '.repeat(10), 3), delayMs: 20, holdLastChunk: held.promise } : null));
    anthropic().script({ kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'read the first book' } }, { name: 'spawn_worker', arguments: { role: 'writer', task: 'draft the second chapter' } }] });
    try {
      await withHostChild('workers-child', anthropic(), async (host, dataDir) => {
        const chat = host.ready.chat as string;
        const client = connectWebSocket(host.ready.wsUrl as string);
        const streaming = new Set<string>();
        client.subscribe(0, (event) => {
          if (event.type === 'message.delta' && event.runId && event.runId !== chat) streaming.add(event.runId);
        });
        let workerIds: string[];
        try {
          await waitFor(() => streaming.size === 2, 'both workers streaming');
          workerIds = [...streaming];
          for (const id of workerIds) assert.equal((await client.call('workers.get', { workerId: id })).status, 'running');
        } finally {
          client.close();
        }
        await killHard(host);

        await restartOn(dataDir, async (core) => {
          assert.deepEqual([...core.recoveredRuns].sort(), [chat, ...workerIds].sort());
          const workers = core.workers.queries.list('all', 10);
          assert.deepEqual(workers.map((w) => [w.status, w.reason, w.parentRunId]), [['failed', 'interrupted', chat], ['failed', 'interrupted', chat]]);
          // The chat thread has one item per interrupted worker: its result, which names the task and can be replied to.
          const { items } = await core.gateway.call('timeline.list', { limit: 200 });
          const tasks = Object.fromEntries(workers.map((w) => [w.id, w.task]));
          for (const id of workerIds) {
            const about = items.filter((i) => i.runId === id || (i.kind === 'error' && i.message.includes(id)));
            assert.deepEqual(
              about.map((i) => [i.kind, i.kind === 'run_result' ? i.status : null, i.kind === 'run_result' ? i.title : null]),
              [['run_result', 'interrupted', tasks[id]]],
              `one item in the chat for worker ${id}`,
            );
          }
          assert.deepEqual(Object.values(tasks).sort(), ['draft the second chapter', 'read the first book']);
        });
      });
    } finally {
      anthropic().respond(null);
      held.open();
    }
  });
});
