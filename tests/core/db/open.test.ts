import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase, MIGRATIONS, type Migration } from '../../../core/db/index.js';
import { tempDir } from '../../support/index.js';

describe('opening the database', () => {
  it('uses WAL, loads sqlite-vec, has FTS5 and runs every migration', () => {
    const dir = tempDir();
    try {
      const { db, info } = openDatabase({ file: join(dir.path, 'db.sqlite') });
      assert.equal(info.journalMode, 'wal');
      assert.match(info.vecVersion, /^v0\.1\./);
      assert.equal(info.fts5, true);
      assert.equal(info.schemaVersion, MIGRATIONS[MIGRATIONS.length - 1].version);
      db.exec('CREATE VIRTUAL TABLE v USING vec0(embedding float[2])');
      db.prepare('INSERT INTO v (rowid, embedding) VALUES (1, ?)').run(new Float32Array([1, 0]));
      const near = db.prepare('SELECT rowid, distance FROM v WHERE embedding MATCH ? AND k = 1').get(new Float32Array([1, 0])) as { rowid: number };
      assert.equal(near.rowid, 1);
      db.close();
    } finally {
      dir.cleanup();
    }
  });

  it('runs only the migrations a database has not seen, each in its own transaction', () => {
    const dir = tempDir();
    const file = join(dir.path, 'db.sqlite');
    const applied: number[] = [];
    const m = (version: number, fail = false): Migration => ({
      version,
      name: `m${version}`,
      up(db) {
        db.exec(`CREATE TABLE t${version} (x)`);
        if (fail) throw new Error('boom');
        applied.push(version);
      },
    });
    try {
      openDatabase({ file, migrations: [m(10), m(20)] }).db.close();
      assert.throws(() => openDatabase({ file, migrations: [m(10), m(20), m(30), m(40, true)] }), /boom/);
      const raw = new Database(file);
      assert.equal(raw.pragma('user_version', { simple: true }), 30, 'the failed step rolled back, the ones before it stayed');
      assert.equal((raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 't40'").get() as { n: number }).n, 0);
      raw.close();
      assert.deepEqual(applied, [10, 20, 30]);
    } finally {
      dir.cleanup();
    }
  });

  it('runs a step numbered below one the database already has, once, and records it', () => {
    const dir = tempDir();
    const file = join(dir.path, 'db.sqlite');
    const applied: number[] = [];
    const m = (version: number): Migration => ({ version, name: `m${version}`, up: (db) => void (db.exec(`CREATE TABLE t${version} (x)`), applied.push(version)) });
    try {
      openDatabase({ file, migrations: [m(10), m(30)] }).db.close();
      openDatabase({ file, migrations: [m(10), m(20), m(30)] }).db.close();
      openDatabase({ file, migrations: [m(10), m(20), m(30)] }).db.close();
      assert.deepEqual(applied, [10, 30, 20], 'the late step ran once, after the ones the database had');
      const raw = new Database(file);
      assert.equal(raw.pragma('user_version', { simple: true }), 30);
      assert.deepEqual((raw.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version), [10, 20, 30]);
      raw.close();
    } finally {
      dir.cleanup();
    }
  });

  it('gives a database from before the step ledger the real steps that landed below its version (threads, MCP)', () => {
    const dir = tempDir();
    const file = join(dir.path, 'db.sqlite');
    try {
      // A data folder made when the list went 0080 → 0100: user_version 100, no threads, no MCP tables.
      const early = MIGRATIONS.filter((m) => m.version <= 100 && m.version !== 85 && m.version !== 90);
      openDatabase({ file, migrations: early }).db.close();
      const raw = new Database(file);
      raw.exec('DROP TABLE schema_migrations');
      raw.close();
      const { db, info } = openDatabase({ file });
      assert.equal(info.schemaVersion, MIGRATIONS[MIGRATIONS.length - 1].version);
      assert.ok(db.prepare("SELECT 1 FROM pragma_table_info('runs') WHERE name = 'thread_id'").get(), 'threads added');
      assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'mcp_servers'").get(), 'MCP tables added');
      const steps = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
      assert.deepEqual(steps, MIGRATIONS.map((m) => m.version));
      db.close();
      openDatabase({ file }).db.close();
    } finally {
      dir.cleanup();
    }
  });

  it('refuses a database that recorded a step this version does not know', () => {
    const dir = tempDir();
    const file = join(dir.path, 'db.sqlite');
    const noop = (version: number): Migration => ({ version, name: `n${version}`, up() {} });
    try {
      openDatabase({ file, migrations: [noop(10), noop(15), noop(20)] }).db.close();
      assert.throws(() => openDatabase({ file, migrations: [noop(10), noop(20)] }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'conflict');
        assert.match(err.message, /schema step 15 that this Agent Blob does not know/);
        return true;
      });
    } finally {
      dir.cleanup();
    }
  });

  it('refuses a database written by a newer version, with a clear error', () => {
    const dir = tempDir();
    const file = join(dir.path, 'db.sqlite');
    try {
      const raw = new Database(file);
      raw.pragma('user_version = 9990');
      raw.close();
      assert.throws(() => openDatabase({ file }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'conflict');
        assert.match(err.message, /schema version 9990, newer than this Agent Blob knows/);
        return true;
      });
    } finally {
      dir.cleanup();
    }
  });

  it('rejects a migration list with a repeated version (a programming error)', () => {
    const noop = (version: number): Migration => ({ version, name: `n${version}`, up() {} });
    assert.throws(() => openDatabase({ file: ':memory:', migrations: [noop(10), noop(10)] }), /repeated version/);
  });
});
