import { AppError } from '../contract/index.js';

/** What went wrong with the disk or the database file, in the words a person acts on. */
export type StorageFault = 'full' | 'read_only' | 'damaged' | 'io';

const SQLITE_FAULTS: Array<[RegExp, StorageFault]> = [
  [/^SQLITE_FULL/, 'full'],
  [/^SQLITE_READONLY/, 'read_only'],
  [/^SQLITE_CANTOPEN/, 'read_only'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'damaged'],
  [/^SQLITE_IOERR/, 'io'],
];

const ERRNO_FAULTS: Record<string, StorageFault> = { ENOSPC: 'full', EDQUOT: 'full', EROFS: 'read_only', EACCES: 'read_only', EPERM: 'read_only', EIO: 'io' };

/** The fault behind a better-sqlite3 or file-system error, or null for anything else. */
export function storageFault(err: unknown): StorageFault | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  for (const [pattern, fault] of SQLITE_FAULTS) if (pattern.test(code)) return fault;
  return ERRNO_FAULTS[code] ?? null;
}

/**
 * A storage error as an `unavailable` AppError that says what to do; `where` names the data folder
 * when it is known. Returns null when `err` is not about storage (a bug stays a bug).
 */
export function storageError(err: unknown, where?: { dir: string; database: string }): AppError | null {
  const fault = storageFault(err);
  if (!fault) return null;
  const code = String((err as { code: string }).code);
  const message = (err as Error).message ?? '';
  const detail = message.startsWith(code) ? message : `${code}: ${message}`;
  const folder = where ? `the data folder ${where.dir}` : 'the data folder';
  const database = where ? `the database ${where.database}` : 'the database';
  switch (fault) {
    case 'full':
      return new AppError('unavailable', `the disk holding ${folder} is full (${detail}); nothing of this change was saved. Free some space (agent-blob maintenance prunes and compacts old data) and try again`);
    case 'read_only':
      return new AppError('unavailable', `${folder} cannot be written (${detail}); make it writable, or choose another folder with --data-dir or AGENT_BLOB_DATA_DIR`);
    case 'damaged':
      return new AppError('unavailable', `${database} is damaged (${detail}); restore a backup with "agent-blob restore FILE" while the app is stopped (the damaged file is kept aside); "agent-blob doctor" shows what is wrong`);
    case 'io':
      return new AppError('unavailable', `reading or writing ${database} failed (${detail}); check the disk, then run "agent-blob doctor"`);
  }
}
