import { lstatSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join, relative } from 'node:path';
import type { BackupStatus, Retention, StorageReport } from '../contract/index.js';
import type { DataPaths } from '../datadir/index.js';
import type { ReadableDB } from '../db/index.js';
import { countEvents } from '../events/index.js';

/** Where the data folder's space goes: per top-level file or folder, and per table inside the database. */
export function storageReport(db: ReadableDB, paths: DataPaths, retention: Retention, backups: BackupStatus): StorageReport {
  const files = readdirSync(paths.dir)
    .map((name) => ({ name, bytes: sizeOf(join(paths.dir, name)) }))
    .sort((a, b) => b.bytes - a.bytes);
  const totalBytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const named = (...names: string[]) => files.filter((f) => names.includes(f.name)).reduce((sum, f) => sum + f.bytes, 0);
  const database = named(basename(paths.database));
  const wal = named(`${basename(paths.database)}-wal`, `${basename(paths.database)}-shm`);
  const logs = named(basename(paths.logs));
  const artifacts = named(basename(paths.artifacts));
  // Copies kept inside the data folder count here; a backup folder elsewhere is reported in `backups`.
  const inside = relative(paths.dir, backups.folder);
  const backupBytes = inside && !inside.startsWith('..') && !isAbsolute(inside) ? sizeOf(backups.folder) : 0;
  const pageSize = Number(db.prepare('SELECT page_size FROM pragma_page_size()').pluck().get());
  const freeBytes = Number(db.prepare('SELECT freelist_count FROM pragma_freelist_count()').pluck().get()) * pageSize;
  return {
    dataDir: paths.dir,
    totalBytes,
    files,
    parts: { database, wal, backups: backupBytes, logs, artifacts, other: Math.max(0, totalBytes - database - wal - backupBytes - logs - artifacts) },
    backups,
    tables: tableSizes(db),
    freeBytes,
    events: countEvents(db),
    retention,
  };
}

function tableSizes(db: ReadableDB): { name: string; bytes: number }[] {
  try {
    return db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all() as { name: string; bytes: number }[];
  } catch {
    // A SQLite built without the dbstat table: sizes per file are still reported.
    return [];
  }
}

function sizeOf(path: string): number {
  try {
    const stat = lstatSync(path);
    if (!stat.isDirectory()) return stat.size;
    return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
  } catch {
    // Gone between listing and looking (a rotated log, a WAL folded away).
    return 0;
  }
}
