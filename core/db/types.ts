import type Database from 'better-sqlite3';

/** A database handle that may write. Only code that owns a table and appends its events gets one. */
export type WritableDB = Database.Database;

/** A handle for read paths: statements only, no transactions or raw exec. */
export type ReadableDB = Pick<Database.Database, 'prepare' | 'pragma'>;

/** One numbered schema step. Versions go up by 10 to leave room; each runs in its own transaction. */
export interface Migration {
  version: number;
  name: string;
  up(db: WritableDB): void;
}
