import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createCore } from '../../../core/app.js';
import type { HealthCheck } from '../../../core/contract/index.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { silentLogger } from '../../../core/util/logger.js';
import { runCli } from '../host/cli-support.js';
import { startTestCore, tempDir } from '../../support/index.js';

const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' };

/** A tmpfs of `size` mounted on a fresh folder, where this machine lets the tests mount one (root). */
function smallDisk(size: string): { path: string; remount(option: string): void; cleanup(): void } | null {
  if (process.getuid?.() !== 0) return null;
  const dir = tempDir('agent-blob-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir.path], { stdio: 'pipe' });
  } catch {
    dir.cleanup();
    return null;
  }
  return {
    path: dir.path,
    remount: (option) => execFileSync('mount', ['-o', `remount,${option}`, dir.path], { stdio: 'pipe' }),
    cleanup() {
      execFileSync('umount', [dir.path], { stdio: 'pipe' });
      dir.cleanup();
    },
  };
}

function openCore(dataDir: string) {
  return createCore({ dataDir, logger: silentLogger, secrets: createMemorySecretStore(), env, timeZone: 'UTC' });
}

async function doctor(dataDir: string): Promise<{ code: number; checks: HealthCheck[] }> {
  const r = await runCli(['doctor', '--no-probe', '--json', '--data-dir', dataDir], env);
  return { code: r.code, checks: (JSON.parse(r.stdout) as { checks: HealthCheck[] }).checks };
}

function check(checks: HealthCheck[], name: string): HealthCheck {
  const found = checks.find((c) => c.name === name);
  assert.ok(found, `doctor has a "${name}" check: ${JSON.stringify(checks)}`);
  return found;
}

/** Memories of a few KB each, distinct enough that none is taken for a duplicate of another. */
function bulkyMemory(i: number): string {
  const words = Array.from({ length: 600 }, (_, k) => `w${(i * 7919 + k * 104729) % 1_000_003}`);
  return `note ${i}: ${words.join(' ')}`;
}

/** Adds memories until one is refused; returns the texts acknowledged and the refusal. */
async function fillUntilRefused(call: (text: string) => Promise<unknown>, limit: number): Promise<{ kept: string[]; error: { code: string; message: string } }> {
  const kept: string[] = [];
  for (let i = 0; i < limit; i++) {
    const text = bulkyMemory(i);
    try {
      await call(text);
      kept.push(text);
    } catch (err) {
      return { kept, error: err as { code: string; message: string } };
    }
  }
  throw new Error(`${limit} memories were all accepted; the disk never filled`);
}

