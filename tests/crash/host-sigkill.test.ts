import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../core/app.js';
import type { AppEvent } from '../../core/contract/index.js';
import { readLock } from '../../core/datadir/index.js';
import { connectWebSocket } from '../../core/gateway/websocket-client.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { AnthropicLoopback, chunk, tempDir, waitFor } from '../support/index.js';
import { spawnUntilReady } from './spawn.js';

describe('a host killed mid-stream', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
  });

  it('restarts with the run failed: interrupted, its message interrupted, the database intact and the lock taken over', async () => {
    const dir = tempDir();
    try {
      anthropic.script({ kind: 'stream', chunks: chunk('slow words '.repeat(200), 3), delayMs: 20 });
      const host = await spawnUntilReady(['--import', 'tsx', 'tests/crash/host-child.ts', dir.path], {
        ANTHROPIC_API_KEY: 'sk-ant-test-key-000000',
        ANTHROPIC_BASE_URL: anthropic.url,
      });
      const client = connectWebSocket(String(host.ready.wsUrl));
      const events: AppEvent[] = [];
      client.subscribe(0, (event) => events.push(event));
      const { runId, messageId } = await client.call('chat.send', { text: 'tell me something long' });
      await waitFor(() => events.filter((e) => e.type === 'message.delta' && e.runId === runId).length >= 2, 10_000, 'streamed deltas');
      host.child.kill('SIGKILL');
      const { signal } = await host.exited;
      assert.equal(signal, 'SIGKILL');
      client.close();
      const stale = readLock(`${dir.path}/agent-blob.lock`);
      assert.equal(stale?.pid, host.ready.pid, 'the dead host left its lock behind');

      const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
      try {
        assert.deepEqual(core.recoveredRuns, [runId]);
        const run = core.runs.get(runId);
        assert.equal(run.status, 'failed');
        assert.equal(run.reason, 'interrupted');
        const assistant = (core.db.prepare("SELECT id, status, text FROM timeline WHERE run_id = ? AND kind = 'message' AND id != ?").all(runId, messageId) as { status: string; text: string }[]);
        assert.equal(assistant.length, 1);
        assert.equal(assistant[0].status, 'interrupted');
        assert.ok(assistant[0].text.length > 0 && 'slow words '.repeat(200).startsWith(assistant[0].text), 'the text streamed before the crash is kept');
        assert.equal(core.db.pragma('integrity_check', { simple: true }), 'ok');
        assert.equal(readLock(core.paths.lock)?.pid, process.pid, 'the lock was taken over');
        const last = core.log.since(0, 100_000).filter((e) => e.runId === runId).at(-1)!;
        assert.equal(last.type === 'run.status' && last.data.to, 'failed');
      } finally {
        await core.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
