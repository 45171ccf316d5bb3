import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { AppError } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { DataPaths } from './paths.js';

export interface BackupResult {
  path: string;
  bytes: number;
  /** The schema version the copy carries. */
  schemaVersion: number;
  /** `PRAGMA integrity_check` of the copy. */
  integrity: string;
}

/**
 * Copies the live database to `target` with SQLite's online backup: a consistent snapshot while the
 * app keeps running. The copy is written beside the target, checked, then renamed into place, so a
 * failed backup never leaves a half-written file under the name asked for.
 */
export async function backupDatabase(db: WritableDB, paths: DataPaths, target: string): Promise<BackupResult> {
  if (!isAbsolute(target)) throw new AppError('invalid_input', `the backup path must be absolute: ${target}`);
  const path = resolve(target);
  const live = [paths.database, `${paths.database}-wal`, `${paths.database}-shm`, paths.lock];
  if (live.includes(path)) throw new AppError('invalid_input', `${path} is the live data folder's own file; choose another place`);
  if (existsSync(path)) throw new AppError('conflict', `${path} already exists; choose a new file name`);
  if (!existsSync(dirname(path)) || !statSync(dirname(path)).isDirectory()) {
    throw new AppError('not_found', `the folder ${dirname(path)} does not exist`);
  }
  const partial = `${path}.partial`;
  try {
    await db.backup(partial);
    const copy = new Database(partial, { readonly: true });
    let integrity: string;
    let schemaVersion: number;
    try {
      integrity = String(copy.pragma('integrity_check', { simple: true }));
      schemaVersion = Number(copy.pragma('user_version', { simple: true }));
    } finally {
      copy.close();
    }
    if (integrity !== 'ok') throw new AppError('internal', `the backup copy failed its integrity check: ${integrity}`);
    renameSync(partial, path);
    return { path, bytes: statSync(path).size, schemaVersion, integrity };
  } catch (err) {
    rmSync(partial, { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError('unavailable', `the backup could not be written to ${path}: ${(err as Error).message}`);
  }
}
