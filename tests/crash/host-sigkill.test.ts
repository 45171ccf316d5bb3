import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../core/app.js';
import { readLock } from '../../core/datadir/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { AnthropicLoopback, chunk, tempDir, waitFor } from '../support/index.js';
import { runCli } from '../core/host/cli-support.js';
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
      // The command line streams the reply from the host, as a person in a terminal would.
      const chat = runCli(['chat', 'tell me something long', '--data-dir', dir.path], {});
      await waitFor(() => chat.output().length >= 6, 'streamed text in the terminal');
      host.child.kill('SIGKILL');
      const { signal } = await host.exited;
      assert.equal(signal, 'SIGKILL');
      const cli = await chat;
      assert.equal(cli.code, 3, 'the command line reports the app as gone');
      assert.match(cli.stderr, /lost the app while the reply was streaming/);
      assert.doesNotMatch(cli.stderr, /\n\s+at /);
      const stale = readLock(`${dir.path}/agent-blob.lock`);
      assert.equal(stale?.pid, host.ready.pid, 'the dead host left its lock behind');

      const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
      try {
        assert.equal(core.recoveredRuns.length, 1);
        const [runId] = core.recoveredRuns;
        const run = core.runs.get(runId);
        assert.equal(run.status, 'failed');
        assert.equal(run.reason, 'interrupted');
        const assistant = core.db.prepare("SELECT id, status, text FROM timeline WHERE run_id = ? AND kind = 'message' AND role = 'assistant'").all(runId) as { status: string; text: string }[];
        assert.equal(assistant.length, 1);
        assert.equal(assistant[0].status, 'interrupted');
        assert.ok(assistant[0].text.length > 0 && 'slow words '.repeat(200).startsWith(assistant[0].text), 'the text streamed before the crash is kept');
        assert.ok(assistant[0].text.startsWith(cli.stdout.trim()), 'what the terminal showed was stored');
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
