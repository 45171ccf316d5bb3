import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../../core/app.js';
import { DataDirBusyError, dataPaths } from '../../../core/datadir/index.js';
import { connectWebSocket } from '../../../core/gateway/websocket-client.js';
import { spawnUntilReady, REPO_ROOT } from '../../crash/spawn.js';
import { AnthropicLoopback, WAIT_MS, alive, assertHostClosed, chunk, silentWebSocket, tempDir, waitFor } from '../../support/index.js';
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

  it('without --json it stops cleanly when the program that started it dies with all three of its pipes, though it can no longer say it is stopping', async () => {
    const dir = tempDir();
    try {
      const host = await startTextHost(dir.path);
      // A program killed (even by SIGKILL) closes its ends of the host's input, output and error pipes.
      host.child.stdin!.destroy();
      host.child.stdout!.destroy();
      host.child.stderr!.destroy();
      assert.deepEqual(await host.exited, { code: 0, signal: null });
      assertHostClosed(dir.path);
    } finally {
      dir.cleanup();
    }
  });

  it('under nohup, its output going to no terminal, a hangup (SIGHUP) leaves it running: it says so and still answers', { skip: process.platform === 'win32' && 'no nohup' }, async () => {
    const dir = tempDir();
    try {
      // nohup ignores SIGHUP for what it runs; Node sets it back to its default action at start-up.
      const child = spawn('nohup', [process.execPath, 'bin/agent-blob.js', 'host', '--json', '--no-ui', '--until-stdin-closes', '--data-dir', dir.path], { cwd: REPO_ROOT, env: { ...process.env, ANTHROPIC_API_KEY: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      try {
        await waitFor(() => out.includes('\n') || child.exitCode !== null, `the host printed its address: ${err}`);
        const { wsUrl } = JSON.parse(out.split('\n')[0]) as { wsUrl: string };
        child.kill('SIGHUP');
        await waitFor(() => err.includes('SIGHUP ignored'), `the host said it ignored SIGHUP: ${err}`);
        assert.equal(err, 'agent-blob: SIGHUP ignored: its output does not go to a terminal (stop it with SIGTERM)\n');
        const client = connectWebSocket(wsUrl);
        try {
          assert.equal((await client.call('system.info', {})).dataDir, dir.path, 'it still answers');
        } finally {
          client.close();
        }
        assert.equal(existsSync(dataPaths(dir.path).lock), true, 'and still holds its data folder');
        child.kill('SIGTERM');
        assert.deepEqual(await exited, { code: 0, signal: null }, err);
        assert.equal(existsSync(dataPaths(dir.path).lock), false, 'SIGTERM still stops it cleanly');
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    } finally {
      dir.cleanup();
    }
  });

  it('a Ctrl-C passed on again at once, as npm passes the terminal\'s Ctrl-C on to the script it runs, does not cut its clean stop short', async () => {
    const dir = tempDir();
    try {
      const host = await startTextHost(dir.path);
      // A client that does not answer the close handshake keeps the host closing for a while.
      const client = await silentWebSocket(host.url);
      try {
        host.child.kill('SIGINT');
        await waitFor(() => host.stderr().includes('stopping:'), `the host began to stop: ${host.stderr()}`);
        host.child.kill('SIGINT');
        assert.deepEqual(await host.exited, { code: 0, signal: null }, host.stderr());
        assertHostClosed(dir.path);
      } finally {
        client.destroy();
      }
    } finally {
      dir.cleanup();
    }
  });

  for (const gone of [['stdout'], ['stdout', 'stderr']] as const) {
    it(`without --json it stops cleanly on SIGTERM when nobody reads its ${gone.join(' and its ')} any more`, async () => {
      const dir = tempDir();
      try {
        const host = await startTextHost(dir.path);
        for (const stream of gone) host.child[stream]!.destroy();
        host.child.kill('SIGTERM');
        assert.deepEqual(await host.exited, { code: 0, signal: null }, host.stderr());
        assertHostClosed(dir.path);
        if (!(gone as readonly string[]).includes('stderr')) assert.equal(host.stderr(), 'stopping: cancelling runs and closing connections\n');
      } finally {
        dir.cleanup();
      }
    });
  }
});

/**
 * `agent-blob host --no-ui --until-stdin-closes` without --json, all three of its stdio pipes held by
 * this process, once it has printed its last line of text; `exited` fails (and kills it) after WAIT_MS.
 */
async function startTextHost(dataDir: string): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; stderr(): string; url: string }> {
  const child = spawn(process.execPath, ['bin/agent-blob.js', 'host', '--no-ui', '--until-stdin-closes', '--data-dir', dataDir], { cwd: REPO_ROOT, env: { ...process.env, ANTHROPIC_API_KEY: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  let timer: NodeJS.Timeout | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the host had not exited after ${WAIT_MS} ms: ${err}`));
    }, WAIT_MS);
  }).finally(() => clearTimeout(timer));
  exited.catch(() => undefined);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString();
      if (!out.includes('Press Ctrl-C to stop.\n')) return;
      child.stdout!.off('data', onData);
      resolve(/running at (\S+)/.exec(out)![1]);
    };
    child.stdout!.on('data', onData);
    exited.then((exit) => reject(new Error(`the host exited before it served (${JSON.stringify(exit)}): ${err}`)), reject);
  });
  return { child, exited, stderr: () => err, url };
}
