import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { writeUnlessGone } from '../../../core/host/cli/main.js';
import { tempDir } from '../../support/index.js';

/** A stream that writes each chunk at once to `fd`, as Node's stdout does when it is a file. */
function syncWriter(fd: number, written: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      writeSync(fd, chunk);
      written.push(chunk.toString());
      done();
    },
  });
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
      const stream = syncWriter(fd, written);
      try {
        writeUnlessGone(stream, 'read\n');
        closeSync(reader);
        writeUnlessGone(stream, 'nobody reads this\n');
        writeUnlessGone(stream, 'nor this\n');
        assert.deepEqual(written, ['read\n'], 'the write after the reader went failed and nothing more was tried');
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
