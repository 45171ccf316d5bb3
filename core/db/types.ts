import type Database from 'better-sqlite3';

declare const writable: unique symbol;

/**
 * A database handle that may write: a migrated connection `openDatabase` returned, or one
 * `asWritable` vouches for. Only code that owns a table and appends its events gets one, and a
 * function that writes says so by taking one. It is a `ReadableDB` too; a `ReadableDB`, or a bare
 * better-sqlite3 handle, is not a `WritableDB`.
 */
export type WritableDB = Database.Database & { readonly [writable]: true };

/** Marks a connection opened outside `openDatabase` (a backup being checked, a test's scratch database) as one that may write. */
export function asWritable(db: Database.Database): WritableDB {
  return db as WritableDB;
}

/**
 * A prepared statement a read path may run: it returns rows and has no `run`, no `bind` and no way
 * back to its database, so a reader cannot write through it.
 */
export interface ReadStatement<BindParameters extends unknown[] = unknown[], Result = unknown> {
  readonly source: string;
  get(...params: BindParameters): Result | undefined;
  all(...params: BindParameters): Result[];
  iterate(...params: BindParameters): IterableIterator<Result>;
  pluck(toggleState?: boolean): this;
  expand(toggleState?: boolean): this;
  raw(toggleState?: boolean): this;
  columns(): Database.ColumnDefinition[];
}

/**
 * A handle for read paths: it prepares statements that can only read (`ReadStatement`), and has no
 * `exec`, `transaction` or `pragma`. A `WritableDB` is one (what owners pass to their readers); the
 * other way round does not compile. Read a pragma through its table function (`pragma_page_size()`).
 */
export interface ReadableDB {
  prepare<BindParameters extends unknown[] | object = unknown[], Result = unknown>(
    source: string,
  ): BindParameters extends unknown[] ? ReadStatement<BindParameters, Result> : ReadStatement<[BindParameters], Result>;
}

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
