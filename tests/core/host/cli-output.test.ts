import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { writeUnlessGone } from '../../../core/host/cli/main.js';
import { createFileLogger } from '../../../core/util/logger.js';
import { buildCli, whyRebuild } from '../../../scripts/build-cli.mjs';
import { REPO_ROOT } from '../../crash/spawn.js';
import { WAIT_MS, tempDir, waitFor } from '../../support/index.js';

/**
 * A stream that writes each chunk at once to `fd`, as Node's stdout does when it is a file: `tried`
 * gets each text it is given, `written` each one written.
 */
function syncWriter(fd: number, written: string[], tried: string[]): Writable {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writeSync(fd, chunk);
      written.push(chunk.toString());
      done();
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((text: string) => {
    tried.push(text);
    return write(text);
  }) as Writable['write'];
  return stream;
}

describe('command-line output (writeUnlessGone)', () => {
  it('drops what it writes once the reader has gone (EPIPE thrown by the write), and everything after', { skip: process.platform === 'win32' && 'named pipes are made with mkfifo', timeout: 10_000 }, () => {
    const dir = tempDir('agent-blob-cli-output-');
    try {
      const fifo = join(dir.path, 'out');
      execFileSync('mkfifo', [fifo]);
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      const written: string[] = [];
      const tried: string[] = [];
      const stream = syncWriter(fd, written, tried);
      try {
        writeUnlessGone(stream, 'read\n');
        closeSync(reader);
        writeUnlessGone(stream, 'nobody reads this\n');
        writeUnlessGone(stream, 'nor this\n');
        assert.deepEqual(written, ['read\n'], 'the write after the reader went failed');
        assert.deepEqual(tried, ['read\n', 'nobody reads this\n'], 'and nothing more was tried');
      } finally {
        closeSync(fd);
      }
    } finally {
      dir.cleanup();
    }
  });

  it('throws an error that is not a gone reader: a programming error is not hidden', { timeout: 10_000 }, () => {
    const written: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString());
        done();
      },
    });
    assert.throws(() => writeUnlessGone(stream, undefined as unknown as string), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    writeUnlessGone(stream, 'still written\n');
    assert.deepEqual(written, ['still written\n'], 'the stream is not taken for gone');
  });
});

/**
 * Runs its arguments with a terminal (a pseudo-terminal) for standard output, and for standard error
 * too unless the first argument is `--stderr-here`, in a session of its own, as a command left
 * running in the background is; closes the terminal, as closing its window does, once the command
 * has printed a line. Then says how the command ended: by itself, or after SIGTERM, which a line on
 * its own input asks for (or its input closing; SIGKILL 30 s later).
 */
const ON_A_TERMINAL = String.raw`
import os, select, signal, subprocess, sys
args = sys.argv[1:]
stderr_here = args[0] == '--stderr-here'
if stderr_here: args = args[1:]
def end_with_runner():
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed if this runner is
    except Exception:
        pass
master, slave = os.openpty()
child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave, stderr=None if stderr_here else slave, start_new_session=True, preexec_fn=end_with_runner)
os.close(slave)
seen = b''
while b'\n' not in seen:
    seen += os.read(master, 4096)
os.close(master)
print('terminal closed', flush=True)
stopped = False
while child.poll() is None and not stopped:
    if select.select([sys.stdin], [], [], 0.05)[0]:
        sys.stdin.readline()
        child.send_signal(signal.SIGTERM)
        stopped = True
try:
    child.wait(timeout=30)
except subprocess.TimeoutExpired:
    child.kill()
    child.wait()
print('ended after SIGTERM' if stopped else 'ended by itself', flush=True)
`;

const noPty = process.platform === 'win32' ? 'no pseudo-terminals' : spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status !== 0 ? 'python3 makes the terminal' : false;

/** `agent-blob args` on a terminal that closes after its first line: what the runner says, and its standard error. */
async function onClosingTerminal(dir: string, args: string[], options: { stderrHere?: boolean } = {}) {
  if (whyRebuild()) await buildCli();
  const script = join(dir, 'on-a-terminal.py');
  writeFileSync(script, ON_A_TERMINAL);
  const runner = spawn('python3', [script, ...(options.stderrHere ? ['--stderr-here'] : []), process.execPath, 'bin/agent-blob.js', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let said = '';
  let stderr = '';
  runner.stdout.on('data', (c: Buffer) => (said += c.toString()));
  runner.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const ended = new Promise<void>((resolve) => runner.once('close', () => resolve()));
  return {
    said: () => said,
    stderr: () => stderr,
    stop: () => runner.stdin.write('stop\n'),
    /** Stops the command if it still runs and waits for the runner to end. */
    finish: async () => {
      runner.stdin.end();
      await ended;
    },
  };
}

describe('command-line output to a terminal that has closed (a command left running after its window closed)', { skip: noPty }, () => {
  it('the host stops cleanly on SIGTERM: what it says while stopping goes nowhere and does not stop it', { timeout: 2 * WAIT_MS }, async () => {
    const dir = tempDir('agent-blob-cli-terminal-');
    try {
      const dataDir = join(dir.path, 'data');
      const run = await onClosingTerminal(dir.path, ['host', '--data-dir', dataDir, '--port', '0']);
      try {
        await waitFor(() => run.said().includes('terminal closed\n'), `the host printed its address: ${run.stderr()}`);
        // Its words at SIGTERM ("stopping: …") go to the closed terminal.
        run.stop();
        // The runner's last line may come in two reads; wait for all of it.
        await waitFor(() => /ended.*\n/.test(run.said()), 'the host ended');
        // Its exit status is not compared: a Node without github.com/nodejs/node/pull/58200 (Node 20)
        // aborts as it exits, after the host has closed, when it cannot restore the closed terminal's settings.
        assert.equal(run.said(), 'terminal closed\nended after SIGTERM\n', run.stderr());
        assert.equal(existsSync(join(dataDir, 'agent-blob.lock')), false, 'the host closed: its data folder is released');
        assert.equal(existsSync(join(dataDir, 'agent-blob.sqlite-wal')), false, 'and its database checkpointed');
      } finally {
        await run.finish();
      }
    } finally {
      dir.cleanup();
    }
  });

  it('logs --follow ends by itself, with no error, at the first line it has for the closed terminal', { timeout: 2 * WAIT_MS }, async () => {
    const dir = tempDir('agent-blob-cli-terminal-');
    try {
      const logger = createFileLogger(join(dir.path, 'logs', 'agent-blob.log'));
      logger.log('info', 'first');
      const run = await onClosingTerminal(dir.path, ['logs', '--follow', '--data-dir', dir.path], { stderrHere: true });
      try {
        await waitFor(() => run.said().includes('terminal closed\n'), `logs --follow printed the first line: ${run.stderr()}`);
        logger.log('info', 'second');
        await waitFor(() => /ended.*\n/.test(run.said()), 'logs --follow ended');
        assert.equal(run.said(), 'terminal closed\nended by itself\n');
        assert.doesNotMatch(run.stderr(), /EIO|Error:/, 'the closed terminal is no error');
      } finally {
        await run.finish();
      }
    } finally {
      dir.cleanup();
    }
  });
});
