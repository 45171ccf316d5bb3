import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { followLogs, readLogs } from '../../../core/logs/index.js';
import { buildCli, whyRebuild } from '../../../scripts/build-cli.mjs';
import { REPO_ROOT } from '../../crash/spawn.js';
import { createFileLogger } from '../../../core/util/logger.js';
import { runCli } from '../host/cli-support.js';
import { WAIT_MS, startTestCore, tempDir, useLoopbackProviders, waitFor } from '../../support/index.js';

describe('logs', () => {
  const providers = useLoopbackProviders();

  it('rotate by size: at most keep + 1 files, none past the limit, read back oldest first with only the oldest lines gone', () => {
    const dir = tempDir();
    try {
      const logs = join(dir.path, 'logs');
      const logger = createFileLogger(join(logs, 'agent-blob.log'), { maxBytes: 2000, keep: 3 });
      for (let i = 0; i < 200; i++) logger.log('info', 'line', { i, pad: 'x'.repeat(40) });
      const files = readdirSync(logs).sort();
      assert.deepEqual(files, ['agent-blob.1.log', 'agent-blob.2.log', 'agent-blob.3.log', 'agent-blob.log']);
      for (const file of files) assert.ok(statSync(join(logs, file)).size <= 2000, `${file} is ${statSync(join(logs, file)).size} bytes`);
      const read = readLogs(logs).map((e) => e.i as number);
      assert.ok(read.length > 40 && read.length < 200, `${read.length} lines kept`);
      assert.equal(read.at(-1), 199, 'the newest line is kept');
      assert.deepEqual(read, Array.from({ length: read.length }, (_, k) => 200 - read.length + k), 'in order, no gap');
      assert.equal(statSync(join(logs, 'agent-blob.log')).mode & 0o777, 0o600);
    } finally {
      dir.cleanup();
    }
  });

  it('every line about a run carries its runId, tool lines their toolCallId and permission lines their requestId; logs --run shows that run alone', async () => {
    const dir = tempDir();
    const root = join(dir.path, 'root');
    mkdirSync(root);
    // The real file logger, as the app uses it.
    const t = await startTestCore({ dataDir: join(dir.path, 'data'), logger: undefined, allowedRoots: [root], resolveHost: null, env: providers.env() });
    let runId = '';
    try {
      providers.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'plan.md', text: 'plan' } }] },
        { kind: 'stream', chunks: ['Written.'] },
        { kind: 'stream', chunks: ['Another run.'] },
      );
      ({ runId } = await t.client.call('chat.send', { text: 'write my plan' }));
      const request = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 'the permission request');
      await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'allow' });
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId })).status, 'done');
      const other = await t.client.call('chat.send', { text: 'and something else' });
      await t.core.idle();

      const entries = readLogs(join(t.dataDir, 'logs'));
      const aboutRun = entries.filter((e) => JSON.stringify(e).includes(runId));
      assert.ok(aboutRun.length >= 8, `${aboutRun.length} lines about the run`);
      for (const entry of aboutRun) assert.equal(entry.runId, runId, `a line about the run without its runId: ${JSON.stringify(entry)}`);
      const messages = aboutRun.map((e) => e.msg);
      for (const msg of ['run created', 'run running', 'permission asked', 'permission allowed', 'tool started', 'tool completed', 'run done']) {
        assert.ok(messages.includes(msg), `"${msg}" is logged (got ${messages.join(', ')})`);
      }
      const started = t.events.find((e) => e.type === 'tool.started' && e.runId === runId);
      assert.ok(started?.type === 'tool.started');
      const toolLines = aboutRun.filter((e) => e.msg.startsWith('tool '));
      assert.equal(toolLines.length, 2);
      for (const entry of toolLines) assert.equal(entry.toolCallId, started.data.callId);
      for (const entry of aboutRun.filter((e) => e.msg.startsWith('permission '))) assert.equal(entry.requestId, request.requestId);
      assert.ok(entries.some((e) => e.runId === other.runId), 'the other run is logged too');

      const cli = await runCli(['logs', '--run', runId, '--json', '--data-dir', t.dataDir], {});
      assert.equal(cli.code, 0, cli.stderr);
      const printed = cli.stdout.trim().split('\n').map((l) => JSON.parse(l) as { runId: string; msg: string });
      assert.deepEqual(printed.map((e) => e.msg), aboutRun.map((e) => e.msg));
      const warnings = await runCli(['logs', '--level', 'warn', '--data-dir', t.dataDir], {});
      assert.equal(warnings.code, 0);
      assert.doesNotMatch(warnings.stdout, / info /, 'no info line at --level warn');
      const text = await runCli(['logs', '--run', runId, '--lines', '1', '--data-dir', t.dataDir], {});
      assert.match(text.stdout, new RegExp(`^\\S+ info  run done  runId=${runId} .*from=running to=done\\n$`));
    } finally {
      await t.close();
      dir.cleanup();
    }
  });

  it('logs --follow prints the lines written after it started, across a rotation, until Ctrl-C', async () => {
    const dir = tempDir();
    try {
      const logs = join(dir.path, 'logs');
      const logger = createFileLogger(join(logs, 'agent-blob.log'), { maxBytes: 600, keep: 5 });
      logger.log('info', 'before', { runId: 'r_old' });
      logger.log('info', 'first', { runId: 'r_1' });
      const interrupt = new AbortController();
      const follow = runCli(['logs', '--follow', '--run', 'r_1', '--data-dir', dir.path], {}, interrupt);
      // Printed by the reading part; whatever comes next, only the following part can print.
      await waitFor(() => follow.output().includes(' first '), 'the lines already written');
      for (let i = 0; i < 12; i++) logger.log('info', `step ${i}`, { runId: i % 2 ? 'r_2' : 'r_1', pad: 'y'.repeat(30) });
      assert.ok(readdirSync(logs).includes('agent-blob.2.log'), 'the log rotated more than once meanwhile');
      await waitFor(() => follow.output().includes('step 10'), 'the last line of run r_1');
      interrupt.abort();
      const result = await follow;
      assert.equal(result.code, 0);
      const shown = result.stdout.trim().split('\n').map((l) => / (step \d+) /.exec(l)?.[1]);
      assert.deepEqual(shown, [undefined, 'step 0', 'step 2', 'step 4', 'step 6', 'step 8', 'step 10']);
      assert.match(result.stdout.split('\n')[0], / first {2}runId=r_1$/);
    } finally {
      dir.cleanup();
    }
  });

  it('following leaves no listener behind on the stop signal for each look at the file', async () => {
    const dir = tempDir();
    const stop = new AbortController();
    try {
      const logger = createFileLogger(join(dir.path, 'agent-blob.log'));
      const seen: string[] = [];
      const following = followLogs(dir.path, {}, (entry) => seen.push(entry.msg), stop.signal, { pollMs: 5 });
      // Each line is printed by a look of its own, after the one before was seen.
      for (let i = 0; i < 20; i++) {
        logger.log('info', `line ${i}`);
        await waitFor(() => seen.includes(`line ${i}`), `line ${i} followed`);
      }
      assert.ok(getEventListeners(stop.signal, 'abort').length <= 1, `${getEventListeners(stop.signal, 'abort').length} listeners after 20 looks or more`);
      stop.abort();
      await following;
      assert.equal(getEventListeners(stop.signal, 'abort').length, 0);
    } finally {
      stop.abort();
      dir.cleanup();
    }
  });

  it('logs --follow ends, exit 0 and nothing on stderr, once the program reading its output has gone (`| head -n 1`)', async () => {
    if (whyRebuild()) await buildCli();
    const dir = tempDir();
    try {
      const logger = createFileLogger(join(dir.path, 'logs', 'agent-blob.log'));
      logger.log('info', 'first');
      const child = spawn(process.execPath, ['bin/agent-blob.js', 'logs', '--follow', '--data-dir', dir.path], { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      let timer: NodeJS.Timeout | undefined;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
        child.once('close', (code, signal) => resolve({ code, signal }));
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`logs --follow had not ended ${WAIT_MS} ms after its reader left: ${stderr}`));
        }, WAIT_MS);
      }).finally(() => clearTimeout(timer));
      exited.catch(() => undefined);
      // The reader takes the first line and goes; the next line written has nobody to go to.
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        exited.then((exit) => reject(new Error(`logs --follow ended before printing (${JSON.stringify(exit)}): ${stderr}`)), reject);
      });
      child.stdout.destroy();
      logger.log('info', 'second');
      assert.deepEqual(await exited, { code: 0, signal: null }, stderr);
      assert.equal(stderr, '');
    } finally {
      dir.cleanup();
    }
  });

  it('refuses a level it does not know, and a stray argument, with a usage error', async () => {
    const dir = tempDir();
    try {
      const bad = await runCli(['logs', '--level', 'loud', '--data-dir', dir.path], {});
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--level must be one of debug, info, warn, error/);
      const stray = await runCli(['logs', 'r_1', '--data-dir', dir.path], {});
      assert.equal(stray.code, 2);
      const empty = await runCli(['logs', '--data-dir', dir.path], {});
      assert.equal(empty.code, 0, 'no logs yet is not an error');
      assert.equal(empty.stdout, '');
    } finally {
      dir.cleanup();
    }
  });
});
