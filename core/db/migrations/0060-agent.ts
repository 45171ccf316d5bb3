import type { Migration } from '../types.js';

export const migration: Migration = {
  version: 60,
  name: 'agent runtime: usage, recordings, compactions, tool cards',
  up(db) {
    db.exec(`
      -- Tokens and cost of every model response, projected from run.usage events.
      CREATE TABLE agent_usage (
        seq         INTEGER PRIMARY KEY,
        run_id      TEXT NOT NULL,
        ts          INTEGER NOT NULL,
        day         TEXT NOT NULL,
        model       TEXT NOT NULL,
        purpose     TEXT NOT NULL,
        input       INTEGER NOT NULL,
        output      INTEGER NOT NULL,
        cache_read  INTEGER NOT NULL,
        cache_write INTEGER NOT NULL,
        cost_usd    REAL NOT NULL
      );
      CREATE INDEX agent_usage_run ON agent_usage(run_id);
      CREATE INDEX agent_usage_day ON agent_usage(day);

      -- What a run saw from outside: its input, every model stream, every gate answer and tool result,
      -- redacted. A debugging trace for replay, not state, so it is written beside the log, not into it.
      CREATE TABLE agent_recordings (
        run_id  TEXT NOT NULL,
        step    INTEGER NOT NULL,
        kind    TEXT NOT NULL,
        call_id TEXT,
        data    TEXT NOT NULL,
        PRIMARY KEY (run_id, step)
      );

      -- Summaries that replaced older turns, with the raw turns they replaced.
      CREATE TABLE agent_compactions (
        id       TEXT PRIMARY KEY,
        seq      INTEGER NOT NULL,
        run_id   TEXT,
        ts       INTEGER NOT NULL,
        method   TEXT NOT NULL,
        upto_seq INTEGER,
        summary  TEXT,
        archive  TEXT NOT NULL
      );
      CREATE INDEX agent_compactions_upto ON agent_compactions(upto_seq) WHERE upto_seq IS NOT NULL;

      -- Tool-call cards keep their arguments and result here.
      ALTER TABLE timeline ADD COLUMN detail TEXT;
    `);
  },
};