describe('storage faults: a clear word, and nothing acknowledged lost', () => {
  it('a full disk refuses the change with "unavailable", keeps every acknowledged write, and works again once space is freed', async (t) => {
    const disk = smallDisk('3m');
    if (!disk) return t.skip('mounting a small tmpfs needs root; the SQLITE_FULL test below covers the error path');
    try {
      const app = await startTestCore({ dataDir: disk.path });
      let kept: string[];
      try {
        ({ kept } = await fillUntilRefused((text) => app.client.call('memory.add', { area: 'main', text }), 2000));
        assert.ok(kept.length > 0, 'some memories fit before the disk filled');
        await assert.rejects(app.client.call('memory.add', { area: 'main', text: bulkyMemory(99_999) }), (err: { code: string; message: string }) => {
          assert.equal(err.code, 'unavailable');
          assert.match(err.message, /disk holding the data folder is full/);
          return true;
        });
        const report = await app.client.call('system.doctor', { probeProviders: false });
        assert.notEqual(check(report.checks, 'disk space').status, 'ok');
        // The app keeps answering what it already has.
        assert.equal((await app.client.call('memory.list', { limit: 5000 })).memories.length, kept.length);
        disk.remount('size=16m');
        const later = bulkyMemory(100_000);
        await app.client.call('memory.add', { area: 'main', text: later });
        kept.push(later);
      } finally {
        await app.close({ keepData: true }).catch(() => undefined);
      }
      const again = await startTestCore({ dataDir: disk.path });
      try {
        const texts = new Set((await again.client.call('memory.list', { limit: 5000 })).memories.map((m) => m.text));
        for (const text of kept) assert.ok(texts.has(text), 'an acknowledged memory survived');
        assert.equal(String(again.core.db.pragma('integrity_check', { simple: true })), 'ok');
      } finally {
        await again.close({ keepData: true });
      }
    } finally {
      disk.cleanup();
    }
  });

  it('SQLITE_FULL from the database itself is the same clear error, and the write after it succeeds once there is room', async () => {
    const app = await startTestCore();
    try {
      await app.client.call('memory.add', { area: 'main', text: 'Before the limit: the boiler was serviced in May' });
      const pages = Number(app.core.db.pragma('page_count', { simple: true }));
      app.core.db.pragma(`max_page_count = ${pages + 8}`);
      const { kept, error } = await fillUntilRefused((text) => app.client.call('memory.add', { area: 'main', text }), 500);
      assert.equal(error.code, 'unavailable');
      assert.match(error.message, /is full \(SQLITE_FULL/);
      assert.match(error.message, /Free some space/);
      app.core.db.pragma('max_page_count = 1073741823');
      await app.client.call('memory.add', { area: 'main', text: 'After the limit: the boiler needs a new valve' });
      const texts = new Set((await app.client.call('memory.list', { limit: 5000 })).memories.map((m) => m.text));
      for (const text of [...kept, 'Before the limit: the boiler was serviced in May', 'After the limit: the boiler needs a new valve']) assert.ok(texts.has(text));
    } finally {
      await app.close();
    }
  });

  it('a read-only data folder stops the start with "cannot be written", and doctor says to make it writable or choose another', async (t) => {
    const disk = smallDisk('8m');
    const plain = disk ? null : tempDir();
    if (!disk && process.getuid?.() === 0) {
      plain?.cleanup();
      return t.skip('as root without mount, a folder cannot be made read-only');
    }
    const dir = disk?.path ?? plain!.path;
    try {
      openCore(dir).closeNow();
      if (disk) disk.remount('ro');
      else chmodSync(dir, 0o555);
      assert.throws(() => openCore(dir), (err: { code: string; message: string }) => {
        assert.equal(err.code, 'unavailable');
        assert.match(err.message, /cannot be written .*make it writable, or choose another folder with --data-dir/);
        return true;
      });
      const report = await doctor(dir);
      assert.equal(report.code, 1);
      assert.equal(check(report.checks, 'data folder').status, 'fail');
      assert.match(check(report.checks, 'data folder').detail, /cannot be written/);
      const cli = await runCli(['runs', 'list', '--data-dir', dir], env);
      assert.equal(cli.code, 3);
      assert.match(cli.stderr, /cannot be written/);
    } finally {
      if (disk) {
        disk.remount('rw');
        disk.cleanup();
      } else {
        chmodSync(dir, 0o700);
        plain!.cleanup();
      }
    }
  });

  it('a file that is not a database stops the start with "damaged" and the way to restore, in the CLI and in doctor', async () => {
    const data = tempDir();
    try {
      writeFileSync(join(data.path, 'agent-blob.sqlite'), Buffer.alloc(64 * 1024, 0x5a));
      assert.throws(() => openCore(data.path), { code: 'unavailable', message: /is damaged \(SQLITE_NOTADB.*agent-blob restore FILE/ });
      const cli = await runCli(['runs', 'list', '--data-dir', data.path], env);
      assert.equal(cli.code, 3);
      assert.match(cli.stderr, /damaged/);
      const report = await doctor(data.path);
      assert.equal(check(report.checks, 'database').status, 'fail');
      assert.match(check(report.checks, 'database').detail, /agent-blob restore FILE/);
      assert.equal(check(report.checks, 'data folder').status, 'ok');
    } finally {
      data.cleanup();
    }
  });

  it('a damaged table is a clear error on the commands that read it, doctor names it, and restoring a backup mends it', async () => {
    const data = tempDir();
    const out = tempDir();
    try {
      const backup = join(out.path, 'good.sqlite');
      const first = await startTestCore({ dataDir: data.path });
      await first.client.call('memory.add', { area: 'main', text: 'The spare key is with the neighbour at number 12' });
      await first.client.call('system.backup', { path: backup });
      await first.close({ keepData: true });
      damageTable(join(data.path, 'agent-blob.sqlite'), 'memories');

      const hurt = await startTestCore({ dataDir: data.path });
      try {
        await assert.rejects(hurt.client.call('memory.list', {}), { code: 'unavailable', message: /is damaged \(SQLITE_CORRUPT.*agent-blob restore FILE/ });
        const report = await hurt.client.call('system.doctor', { probeProviders: false });
        assert.equal(report.ok, false);
        assert.match(check(report.checks, 'database').detail, /is damaged .*agent-blob restore FILE/);
      } finally {
        await hurt.close({ keepData: true });
      }
      const restored = await runCli(['restore', backup, '--data-dir', data.path], env);
      assert.equal(restored.code, 0, restored.stderr);
      const mended = await startTestCore({ dataDir: data.path });
      try {
        assert.deepEqual((await mended.client.call('memory.list', {})).memories.map((m) => m.text), ['The spare key is with the neighbour at number 12']);
      } finally {
        await mended.close({ keepData: true });
      }
    } finally {
      data.cleanup();
      out.cleanup();
    }
  });

  it('a database from a newer version is refused with "update Agent Blob", in the CLI and in doctor, and left untouched', async () => {
    const data = tempDir();
    try {
      openCore(data.path).closeNow();
      const file = join(data.path, 'agent-blob.sqlite');
      const db = new Database(file);
      db.pragma('user_version = 999000');
      db.close();
      const before = readFileSync(file);
      assert.throws(() => openCore(data.path), { code: 'conflict', message: /schema version 999000, newer than this Agent Blob knows .*update Agent Blob/ });
      const report = await doctor(data.path);
      assert.equal(report.code, 1);
      assert.match(check(report.checks, 'database').detail, /newer than this Agent Blob knows .*update Agent Blob/);
      assert.ok(readFileSync(file).equals(before), 'the newer database is not touched');
      rmSync(join(data.path, 'agent-blob.lock'), { force: true });
    } finally {
      data.cleanup();
    }
  });
});

/** Overwrites the root page of `table` in the database file, leaving the rest readable. */
function damageTable(file: string, table: string): void {
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const { rootpage } = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as { rootpage: number };
  db.close();
  const bytes = readFileSync(file);
  bytes.fill(0xa5, (rootpage - 1) * pageSize, rootpage * pageSize);
  writeFileSync(file, bytes);
}
