import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../core/app.js';
import { connectWebSocket } from '../../core/gateway/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/index.js';
import { AnthropicLoopback, chunk, tempDir, waitFor } from '../support/index.js';
import { isWorkerRequest } from '../core/workers/support.js';
import { spawnUntilReady } from './spawn.js';

describe('a host killed with workers running', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
  });

  it('restarts with every worker failed: interrupted, and the parent\'s timeline says which', async () => {
    const dir = tempDir();
    try {
      anthropic.respond((body) => (isWorkerRequest(body) ? { kind: 'stream', chunks: chunk('slow words '.repeat(300), 3), delayMs: 20 } : null));
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'read the first book' } }, { name: 'spawn_worker', arguments: { role: 'writer', task: 'draft the second chapter' } }] });
      const host = await spawnUntilReady(['--import', 'tsx', 'tests/crash/workers-child.ts', dir.path], { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url });
      const chat = host.ready.chat as string;
      const client = connectWebSocket(host.ready.wsUrl as string);
      const streaming = new Set<string>();
      client.subscribe(0, (event) => {
        if (event.type === 'message.delta' && event.runId && event.runId !== chat) streaming.add(event.runId);
      });
      let workerIds: string[];
      try {
        await waitFor(() => streaming.size === 2, 20_000, 'both workers streaming');
        workerIds = [...streaming];
        for (const id of workerIds) assert.equal((await client.call('workers.get', { workerId: id })).status, 'running');
      } finally {
        client.close();
      }
      host.child.kill('SIGKILL');
      assert.equal((await host.exited).signal, 'SIGKILL');

      const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
      try {
        assert.deepEqual([...core.recoveredRuns].sort(), [chat, ...workerIds].sort());
        const workers = core.workers.queries.list('all', 10);
        assert.deepEqual(workers.map((w) => [w.status, w.reason, w.parentRunId]), [['failed', 'interrupted', chat], ['failed', 'interrupted', chat]]);
        const told = core.db.prepare("SELECT text FROM timeline WHERE run_id = ? AND kind = 'error' AND code = 'worker_interrupted'").all(chat) as { text: string }[];
        assert.equal(told.length, 2);
        assert.ok(told.some((r) => r.text.includes('read the first book')) && told.some((r) => r.text.includes('draft the second chapter')));
      } finally {
        await core.close();
      }
    } finally {
      anthropic.respond(null);
      dir.cleanup();
    }
  });
});
