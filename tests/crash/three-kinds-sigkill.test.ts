import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectWebSocket } from '../../core/gateway/index.js';
import { chunk, gate, waitFor } from '../support/index.js';
import { anthropicForSuite, killHard, restartOn, withHostChild } from './harness.js';

describe('a host killed with runs of three kinds in flight', () => {
  const anthropic = anthropicForSuite();

  it('restarts with the chat, the schedule and the worker run all failed: interrupted, each streaming reply interrupted', async () => {
    // Each reply streams, then holds its last words until the host is gone: still streaming when killed, however slow the machine.
    const held = gate();
    const slow = { kind: 'stream' as const, chunks: chunk('slow words '.repeat(10), 3), delayMs: 20, holdLastChunk: held.promise };
    anthropic().script(slow, slow, slow);
    await withHostChild('three-kinds-child', anthropic(), async (host, dataDir) => {
      const runs = host.ready.runs as Record<'chat' | 'schedule' | 'worker', string>;
      const client = connectWebSocket(host.ready.wsUrl as string);
      const streamed = new Set<string>();
      client.subscribe(0, (event) => {
        if (event.type === 'message.delta' && event.runId) streamed.add(event.runId);
      });
      try {
        await waitFor(() => Object.values(runs).every((id) => streamed.has(id)), 'all three runs streaming');
        for (const id of Object.values(runs)) assert.equal((await client.call('runs.get', { runId: id })).status, 'running');
      } finally {
        client.close();
      }
      await killHard(host);

      await restartOn(dataDir, (core) => {
        assert.deepEqual([...core.recoveredRuns].sort(), Object.values(runs).sort());
        for (const [kind, id] of Object.entries(runs)) {
          const run = core.runs.get(id);
          assert.equal(run.kind, kind);
          assert.equal(run.status, 'failed', kind);
          assert.equal(run.reason, 'interrupted', kind);
          const replies = core.db.prepare("SELECT status, text FROM timeline WHERE run_id = ? AND kind = 'message' AND role = 'assistant'").all(id) as { status: string; text: string }[];
          assert.equal(replies.length, 1, kind);
          assert.equal(replies[0].status, 'interrupted', kind);
          assert.ok(replies[0].text.length > 0, `${kind}: what streamed before the crash is kept`);
        }
        assert.equal(core.db.pragma('integrity_check', { simple: true }), 'ok');
      });
    });
    held.open();
  });
});
