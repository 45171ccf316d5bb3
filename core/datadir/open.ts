import { openDatabase, type DatabaseInfo, type WritableDB } from '../db/index.js';
import { storageError } from '../util/index.js';
import { acquireLock, type DataDirLock, type LockInfo } from './lock.js';
import { dataPaths, prepareDataDir, type DataPaths } from './paths.js';

export interface DataFolder {
  paths: DataPaths;
  lock: DataDirLock;
  db: WritableDB;
  dbInfo: DatabaseInfo;
  /** Checkpoints the WAL, closes the database and releases the lock. Safe to call twice. */
  release(): void;
}

/**
 * Takes the data folder's lock and opens its database; a database that will not open releases the
 * lock again. A read-only folder, a full disk or a damaged database is an `unavailable` error that
 * says what to do.
 */
export function openDataFolder(dir: string, owner: LockInfo['owner'], now: number): DataFolder {
  const paths = dataPaths(dir);
  let lock: DataDirLock;
  try {
    prepareDataDir(dir);
    lock = acquireLock(paths.lock, owner, now);
  } catch (err) {
    throw storageError(err, paths) ?? err;
  }
  let opened: ReturnType<typeof openDatabase>;
  try {
    opened = openDatabase({ file: paths.database });
  } catch (err) {
    lock.release();
    throw storageError(err, paths) ?? err;
  }
  const { db, info } = opened;
  let released = false;
  return {
    paths,
    lock,
    db,
    dbInfo: info,
    release() {
      if (released) return;
      released = true;
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // a checkpoint is an optimisation; the WAL is replayed at next open anyway
      }
      try {
        db.close();
      } finally {
        lock.release();
      }
    },
  };
}
