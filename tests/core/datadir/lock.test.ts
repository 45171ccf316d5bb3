import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataDirBusyError, acquireLock, currentBoot, processStartTime, readLock, writtenBeforeBoot } from '../../../core/datadir/index.js';
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
      writeFileSync(path, JSON.stringify({ ...holder, pid: process.ppid, processStart: processStartTime(process.ppid) }));
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

  it('takes over a lock written before the machine last started, even when its pid now names a live process', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'agent-blob.lock');
      // Our parent is alive and not us: after a reboot the old pid can be any program's.
      writeFileSync(path, JSON.stringify({ pid: process.ppid, startedAt: 1, owner: 'desktop', endpoint: null, boot: 'id:boot-before' }));
      const lock = acquireLock(path, 'desktop', 2, 'id:boot-now');
      assert.deepEqual(readLock(path), { pid: process.pid, startedAt: 2, owner: 'desktop', endpoint: null, boot: 'id:boot-now', processStart: processStartTime(process.pid) });
      lock.release();
    } finally {
      dir.cleanup();
    }
  });

  it('keeps a live holder of this boot, and of a lock that does not say its boot (an older version)', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'agent-blob.lock');
      for (const boot of ['id:boot-now', undefined]) {
        writeFileSync(path, JSON.stringify({ pid: process.ppid, startedAt: 1, owner: 'desktop', endpoint: null, ...(boot ? { boot } : {}) }));
        assert.throws(() => acquireLock(path, 'cli', 2, 'id:boot-now'), DataDirBusyError, `boot ${boot}`);
      }
    } finally {
      dir.cleanup();
    }
  });

  it('takes over a lock naming no process (pid 0 or -1) or a pid that another program started under since, and keeps one whose holder started when it says', () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'agent-blob.lock');
      const boot = currentBoot();
      // kill(0) reaches our own process group and kill(-1) every process: both looked alive for ever.
      for (const pid of [0, -1]) {
        writeFileSync(path, JSON.stringify({ pid, startedAt: 1, owner: 'host', endpoint: null, boot }));
        acquireLock(path, 'cli', 2, boot).release();
        assert.equal(existsSync(path), false, `a lock of pid ${pid} is taken over`);
      }
      const started = processStartTime(process.ppid);
      assert.ok(started && processStartTime(process.pid), 'Linux says when a process started');
      assert.notEqual(processStartTime(process.pid), undefined);
      // Our parent is alive and not us: as if the holder died and its pid went to our parent.
      writeFileSync(path, JSON.stringify({ pid: process.ppid, startedAt: 1, owner: 'host', endpoint: null, boot, processStart: String(Number(started) + 1) }));
      const lock = acquireLock(path, 'cli', 2, boot);
      assert.equal(readLock(path)?.pid, process.pid);
      assert.equal(readLock(path)?.processStart, processStartTime(process.pid), 'the new lock says when its holder started');
      lock.release();
      writeFileSync(path, JSON.stringify({ pid: process.ppid, startedAt: 1, owner: 'host', endpoint: null, boot, processStart: started }));
      assert.throws(() => acquireLock(path, 'cli', 2, boot), DataDirBusyError, 'the holder that started when its lock says is kept');
    } finally {
      dir.cleanup();
    }
  });

  it('tells boots apart by boot time where there is no boot id, allowing for a corrected clock', () => {
    const booted = Date.UTC(2026, 11, 6, 8, 0, 0);
    assert.equal(writtenBeforeBoot(`at:${booted}`, `at:${booted + 30_000}`), false, 'the clock moved 30 s: the same boot');
    assert.equal(writtenBeforeBoot(`at:${booted}`, `at:${booted - 30_000}`), false);
    assert.equal(writtenBeforeBoot(`at:${booted}`, `at:${booted + 3 * 3_600_000}`), true, 'booted again three hours later');
    assert.equal(writtenBeforeBoot('id:a', 'id:a'), false);
    assert.equal(writtenBeforeBoot('id:a', 'id:b'), true);
    assert.equal(writtenBeforeBoot(undefined, 'id:b'), false, 'an older lock is judged by its pid only');
    assert.equal(writtenBeforeBoot('id:a', `at:${booted}`), false, 'two kinds cannot be compared');
    // Read twice in one boot, it is the same.
    assert.equal(currentBoot(), currentBoot());
  });
});
