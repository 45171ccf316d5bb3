import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataDirBusyError, acquireLock, readLock } from '../../../core/datadir/index.js';
import { tempDir } from '../../support/index.js';

describe('the data folder lock', () => {
  it('lets one holder in and names it to the next, with where to reach it', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'agent-blob.lock');
      const lock = acquireLock(path, 'host');
      lock.setEndpoint({ url: 'http://127.0.0.1:5555/?token=abc', token: 'abc' });
      assert.equal(statSync(path).mode & 0o777, 0o600);
      // Pretend another live process holds it: our parent's pid is alive and not us.
      const holder = JSON.parse(readFileSync(path, 'utf8'));
      writeFileSync(path, JSON.stringify({ ...holder, pid: process.ppid }));
      assert.throws(
        () => acquireLock(path, 'cli'),
        (err: unknown) => {
          assert.ok(err instanceof DataDirBusyError);
          assert.match(err.message, /already running at http:\/\/127\.0\.0\.1:5555/);
          assert.equal(err.holder.endpoint?.token, 'abc');
          return true;
        },
      );
      // Our own release must not remove a lock that is no longer ours.
      lock.release();
      assert.ok(existsSync(path));
    } finally {
      dir.cleanup();
    }
  });

  it('takes over a lock left by a dead process', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'agent-blob.lock');
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      writeFileSync(path, JSON.stringify({ pid: Number(dead), startedAt: 1, owner: 'host', endpoint: null }));
      const lock = acquireLock(path, 'cli');
      assert.equal(readLock(path)?.pid, process.pid);
      lock.release();
      assert.equal(existsSync(path), false);
    } finally {
      dir.cleanup();
    }
  });
});
