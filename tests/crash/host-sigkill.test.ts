import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLock } from '../../core/datadir/index.js';
import { chunk, waitFor } from '../support/index.js';
import { runCli } from '../core/host/cli-support.js';
import { anthropicForSuite, killHard, restartOn, withHostChild } from './harness.js';

describe('a host killed mid-stream', () => {
  const anthropic = anthropicForSuite();

  it('restarts with the run failed: interrupted, its message interrupted, the database intact and the lock taken over', async () => {
    anthropic().script({ kind: 'stream', chunks: chunk('slow words '.repeat(200), 3), delayMs: 20 });
    await withHostChild('host-child', anthropic(), async (host, dataDir) => {
      // The command line streams the reply from the host, as a person in a terminal would.
      const chat = runCli(['chat', 'tell me something long', '--data-dir', dataDir], {});
      await waitFor(() => chat.output().length >= 6, 'streamed text in the terminal');
      await killHard(host);
      const cli = await chat;
      assert.equal(cli.code, 3, 'the command line reports the app as gone');
      assert.match(cli.stderr, /lost the app while the reply was streaming/);
      assert.doesNotMatch(cli.stderr, /\n\s+at /);
      const stale = readLock(`${dataDir}/agent-blob.lock`);
      assert.equal(stale?.pid, host.ready.pid, 'the dead host left its lock behind');

      await restartOn(dataDir, (core) => {
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
      });
    });
  });
});
