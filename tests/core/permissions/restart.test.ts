import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { spawnUntilReady } from '../../crash/spawn.js';
import { startTestCore, tempDir } from '../../support/index.js';

describe('a permission request when the process dies', () => {
  it('is expired at restart, its run failed interrupted, and nothing runs on its behalf', async () => {
    const dir = tempDir();
    const root = join(dir.path, 'root');
    const data = join(dir.path, 'data');
    mkdirSync(root);
    try {
      const child = await spawnUntilReady(['--import', 'tsx', 'tests/core/permissions/pending-child.ts', data, root], {});
      const { runId, requestId, target } = child.ready as { runId: string; requestId: string; target: string };
      child.child.kill('SIGKILL');
      assert.equal((await child.exited).signal, 'SIGKILL');

      const t = await startTestCore({ dataDir: data, allowedRoots: [root], resolveHost: null });
      try {
        const run = await t.client.call('runs.get', { runId });
        assert.equal(run.status, 'failed');
        assert.equal(run.reason, 'interrupted');
        const entry = (await t.client.call('permissions.audit', { runId })).entries.find((e) => e.requestId === requestId)!;
        assert.equal(entry.status, 'decided');
        assert.equal(entry.decision, 'deny');
        assert.equal(entry.decidedBy, 'expiry');
        assert.match(entry.reason, /restart/);
        assert.deepEqual((await t.client.call('permissions.pending', {})).requests, []);
        const ofRun = t.core.log.since(0, 10_000).filter((e) => e.runId === runId).map((e) => e.type === 'run.status' ? `status:${e.data.to}` : e.type);
        assert.deepEqual(ofRun.slice(-2), ['permission.decided', 'status:failed'], 'the request is closed before the run fails');
        const late = await t.client.call('permissions.answer', { requestId, decision: 'allow' });
        assert.equal(late.alreadyAnswered, true, 'an answer after the restart changes nothing');
        await t.core.idle();
        assert.equal(existsSync(target), false, 'the tool never ran');
      } finally {
        await t.close({ keepData: true });
      }
    } finally {
      dir.cleanup();
    }
  });
});
