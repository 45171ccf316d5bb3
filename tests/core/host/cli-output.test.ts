import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { writeUnlessGone } from '../../../core/host/cli/main.js';
import { createFileLogger } from '../../../core/util/logger.js';
import { buildCli, whyRebuild } from '../../../scripts/build-cli.mjs';
import { WAIT_MS, assertHostClosed, tempDir, waitFor } from '../../support/index.js';
import { noPty, onClosingTerminal as onClosingTerminalRun, type TerminalOptions } from '../../support/terminal.js';

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

/** `agent-blob args` on a terminal that closes after its first line (see onClosingTerminal). */
async function onClosingTerminal(dir: string, args: string[], options: TerminalOptions = {}) {
  if (whyRebuild()) await buildCli();
  return onClosingTerminalRun(dir, [process.execPath, 'bin/agent-blob.js', ...args], options);
}

describe('command-line output to a terminal that has closed (a command left running after its window closed)', { skip: noPty }, () => {
  it('a command that never prints what the terminal waits for is stopped when the test is done with it', { timeout: WAIT_MS }, async () => {
    const dir = tempDir('agent-blob-cli-terminal-');
    try {
      // Silent until stopped: the test gives up on it (a failed wait) and finishes with it.
      const run = onClosingTerminalRun(dir.path, [process.execPath, '-e', 'setInterval(() => {}, 1000)']);
      await run.finish();
      assert.equal(run.said(), 'ended after SIGTERM\n', run.stderr());
    } finally {
      dir.cleanup();
    }
  });

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
        assertHostClosed(dataDir);
      } finally {
        await run.finish();
      }
    } finally {
      dir.cleanup();
    }
  });

  it('the host run in front in a terminal stops cleanly when that terminal closes (SIGHUP)', { timeout: 2 * WAIT_MS }, async () => {
    const dir = tempDir('agent-blob-cli-terminal-');
    try {
      const dataDir = join(dir.path, 'data');
      const run = await onClosingTerminal(dir.path, ['host', '--data-dir', dataDir, '--port', '0'], { controlling: true });
      try {
        // Nothing asks it to stop but the terminal's hangup; its exit status is not compared (see above).
        await waitFor(() => /ended.*\n/.test(run.said()), `the host ended: ${run.stderr()}`);
        assert.equal(run.said(), 'terminal closed\nended by itself\n', run.stderr());
        assertHostClosed(dataDir);
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
