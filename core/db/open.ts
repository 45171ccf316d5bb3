import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AppError } from '../contract/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { asWritable, type Migration, type ReadableDB, type WritableDB } from './types.js';

export interface OpenDatabaseOptions {
  /** Path of the database file, or `:memory:`. */
  file: string;
  migrations?: readonly Migration[];
  readonly?: boolean;
  /**
   * Load sqlite-vec now (the default). A reader that may not touch the vector tables opens without it
   * and calls `loadVectorExtension` when it does.
   */
  vectors?: boolean;
}

export interface DatabaseInfo {
  sqliteVersion: string;
  vecVersion: string;
  fts5: boolean;
  schemaVersion: number;
  journalMode: string;
}

/**
 * Opens the data folder's database: WAL, sqlite-vec loaded, FTS5 checked, the migrations it has not
 * recorded run in order (each in a transaction that records it and raises `user_version`). A database written by a newer version is
 * refused rather than guessed at.
 */
export function openDatabase(options: OpenDatabaseOptions): { db: WritableDB; info: DatabaseInfo } {
  const migrations = [...(options.migrations ?? MIGRATIONS)].sort((a, b) => a.version - b.version);
  checkMigrationOrder(migrations);
  if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
  const db = asWritable(new Database(options.file, { readonly: options.readonly ?? false, nativeBinding: nativeBinding() }));
  try {
    db.pragma('busy_timeout = 5000');
    const journalMode = options.readonly ? String(db.pragma('journal_mode', { simple: true })) : String(db.pragma('journal_mode = WAL', { simple: true }));
    db.pragma('synchronous = NORMAL');
    // A checkpoint leaves the WAL file at most this big, whatever a burst of writes made of it.
    if (!options.readonly) db.pragma('journal_size_limit = 67108864');
    db.pragma('foreign_keys = ON');
    const vecVersion = options.vectors === false ? 'not loaded' : loadVectorExtension(db);
    const fts5 = hasFts5(db);
    if (!fts5) throw new AppError('unavailable', 'this SQLite build has no FTS5; memory search needs it');
    const current = Number(db.pragma('user_version', { simple: true }));
    const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
    if (current > latest) {
      throw new AppError(
        'conflict',
        `the database at ${options.file} has schema version ${current}, newer than this Agent Blob knows (${latest}); ` +
          'update Agent Blob or choose another data folder',
      );
    }
    if (!options.readonly) runMigrations(db, migrations, current, options.file);
    const sqliteVersion = String((db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v);
    return {
      db,
      info: { sqliteVersion, vecVersion, fts5, schemaVersion: Number(db.pragma('user_version', { simple: true })), journalMode },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * better-sqlite3's compiled addon where node-gyp puts it, found with a few file checks instead of
 * the `bindings` package's search (a failed require of each place it knows before it);
 * undefined (the package searches) when it is not there, and in Electron, whose packaged addons
 * are unpacked beside the archive.
 */
function nativeBinding(): string | undefined {
  if (addon !== null) return addon;
  addon = undefined;
  if (process.versions.electron) return addon;
  try {
    const root = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
    // The places `bindings` tries first, in its order.
    addon = [['build'], ['build', 'Debug'], ['build', 'Release']].map((dirs) => join(root, ...dirs, 'better_sqlite3.node')).find((file) => existsSync(file));
  } catch {
    // not installed as a package: left to better-sqlite3
  }
  return addon;
}
let addon: string | undefined | null = null;

const withVectors = new WeakMap<object, string>();
/** Loads sqlite-vec into a connection opened without it (once); its version. */
export function loadVectorExtension(db: WritableDB): string {
  let version = withVectors.get(db);
  if (version === undefined) {
    sqliteVec.load(db);
    version = String((db.prepare('SELECT vec_version() AS v').get() as { v: string }).v);
    withVectors.set(db, version);
  }
  return version;
}

/**
 * Whether a database has recorded exactly the schema steps this build knows: no step to run, none it
 * does not know. A database from before the ledger, or one with a step missing, is not current.
 */
export function schemaIsCurrent(db: ReadableDB, migrations: readonly Migration[] = MIGRATIONS): boolean {
  const ledger = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!ledger) return false;
  const steps = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  return steps.size === migrations.length && migrations.every((m) => steps.has(m.version));
}

/**
 * Runs every known step the database has not recorded, in version order. Steps are recorded by
 * version in `schema_migrations`, so one that landed with a number below a step a database already
 * has is still applied; `user_version` keeps the highest applied version for backups and doctor.
 */
function runMigrations(db: WritableDB, migrations: readonly Migration[], current: number, file: string): void {
  const ledger = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  db.transaction(() => {
    if (ledger) return;
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    // A database from before the ledger: what it has is what its user_version covers, except steps
    // that can tell they are missing.
    const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
    for (const m of migrations) if (m.version <= current && (m.present?.(db) ?? true)) record.run(m.version, m.name);
  })();
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const known = new Set(migrations.map((m) => m.version));
  const unknown = [...applied].filter((v) => !known.has(v));
  if (unknown.length) {
    throw new AppError(
      'conflict',
      `the database at ${file} has schema step ${unknown.join(', ')} that this Agent Blob does not know; update Agent Blob or choose another data folder`,
    );
  }
  const pending = migrations.filter((m) => !applied.has(m.version));
  if (!pending.length) return;
  // One transaction function and one prepared insert for every step (each still its own transaction).
  const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
  const apply = db.transaction((migration: Migration) => {
    migration.up(db);
    record.run(migration.version, migration.name);
    const version = Number(db.pragma('user_version', { simple: true }));
    if (migration.version > version) db.pragma(`user_version = ${migration.version}`);
  });
  for (const migration of pending) apply(migration);
}

function checkMigrationOrder(migrations: readonly Migration[]): void {
  const seen = new Set<number>();
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= 0 || seen.has(m.version)) {
      throw new Error(`migration "${m.name}" has a bad or repeated version ${m.version}`);
    }
    seen.add(m.version);
  }
}

function hasFts5(db: WritableDB): boolean {
  try {
    db.exec('CREATE VIRTUAL TABLE temp.__fts5_probe USING fts5(x); DROP TABLE temp.__fts5_probe;');
    return true;
  } catch {
    return false;
  }
}
