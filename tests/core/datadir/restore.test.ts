import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { openDatabase } from '../../../core/db/index.js';
import { runCli } from '../host/cli-support.js';
import { startTestCore, tempDir } from '../../support/index.js';

const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' };

async function memoryTexts(dataDir: string): Promise<string[]> {
  const t = await startTestCore({ dataDir });
  try {
    const { memories } = await t.client.call('memory.list', {});
    return memories.map((m) => m.text).sort();
  } finally {
    await t.close({ keepData: true });
  }
}

/** A data folder with one memory in a backup and a second one written after it. */
async function folderWithBackup(out: string): Promise<{ dataDir: string; backup: string; headBefore: number; cleanup(): void }> {
  const data = tempDir();
  const t = await startTestCore({ dataDir: data.path });
  const backup = join(out, 'backup.sqlite');
  await t.client.call('memory.add', { area: 'main', text: 'My passport expires in March 2031' });
  await t.client.call('system.backup', { path: backup });
  await t.client.call('memory.add', { area: 'main', text: 'The dentist moved to Thursday afternoons' });
  const headBefore = t.core.log.head();
  await t.close({ keepData: true });
  return { dataDir: data.path, backup, headBefore, cleanup: data.cleanup };
}

describe('restoring a backup', () => {
  it('puts the backup in place of the database and keeps the replaced one aside, every change included', async () => {
    const out = tempDir();
    const f = await folderWithBackup(out.path);
    try {
      const r = await runCli(['restore', f.backup, '--json', '--data-dir', f.dataDir], env);
      assert.equal(r.code, 0, r.stderr);
      const result = JSON.parse(r.stdout) as { from: string; keptAside: string; head: number; schemaVersion: number };
      assert.equal(result.from, f.backup);
      assert.ok(result.head > 0 && result.head < f.headBefore, `restored head ${result.head}, before ${f.headBefore}`);
      assert.match(result.keptAside, /agent-blob\.before-restore-\d{8}T\d{6}Z\.sqlite$/);
      assert.deepEqual(await memoryTexts(f.dataDir), ['My passport expires in March 2031']);
      // The database set aside still holds the change made after the backup.
      const { db } = openDatabase({ file: result.keptAside, readonly: true });
      try {
        assert.equal((db.prepare('SELECT MAX(seq) AS head FROM events').get() as { head: number }).head, f.headBefore);
        assert.equal((db.prepare("SELECT COUNT(*) AS n FROM memories WHERE text LIKE '%dentist%'").get() as { n: number }).n, 1);
      } finally {
        db.close();
      }
      assert.equal(existsSync(join(f.dataDir, 'agent-blob.lock')), false, 'the lock is released');
      assert.equal(existsSync(join(f.dataDir, 'agent-blob.sqlite.restoring')), false);
    } finally {
      f.cleanup();
      out.cleanup();
    }
  });

  it('refuses while the app runs on the folder and changes nothing', async () => {
    const out = tempDir();
    const f = await folderWithBackup(out.path);
    const t = await startTestCore({ dataDir: f.dataDir });
    try {
      const r = await runCli(['restore', f.backup, '--data-dir', f.dataDir], env);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /Agent Blob is running \(.*pid \d+\); quit it/);
      assert.equal(t.core.log.head(), f.headBefore);
      assert.equal((await t.client.call('memory.list', {})).memories.length, 2);
      assert.deepEqual(readdirSync(f.dataDir).filter((n) => n.includes('before-restore')), []);
    } finally {
      await t.close({ keepData: true });
      f.cleanup();
      out.cleanup();
    }
  });

  it('refuses a missing file, a file that is not a database, a damaged one (compressed or not), a compressed one cut short, another app\'s and a newer one, leaving the database as it was', async () => {
    const out = tempDir();
    const f = await folderWithBackup(out.path);
    try {
      const notDb = join(out.path, 'notes.txt');
      writeFileSync(notDb, 'just some text, long enough to be mistaken for nothing at all\n'.repeat(200));
      const damaged = join(out.path, 'damaged.sqlite');
      writeFileSync(damaged, damageTable(readFileSync(f.backup), f.backup));
      const foreign = join(out.path, 'foreign.sqlite');
      const other = new Database(foreign);
      other.exec('CREATE TABLE recipes (name TEXT)');
      other.close();
      const newer = join(out.path, 'newer.sqlite');
      writeFileSync(newer, readFileSync(f.backup));
      const bump = new Database(newer);
      bump.pragma('user_version = 999000');
      bump.close();

      // Compressed copies (the daily backup's kind): one cut short, one whole but of the damaged database.
      const cut = join(out.path, 'cut.sqlite.gz');
      const packed = gzipSync(readFileSync(f.backup));
      writeFileSync(cut, packed.subarray(0, Math.floor(packed.length / 2)));
      const damagedGz = join(out.path, 'damaged.sqlite.gz');
      writeFileSync(damagedGz, gzipSync(readFileSync(damaged)));

      const cases: Array<[string, RegExp, number]> = [
        [cut, /is compressed but cannot be unpacked/, 2],
        [damagedGz, /damaged\.sqlite\.gz (failed its integrity check|is not a readable SQLite database)/, 2],
        [join(out.path, 'nope.sqlite'), /there is no backup file/, 1],
        [notDb, /not a readable SQLite database|cannot be opened/, 2],
        [damaged, /failed its integrity check|not a readable SQLite database/, 2],
        [foreign, /not an Agent Blob database/, 2],
        [newer, /schema version 999000, newer than this Agent Blob knows/, 1],
      ];
      const sizeBefore = statSync(join(f.dataDir, 'agent-blob.sqlite')).size;
      for (const [file, message, code] of cases) {
        const r = await runCli(['restore', file, '--data-dir', f.dataDir], env);
        assert.equal(r.code, code, `${file}: ${r.stderr}`);
        assert.match(r.stderr, message, file);
      }
      assert.equal(statSync(join(f.dataDir, 'agent-blob.sqlite')).size, sizeBefore);
      assert.deepEqual(readdirSync(f.dataDir).filter((n) => n.includes('before-restore') || n.endsWith('.restoring')), []);
      assert.equal((await memoryTexts(f.dataDir)).length, 2);
      assert.equal((await runCli(['restore', '--data-dir', f.dataDir], env)).code, 2);
    } finally {
      f.cleanup();
      out.cleanup();
    }
  });
});

/** The bytes of `file` with the root page of the `memories` table overwritten, the header intact. */
function damageTable(bytes: Buffer, file: string): Buffer {
  const db = new Database(file, { readonly: true });
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'memories'").get() as { rootpage: number };
  db.close();
  const copy = Buffer.from(bytes);
  copy.fill(0xa5, (rootpage - 1) * pageSize, rootpage * pageSize);
  return copy;
}
