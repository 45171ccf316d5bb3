import type { Migration } from '../types.js';

export const migration: Migration = {
  version: 20,
  name: 'runs and timeline projections',
  up(db) {
    db.exec(`
      CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        kind          TEXT NOT NULL,
        status        TEXT NOT NULL,
        reason        TEXT,
        error         TEXT,
        title         TEXT NOT NULL,
        parent_run_id TEXT,
        model         TEXT,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        started_at    INTEGER,
        ended_at      INTEGER
      );
      CREATE INDEX runs_status ON runs(status);
      CREATE INDEX runs_created ON runs(created_at DESC);

      -- The master timeline: one row per item, in log order. Message text grows with deltas.
      CREATE TABLE timeline (
        id      TEXT PRIMARY KEY,
        seq     INTEGER NOT NULL UNIQUE,
        ts      INTEGER NOT NULL,
        kind    TEXT NOT NULL,
        run_id  TEXT,
        role    TEXT,
        text    TEXT,
        status  TEXT,
        model   TEXT,
        code    TEXT
      );
      CREATE INDEX timeline_run ON timeline(run_id) WHERE run_id IS NOT NULL;
    `);
  },
};
