import type { Migration } from '../types.js';

export const migration: Migration = {
  version: 10,
  name: 'events',
  up(db) {
    db.exec(`
      CREATE TABLE events (
        seq    INTEGER PRIMARY KEY AUTOINCREMENT,
        ts     INTEGER NOT NULL,
        type   TEXT    NOT NULL,
        run_id TEXT,
        data   TEXT    NOT NULL
      );
      CREATE INDEX events_run ON events(run_id, seq) WHERE run_id IS NOT NULL;
    `);
  },
};
