import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../../core/app.js';
import { DataDirBusyError, dataPaths } from '../../../core/datadir/index.js';
import { connectWebSocket } from '../../../core/gateway/websocket-client.js';
import { spawnUntilReady, REPO_ROOT } from '../../crash/spawn.js';
import { AnthropicLoopback, alive, chunk, tempDir, waitFor } from '../../support/index.js';
import { runCli } from './cli-support.js';

describe('agent-blob host as a process', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
  });

  it('prints its URL, serves the CLI of other processes, refuses a second core, and shuts down cleanly on SIGTERM', async () => {
    const dir = tempDir();
    try {
      const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url };
      const host = await spawnUntilReady(['bin/agent-blob.js', 'host', '--json', '--no-ui', '--until-stdin-closes', '--data-dir', dir.path], env);
      const { url, wsUrl, port } = host.ready as { url: string; wsUrl: string; port: number };
      assert.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[\\w-]{20,}$`));

      assert.throws(
        () => createCore({ dataDir: dir.path }),
        (err: unknown) => err instanceof DataDirBusyError && err.message.includes(`already running at http://127.0.0.1:${port}/`) && !err.message.includes('token'),
      );

      anthropic.script({ kind: 'stream', chunks: chunk('Hello from another process.', 6), delayMs: 1 });
      const chat = await runCli(['chat', 'hello host', '--data-dir', dir.path], {});
      assert.equal(chat.code, 0, chat.stderr);
      assert.equal(chat.stdout, 'Hello from another process.\n');

      const list = spawnSync(process.execPath, ['bin/agent-blob.js', 'runs', 'list', '--json', '--data-dir', dir.path], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ANTHROPIC_API_KEY: '' } });
      assert.equal(list.status, 0, list.stderr);
      const { runs } = JSON.parse(list.stdout) as { runs: { title: string; status: string }[] };
      assert.deepEqual(runs.map((r) => [r.title, r.status]), [['hello host', 'done']]);

      const watcher = connectWebSocket(wsUrl);
      await watcher.call('system.ping', {});
      const closedWith = new Promise<string>((resolve) => watcher.onState((state, detail) => state === 'closed' && resolve(detail)));

      host.child.kill('SIGTERM');
      const exit = await host.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, host.stderr());
      assert.match(await closedWith, /shutting down \(1001\)/);
      assert.equal(existsSync(dataPaths(dir.path).lock), false, 'the lock is removed');
      assert.doesNotMatch(host.stderr(), /\n\s+at /);
      const after = createCore({ dataDir: dir.path, env: {} });
      assert.equal(after.recoveredRuns.length, 0, 'nothing was left running');
      await after.close();
    } finally {
      dir.cleanup();
    }
  });

  it('on SIGINT (Ctrl-C) mid-reply it ends the run as cancelled because the app closed, exits 0 and leaves nothing running', async () => {
    const dir = tempDir();
    try {
      const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url };
      const host = await spawnUntilReady(['bin/agent-blob.js', 'host', '--json', '--no-ui', '--until-stdin-closes', '--data-dir', dir.path], env);
      anthropic.script({ kind: 'stream', chunks: Array.from({ length: 200 }, (_, i) => `w${i} `), delayMs: 20 });
      const client = connectWebSocket((host.ready as { wsUrl: string }).wsUrl);
      let deltas = 0;
      client.subscribe(0, (event) => {
        if (event.type === 'message.delta') deltas++;
      });
      const { runId } = await client.call('chat.send', { text: 'a long one' });
      await waitFor(() => deltas > 0, 'the reply to be streaming when the signal comes');

      host.child.kill('SIGINT');
      assert.deepEqual(await host.exited, { code: 0, signal: null }, host.stderr());
      client.close();
      assert.equal(existsSync(dataPaths(dir.path).lock), false, 'the lock is removed');
      assert.doesNotMatch(host.stderr(), /\n\s+at /);
      const after = createCore({ dataDir: dir.path, env: {} });
      try {
        assert.equal(after.recoveredRuns.length, 0, 'the run was ended on the way out, not left for recovery');
        const run = await after.gateway.call('runs.get', { runId });
        assert.deepEqual([run.status, run.reason], ['cancelled', 'app_closed']);
        assert.equal(after.db.prepare('PRAGMA integrity_check').pluck().get(), 'ok');
      } finally {
        await after.close();
      }
    } finally {
      dir.cleanup();
    }
  });

  it('with --until-stdin-closes it stops cleanly when the program that started it is killed, and not before', async () => {
    const dir = tempDir();
    try {
      // A program that starts the host with a pipe for its input and says the host's pid, then is SIGKILLed.
      const starter = `
        const { spawn } = require('node:child_process');
        const host = spawn(process.execPath, ['bin/agent-blob.js', 'host', '--json', '--no-ui', '--until-stdin-closes', '--data-dir', process.argv[1]], { stdio: ['pipe', 'pipe', 'inherit'] });
        host.stdout.once('data', (line) => process.stdout.write(line));
        setInterval(() => {}, 1000);`;
      const program = await spawnUntilReady(['-e', starter, dir.path], {});
      const { pid, wsUrl } = program.ready as { pid: number; wsUrl: string };
      const client = connectWebSocket(wsUrl);
      await client.call('system.ping', {});
      assert.ok(alive(pid), 'the host runs while the program that started it does');
      const closedWith = new Promise<string>((resolve) => client.onState((state, detail) => state === 'closed' && resolve(detail)));
      program.child.kill('SIGKILL');
      await program.exited;
      assert.match(await closedWith, /shutting down \(1001\)/, 'the host closed its connections on the way out');
      await waitFor(() => !alive(pid), 'the host to exit after the program that started it was killed');
      assert.equal(existsSync(dataPaths(dir.path).lock), false, 'the lock is removed: it stopped as on SIGTERM');
    } finally {
      dir.cleanup();
    }
  });
});
