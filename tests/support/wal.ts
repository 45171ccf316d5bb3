import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

/** The commit frames of the WAL's current generation (SQLite's WAL format: a frame whose "database size after commit" is not 0 ends a transaction). */
function readWal(file: string): { salt: string | null; commits: number } {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return { salt: null, commits: 0 };
  }
  if (size < WAL_HEADER) return { salt: null, commits: 0 };
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(WAL_HEADER);
    readSync(fd, header, 0, WAL_HEADER, 0);
    const pageSize = header.readUInt32BE(8) || 65536;
    const salt = header.subarray(16, 24);
    const frame = Buffer.alloc(FRAME_HEADER);
    let commits = 0;
    for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= size; at += FRAME_HEADER + pageSize) {
      readSync(fd, frame, 0, FRAME_HEADER, at);
      // A frame of an older generation (before the WAL restarted) has other salts: the end of this one.
      if (!frame.subarray(8, 16).equals(salt)) break;
      if (frame.readUInt32BE(4) !== 0) commits++;
    }
    return { salt: salt.toString('hex'), commits };
  } finally {
    closeSync(fd);
  }
}

/**
 * Counts the write transactions committed to a WAL-mode database from now on, by any code path
 * (the event log, a store writing on its own, a statement outside any transaction), as SQLite
 * itself records them: one commit frame each in the `-wal` file. A transaction that wrote nothing
 * is not one. Automatic checkpoints are off while it counts, so the WAL is not restarted under it.
 */
export function countCommits(db: Database.Database): { commits(): number; stop(): void } {
  const file = `${db.name}-wal`;
  const autocheckpoint = Number(db.pragma('wal_autocheckpoint', { simple: true }));
  db.pragma('wal_autocheckpoint = 0');
  const start = readWal(file);
  return {
    commits() {
      const now = readWal(file);
      if (start.salt !== null && now.salt !== start.salt) throw new Error('the WAL was checkpointed and restarted while commits were counted');
      return now.commits - start.commits;
    },
    stop() {
      db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
    },
  };
}
