import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { AppError } from '../contract/index.js';
import { MIGRATIONS } from '../db/index.js';
import { eventLogHead } from '../events/index.js';
import { gunzipFile, isGzipFile } from './backup.js';
import { acquireLock, DataDirBusyError, lockHolderAlive, readLock, type LockInfo } from './lock.js';
import type { DataPaths } from './paths.js';

export interface RestoreResult {
  /** The backup that now is the data folder's database. */
  from: string;
  /** Where the database it replaced was kept (with its `-wal`), or null when there was none. */
  keptAside: string | null;
  bytes: number;
  /** The schema version of the restored copy; an older one is upgraded at the next start. */
  schemaVersion: number;
  /** Events in the restored log (the highest seq). */
  head: number;
}

/**
 * Puts a backup in place of the data folder's database, only while nothing runs on the folder: the
 * backup is checked (`integrity_check`, an Agent Blob event log, a schema this version knows), copied
 * beside the database and checked again, and the current database and its `-wal` are renamed
 * `agent-blob.before-restore-<time>.sqlite` rather than deleted. Holding the folder's lock meanwhile
 * keeps the app from starting half-way through.
 */
export async function restoreDatabase(paths: DataPaths, source: string, now: number): Promise<RestoreResult> {
  if (!isAbsolute(source)) throw new AppError('invalid_input', `the backup path must be absolute: ${source}`);
  const from = resolve(source);
  if (!existsSync(from) || !statSync(from).isFile()) throw new AppError('not_found', `there is no backup file at ${from}`);
  if ([paths.database, `${paths.database}-wal`, `${paths.database}-shm`].includes(from)) {
    throw new AppError('invalid_input', `${from} is the live database itself; restore from a backup copy`);
  }
  refuseWhileRunning(paths.lock, readLock(paths.lock));
  let lock;
  try {
    lock = acquireLock(paths.lock, 'cli', now);
  } catch (err) {
    if (err instanceof DataDirBusyError) refuseWhileRunning(paths.lock, err.holder);
    throw err;
  }
  const staged = `${paths.database}.restoring`;
  try {
    rmSync(staged, { force: true });
    if (isGzipFile(from)) {
      // A compressed copy (the daily backup's .sqlite.gz): unpacked beside the database, then checked there.
      try {
        await gunzipFile(from, staged);
      } catch (err) {
        throw new AppError('invalid_input', `${from} is compressed but cannot be unpacked (${(err as Error).message}); choose another backup`);
      }
    } else {
      checkBackup(from);
      const src = new Database(from, { readonly: true, fileMustExist: true });
      try {
        await src.backup(staged);
      } finally {
        src.close();
      }
    }
    const { schemaVersion, head } = checkBackup(staged, from);
    const keptAside = existsSync(paths.database) ? setAside(paths.database, now) : null;
    renameSync(staged, paths.database);
    return { from, keptAside, bytes: statSync(paths.database).size, schemaVersion, head };
  } catch (err) {
    rmSync(staged, { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError('unavailable', `the backup ${from} could not be restored: ${(err as Error).message}`);
  } finally {
    lock.release();
  }
}

function refuseWhileRunning(lockPath: string, holder: LockInfo | null): void {
  if (holder && lockHolderAlive(holder)) {
    throw new AppError(
      'unavailable',
      `Agent Blob is running (${holder.owner}, pid ${holder.pid}); quit it (Quit in the tray, Ctrl-C for the host) and restore again (lock file ${lockPath})`,
    );
  }
}

/** Opens a would-be backup read-only and says plainly what is wrong with it (naming it `shownAs`, the file the person gave). */
function checkBackup(file: string, shownAs = file): { schemaVersion: number; head: number } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new AppError('invalid_input', `${shownAs} cannot be opened as a database: ${(err as Error).message}`);
  }
  try {
    let integrity: string;
    try {
      integrity = String(db.pragma('integrity_check', { simple: true }));
    } catch (err) {
      throw new AppError('invalid_input', `${shownAs} is not a readable SQLite database: ${(err as Error).message}`);
    }
    if (integrity !== 'ok') throw new AppError('invalid_input', `${shownAs} failed its integrity check (${integrity}); choose another backup`);
    const hasEvents = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    if (!hasEvents) throw new AppError('invalid_input', `${shownAs} is not an Agent Blob database (it has no event log)`);
    const schemaVersion = Number(db.pragma('user_version', { simple: true }));
    const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
    if (schemaVersion > latest) {
      throw new AppError('conflict', `${shownAs} has schema version ${schemaVersion}, newer than this Agent Blob knows (${latest}); update Agent Blob first`);
    }
    const head = eventLogHead(db);
    return { schemaVersion, head };
  } finally {
    db.close();
  }
}

/** Renames the database and its WAL files to `agent-blob.before-restore-<time>.sqlite[-wal|-shm]`. */
function setAside(database: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const name = basename(database).replace(/\.sqlite$/, '');
  let target = join(dirname(database), `${name}.before-restore-${stamp}.sqlite`);
  for (let n = 2; existsSync(target); n++) target = join(dirname(database), `${name}.before-restore-${stamp}-${n}.sqlite`);
  foldWal(database);
  renameSync(database, target);
  // A WAL that could not be folded (a damaged database) goes along under the matching name, so the
  // copy set aside opens with every change it had.
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${database}${suffix}`)) renameSync(`${database}${suffix}`, `${target}${suffix}`);
  }
  return target;
}

/** Folds the WAL into the database file; closing the last connection then removes `-wal` and `-shm`. */
function foldWal(database: string): void {
  try {
    const db = new Database(database, { fileMustExist: true });
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  } catch {
    // A database that will not open keeps its WAL beside it; setAside moves both.
  }
}
