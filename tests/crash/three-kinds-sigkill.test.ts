import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../core/app.js';
import { connectWebSocket } from '../../core/gateway/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/index.js';
import { AnthropicLoopback, chunk, tempDir, waitFor } from '../support/index.js';
import { spawnUntilReady } from './spawn.js';

describe('a host killed with runs of three kinds in flight', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
  });

  it('restarts with the chat, the schedule and the worker run all failed: interrupted, each streaming reply interrupted', async () => {
    const dir = tempDir();
    try {
      const slow = { kind: 'stream' as const, chunks: chunk('slow words '.repeat(300), 3), delayMs: 20 };
      anthropic.script(slow, slow, slow);
      const host = await spawnUntilReady(['--import', 'tsx', 'tests/crash/three-kinds-child.ts', dir.path], {
        ANTHROPIC_API_KEY: 'sk-ant-test-key-000000',
        ANTHROPIC_BASE_URL: anthropic.url,
      });
      const runs = host.ready.runs as Record<'chat' | 'schedule' | 'worker', string>;
      const client = connectWebSocket(host.ready.wsUrl as string);
      const streamed = new Set<string>();
      client.subscribe(0, (event) => {
        if (event.type === 'message.delta' && event.runId) streamed.add(event.runId);
      });
      try {
        await waitFor(() => Object.values(runs).every((id) => streamed.has(id)), 20_000, 'all three runs streaming');
        for (const id of Object.values(runs)) assert.equal((await client.call('runs.get', { runId: id })).status, 'running');
      } finally {
        client.close();
      }
      host.child.kill('SIGKILL');
      assert.equal((await host.exited).signal, 'SIGKILL');

      const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
      try {
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
      } finally {
        await core.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
