import type Database from 'better-sqlite3';

/** A database handle that may write. Only code that owns a table and appends its events gets one. */
export type WritableDB = Database.Database;

/** A handle for read paths: statements only, no transactions or raw exec. */
export type ReadableDB = Pick<Database.Database, 'prepare' | 'pragma'>;

/**
 * One numbered schema step. Versions go up by 10 to leave room; each runs in its own transaction and
 * is recorded in `schema_migrations`, so a step numbered below one a database already has still runs.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: WritableDB): void;
  /**
   * Whether this step's changes are present, for databases from before `schema_migrations`, which
   * only know their `user_version`: a step numbered below it that says `false` here still runs.
   * Without it, a step at or below `user_version` counts as applied.
   */
  present?(db: WritableDB): boolean;
}
