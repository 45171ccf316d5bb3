import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectWebSocket } from '../../core/gateway/websocket-client.js';
import { assertHostClosed, silentWebSocket, tempDir, waitFor, WAIT_MS } from '../support/index.js';
import { noPty, onClosingTerminal } from '../support/terminal.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
const dirs: { cleanup(): void }[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) dir.cleanup();
});

interface Started {
  child: ChildProcess;
  lines: string[];
  url: string;
  dataDir: string;
}

/**
 * Runs `bin/start.js --until-stdin-closes` with a temp data folder until it prints the host URL. Its
 * input is a pipe this process holds, so it stops with this process however that ends.
 */
async function startLauncher(env: NodeJS.ProcessEnv): Promise<Started> {
  const dir = tempDir('agent-blob-start-');
  dirs.push(dir);
  const dataDir = join(dir.path, 'data');
  const baseEnv = { ...process.env };
  delete baseEnv.DISPLAY;
  delete baseEnv.WAYLAND_DISPLAY;
  delete baseEnv.AGENT_BLOB_HEADLESS;
  const child = spawn(process.execPath, [join(root, 'bin', 'start.js'), '--data-dir', dataDir, '--port', '0', '--until-stdin-closes'], {
    cwd: root,
    env: { ...baseEnv, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL after ${WAIT_MS} ms; stdout: ${lines.join('\n')}; stderr: ${stderr}`)), WAIT_MS);
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        const match = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`start.js exited ${code} before printing a URL; stdout: ${lines.join('\n')}; stderr: ${stderr}`));
    });
  });
  return { child, lines, url, dataDir };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

/** The host really serves a working core behind the printed URL. */
async function assertHostAnswers(url: string, dataDir: string): Promise<void> {
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token');
  assert.ok(token, 'the URL carries the token');
  const client = connectWebSocket(`ws://${parsed.host}/ws?token=${token}`);
  try {
    const info = await client.call('system.info', {});
    assert.equal(info.dataDir, dataDir);
  } finally {
    client.close();
  }
}

describe('npm start launcher (bin/start.js)', () => {
  test('without an Electron binary it says so in one line, starts the headless host and prints its URL', async () => {
    const started = await startLauncher({ DISPLAY: ':99', ELECTRON_OVERRIDE_DIST_PATH: join(root, 'no-electron-here') });
    assert.match(started.lines[0], /^Electron is not installed \(no binary at .*no-electron-here.*\): starting the headless host instead\.$/);
    assert.match(started.lines[1], /^Agent Blob is running at http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    await assertHostAnswers(started.url, started.dataDir);
    assert.equal(existsSync(join(started.dataDir, 'agent-blob.lock')), true);
    assert.equal(await stop(started.child), 0, 'SIGTERM shuts it down cleanly');
    assert.equal(existsSync(join(started.dataDir, 'agent-blob.lock')), false, 'the data folder is released');
  });

  test('a second start on the same data folder points at the host already serving it', async () => {
    const first = await startLauncher({ AGENT_BLOB_HEADLESS: '1' });
    const second = spawn(process.execPath, [join(root, 'bin', 'start.js'), '--data-dir', first.dataDir, '--headless', '--until-stdin-closes'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(second);
    let out = '';
    second.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
    assert.equal(code, 0);
    assert.match(out, /^Starting the headless host\.\n/);
    assert.ok(out.includes(`Agent Blob is already running at ${first.url}`), out);
    assert.equal(await stop(first.child), 0);
  });

  test('with --until-stdin-closes the headless host stops cleanly when the program that started it is gone with all its pipes', async () => {
    const started = await startLauncher({ AGENT_BLOB_HEADLESS: '1' });
    const exited = new Promise<number | null>((resolve) => started.child.on('exit', (code) => resolve(code)));
    // A program killed (even by SIGKILL) closes its ends of the launcher's input, output and error pipes.
    started.child.stdin!.destroy();
    started.child.stdout!.destroy();
    started.child.stderr!.destroy();
    assert.equal(await exited, 0, 'it stopped as on SIGTERM');
    assert.equal(existsSync(join(started.dataDir, 'agent-blob.lock')), false, 'the data folder is released');
  });

  test('with its output going to no terminal (as under nohup) the headless host keeps running after SIGHUP, says so and still answers', async () => {
    const started = await startLauncher({ AGENT_BLOB_HEADLESS: '1' });
    started.child.kill('SIGHUP');
    await waitFor(() => started.lines.includes(HANGUP_IGNORED), `the launcher said it ignored SIGHUP: ${started.lines.join('\n')}`);
    await assertHostAnswers(started.url, started.dataDir);
    assert.equal(await stop(started.child), 0, 'SIGTERM still shuts it down cleanly');
    assert.equal(existsSync(join(started.dataDir, 'agent-blob.lock')), false, 'the data folder is released');
  });

  test('a Ctrl-C passed on again at once, as npm passes the terminal\'s Ctrl-C on to its script, does not cut the headless host\'s clean stop short', async () => {
    const started = await startLauncher({ AGENT_BLOB_HEADLESS: '1' });
    // A client that does not answer the close handshake keeps the host closing for a while.
    const client = await silentWebSocket(started.url);
    try {
      const exited = new Promise<number | null>((resolve) => started.child.on('exit', (code) => resolve(code)));
      started.child.kill('SIGINT');
      await waitFor(() => started.lines.includes('Agent Blob: shutting down.'), `the launcher began to stop: ${started.lines.join('\n')}`);
      started.child.kill('SIGINT');
      assert.equal(await exited, 0, 'it stopped cleanly');
      assertHostClosed(started.dataDir);
    } finally {
      client.destroy();
    }
  });

  test('the headless host run in front in a terminal stops cleanly when that terminal closes (SIGHUP)', { skip: noPty }, async () => {
    const dir = tempDir('agent-blob-start-terminal-');
    dirs.push(dir);
    const dataDir = join(dir.path, 'data');
    const run = onClosingTerminal(dir.path, [process.execPath, 'bin/start.js', '--headless', '--data-dir', dataDir, '--port', '0'], { controlling: true, closeAfter: 'Press Ctrl-C to stop.' });
    try {
      // Nothing asks it to stop but the terminal's hangup. Its exit status is not compared: a Node without
      // github.com/nodejs/node/pull/58200 (Node 20) aborts as it exits, after the host has closed, when it
      // cannot restore the closed terminal's settings.
      await waitFor(() => /ended.*\n/.test(run.said()), `the launcher ended: ${run.stderr()}`);
      assert.equal(run.said(), 'terminal closed\nended by itself\n', run.stderr());
      assertHostClosed(dataDir);
    } finally {
      await run.finish();
    }
  });

  test('without a display it says so and serves the UI from the headless host', { skip: process.platform !== 'linux' && 'displays are only looked up on Linux' }, async () => {
    const started = await startLauncher({});
    assert.match(started.lines[0], /^no display \(neither DISPLAY nor WAYLAND_DISPLAY is set\): starting the headless host instead\.$/);
    await assertHostAnswers(started.url, started.dataDir);
    assert.equal(await stop(started.child), 0);
  });

  test('with an Electron binary and a display it launches Electron on the app and passes its exit code on', { skip: process.platform === 'win32' && 'the stand-in binary is a shell script' }, async () => {
    // The stand-in reports how it was started.
    const launched = launchOnStandIn(`echo "electron $*"\necho "data $AGENT_BLOB_DATA_DIR"\necho "run-as-node \${ELECTRON_RUN_AS_NODE:-unset}"\nexit 3`, [], { env: { ELECTRON_RUN_AS_NODE: '1' }, stdin: 'ignore' });
    const code = await launched.exited;
    assert.equal(code, 3, `the launcher exits with Electron's code; output: ${launched.out()}`);
    assert.deepEqual(launched.out().trim().split('\n'), [`electron ${resolve(root)}`, `data ${launched.dataDir}`, 'run-as-node unset']);
  });

  test('with --until-stdin-closes, an Electron that ends by itself ends the launcher with its exit code while the launcher’s input is still open', { skip: process.platform === 'win32' && 'the stand-in binary is a shell script' }, async () => {
    const launched = launchOnStandIn('echo started\nexit 5', ['--until-stdin-closes']);
    // This process holds the launcher's input open throughout: only Electron's end can end it.
    const code = await launched.exited;
    assert.equal(code, 5, `the launcher exits with Electron's code; output: ${launched.out()}`);
    assert.equal(launched.out(), 'started\n');
  });

  test('with --until-stdin-closes Electron is stopped with SIGTERM when the launcher’s input closes', { skip: process.platform === 'win32' && 'the stand-in binary is a shell script' }, async () => {
    // The stand-in runs until SIGTERM, then exits 4; it ends with the launcher, if not before.
    const launched = launchOnStandIn(`trap 'echo stopped; exit 4' TERM\necho started\n${WHILE_LAUNCHER_RUNS}`, ['--until-stdin-closes']);
    await launched.said('started\n');
    launched.child.stdin!.end();
    assert.equal(await launched.exited, 4, `Electron's exit code on SIGTERM is passed on; output: ${launched.out()}`);
    assert.equal(launched.out(), 'started\nstopped\n');
  });

  test('Electron runs in a process group of its own; with the launcher’s output going to no terminal, SIGHUP is not passed on and SIGTERM is', { skip: process.platform === 'win32' && 'the stand-in binary is a shell script' }, async () => {
    // The stand-in says whether it leads a process group of its own, and which signal stops it; it
    // ends with the launcher, if not before.
    const launched = launchOnStandIn(`trap 'echo stopped; exit 4' TERM\ntrap 'echo hangup; exit 5' HUP\n[ "$(ps -o pgid= -p $$ | tr -d ' ')" = "$$" ] && echo 'own process group'\necho started\n${WHILE_LAUNCHER_RUNS}`, []);
    await launched.said('started\n');
    launched.child.kill('SIGHUP');
    await launched.said(`${HANGUP_IGNORED}\n`);
    launched.child.kill('SIGTERM');
    assert.equal(await launched.exited, 4, `Electron's exit code on SIGTERM is passed on; output: ${launched.out()}`);
    assert.equal(launched.out(), `own process group\nstarted\n${HANGUP_IGNORED}\nstopped\n`);
  });

  test('a signal that comes again (Ctrl-C from the terminal and again from npm, which passes it on) reaches Electron once', { skip: process.platform === 'win32' && 'the stand-in binary is a shell script' }, async () => {
    // The stand-in notes each SIGINT and keeps running (Electron quits on its first and dies at once on a
    // second); SIGTERM ends it. Signals waiting together run their traps in the order of their numbers, so
    // a second SIGINT passed on before the SIGTERM is noted before "stopped".
    const launched = launchOnStandIn(`trap 'echo interrupted' INT\ntrap 'echo stopped; exit 4' TERM\necho started\n${WHILE_LAUNCHER_RUNS}`, []);
    await launched.said('started\n');
    launched.child.kill('SIGINT');
    await launched.said('interrupted\n');
    launched.child.kill('SIGINT');
    launched.child.kill('SIGTERM');
    assert.equal(await launched.exited, 4, `Electron's exit code on SIGTERM is passed on; output: ${launched.out()}`);
    assert.equal(launched.out(), 'started\ninterrupted\nstopped\n');
  });

  test('with Electron, run in front in a terminal, the terminal closing (SIGHUP) is passed on to Electron', { skip: noPty }, async () => {
    // The stand-in writes the signal that stopped it beside its data folder (its terminal is gone by
    // then); it ends with the launcher, if not before.
    const { dir, dataDir } = standInElectron(`trap 'echo HUP >> "$AGENT_BLOB_DATA_DIR-signals"; exit 4' HUP\necho started\n${WHILE_LAUNCHER_RUNS}`);
    const run = onClosingTerminal(dir, [process.execPath, 'bin/start.js', '--data-dir', dataDir], {
      controlling: true,
      closeAfter: 'started',
      env: { DISPLAY: ':99', ELECTRON_OVERRIDE_DIST_PATH: dir, AGENT_BLOB_HEADLESS: '' },
    });
    try {
      // The launcher waits for Electron to end before it ends.
      await waitFor(() => /ended.*\n/.test(run.said()), `the launcher ended: ${run.stderr()}`);
      assert.equal(run.said(), 'terminal closed\nended by itself\n', run.stderr());
      assert.equal(readFileSync(`${dataDir}-signals`, 'utf8'), 'HUP\n');
    } finally {
      await run.finish();
    }
  });
});

/** A stand-in's last line: it waits while the launcher that started it runs (Electron runs in a session of its own). */
const WHILE_LAUNCHER_RUNS = 'while kill -0 $PPID 2>/dev/null; do sleep 0.05; done';

/** What the launcher says when SIGHUP comes while its output goes to no terminal. */
const HANGUP_IGNORED = 'Agent Blob: SIGHUP ignored: its output does not go to a terminal (stop it with SIGTERM).';

/**
 * `bin/start.js` with a display and a stand-in Electron running `script` (see `standInElectron`),
 * with `args` after its data folder: its output so far, a wait for some of it, and its exit code.
 */
function launchOnStandIn(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore' } = {}) {
  const { dir, dataDir } = standInElectron(script);
  const child = spawn(process.execPath, [join(root, 'bin', 'start.js'), '--data-dir', dataDir, ...args], {
    cwd: root,
    env: { ...process.env, DISPLAY: ':99', ELECTRON_OVERRIDE_DIST_PATH: dir, AGENT_BLOB_HEADLESS: '', ...options.env },
    stdio: [options.stdin ?? 'pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const waiting: { text: string; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiting.filter((x) => out.includes(x.text))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return {
    child,
    dataDir,
    exited,
    out: () => out,
    /** Resolves once the launcher has printed `text`. */
    said: (text: string) => (out.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ text, resolve }))),
  };
}

/**
 * A stand-in for the Electron binary in a folder of its own (for ELECTRON_OVERRIDE_DIST_PATH): Node
 * when run as Node (the driver probe), else the shell lines of `script`. Builds the desktop app first
 * when it is not built.
 */
function standInElectron(script: string): { dir: string; dataDir: string } {
  if (!existsSync(join(root, 'dist', 'electron', 'main.js'))) execFileSync(process.execPath, [join(root, 'electron', 'build.mjs')], { cwd: root });
  const dir = tempDir('agent-blob-fake-electron-');
  dirs.push(dir);
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  const binary = join(dir.path, existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron');
  mkdirSync(dirname(binary), { recursive: true });
  writeFileSync(binary, `#!/bin/sh\nif [ "$ELECTRON_RUN_AS_NODE" = "1" ]; then exec "${process.execPath}" "$@"; fi\n${script}\n`);
  chmodSync(binary, 0o755);
  return { dir: dir.path, dataDir: join(dir.path, 'data') };
}
