import Database from 'better-sqlite3';
import { existsSync, mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthCheck } from '../contract/index.js';
import { dataPaths, type DataPaths } from '../datadir/index.js';
import { MIGRATIONS } from '../db/index.js';
import { storageError } from '../util/index.js';

/** Below this much free space a write may fail at any moment. */
export const LOW_DISK_BYTES = 100 * 1024 * 1024;

const RESTORE_ADVICE = 'restore a backup with "agent-blob restore FILE" while the app is stopped (the damaged file is kept aside)';

/** Free space on the disk holding the data folder: a warning below 100 MB, a failure below 1 MB. */
export function diskSpaceCheck(dir: string): HealthCheck {
  try {
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    const mb = (free / 1024 / 1024).toFixed(1);
    if (free < 1024 * 1024) return { name: 'disk space', status: 'fail', detail: `${mb} MB free on the disk holding ${dir}: changes cannot be saved; free some space (agent-blob maintenance prunes and compacts old data)` };
    if (free < LOW_DISK_BYTES) return { name: 'disk space', status: 'warn', detail: `only ${mb} MB free on the disk holding ${dir}; free some space before writes fail (agent-blob maintenance prunes and compacts old data)` };
    return { name: 'disk space', status: 'ok', detail: `${mb} MB free` };
  } catch (err) {
    return { name: 'disk space', status: 'warn', detail: `cannot tell the free space of ${dir}: ${(err as Error).message}` };
  }
}

/** The first line of an integrity report that names a problem (not the `*** in database main ***` heading). */
export function firstProblem(report: string): string {
  return report.split('\n').find((line) => line.trim() && !line.startsWith('***')) ?? report;
}

/** What to do about a database whose `quick_check` is not `ok`. */
export function damagedDatabaseAdvice(): string {
  return RESTORE_ADVICE;
}

/**
 * The data folder looked at without starting the app, for when it will not start: can the folder be
 * written, is there room, does the database open, is it whole, is its schema one this version knows.
 * Each failure says what to do.
 */
export function checkDataFolder(dir: string): HealthCheck[] {
  const paths = dataPaths(dir);
  return [folderCheck(paths), diskSpaceCheck(existsSync(paths.dir) ? paths.dir : parentThatExists(paths.dir)), databaseCheck(paths)];
}

function folderCheck(paths: DataPaths): HealthCheck {
  const probe = join(paths.dir, `.write-check-${process.pid}`);
  try {
    mkdirSync(paths.dir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
    return { name: 'data folder', status: 'ok', detail: `${paths.dir} (writable)` };
  } catch (err) {
    return { name: 'data folder', status: 'fail', detail: storageError(err, paths)?.message ?? `${paths.dir}: ${(err as Error).message}` };
  }
}

function databaseCheck(paths: DataPaths): HealthCheck {
  if (!existsSync(paths.database)) return { name: 'database', status: 'ok', detail: `${paths.database} does not exist yet; the first start creates it` };
  let db: Database.Database | null = null;
  try {
    db = new Database(paths.database, { readonly: true, fileMustExist: true });
    const schema = Number(db.pragma('user_version', { simple: true }));
    const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
    if (schema > latest) {
      return { name: 'database', status: 'fail', detail: `${paths.database} has schema version ${schema}, newer than this Agent Blob knows (${latest}): update Agent Blob, or ${RESTORE_ADVICE.replace('the damaged file', 'the newer file')}` };
    }
    const integrity = String(db.pragma('quick_check', { simple: true }));
    if (integrity !== 'ok') return { name: 'database', status: 'fail', detail: `${paths.database} is damaged (${firstProblem(integrity)}): ${RESTORE_ADVICE}` };
    return { name: 'database', status: 'ok', detail: `${paths.database}: ok, schema ${schema}` };
  } catch (err) {
    return { name: 'database', status: 'fail', detail: storageError(err, paths)?.message ?? `${paths.database}: ${(err as Error).message}` };
  } finally {
    db?.close();
  }
}

function parentThatExists(dir: string): string {
  let current = dir;
  while (!existsSync(current)) {
    const parent = join(current, '..');
    if (parent === current) break;
    current = parent;
  }
  return current;
}
