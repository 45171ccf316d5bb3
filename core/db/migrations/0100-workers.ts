import type { Migration } from '../types.js';

/**
 * Workers: the registry of sub-agent runs (role, task, parent, depth, what they spent, what they are
 * doing, their result), and artifacts: files runs handed back, stored under the data folder's
 * `artifacts/`. Both are projections of the event log.
 */
export const migration: Migration = {
  version: 100,
  name: 'workers and artifacts',
  up(db) {
    db.exec(`
      CREATE TABLE workers (
        run_id        TEXT PRIMARY KEY,
        role          TEXT NOT NULL,
        task          TEXT NOT NULL,
        parent_run_id TEXT,
        depth         INTEGER NOT NULL,
        tokens        INTEGER NOT NULL DEFAULT 0,
        cost_usd      REAL NOT NULL DEFAULT 0,
        step          TEXT,
        envelope      TEXT,
        created_at    INTEGER NOT NULL
      );
      CREATE INDEX workers_parent ON workers(parent_run_id) WHERE parent_run_id IS NOT NULL;
      CREATE INDEX workers_created ON workers(created_at DESC);

      CREATE TABLE artifacts (
        id         TEXT PRIMARY KEY,
        run_id     TEXT NOT NULL,
        name       TEXT NOT NULL,
        type       TEXT NOT NULL,
        size       INTEGER NOT NULL,
        -- Relative to the data folder's artifacts/ folder.
        path       TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX artifacts_run ON artifacts(run_id);
    `);
  },
};
