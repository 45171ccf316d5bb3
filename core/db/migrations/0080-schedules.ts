import type { Migration } from '../types.js';

export const migration: Migration = {
  version: 80,
  name: 'schedules',
  up(db) {
    db.exec(`
      -- One row per schedule. next_run_at is the first slot not yet handled; due_at is when the one
      -- timer looks at the schedule next (next_run_at, or the end of a failure backoff if later).
      CREATE TABLE schedules (
        id                   TEXT PRIMARY KEY,
        name                 TEXT NOT NULL,
        prompt               TEXT NOT NULL,
        spec                 TEXT NOT NULL,
        missed_policy        TEXT NOT NULL,
        catch_up_limit       INTEGER NOT NULL,
        overlap_policy       TEXT NOT NULL,
        memory               TEXT NOT NULL,
        model                TEXT,
        budget_tokens        INTEGER,
        budget_cost_usd      REAL,
        notify               TEXT NOT NULL,
        status               TEXT NOT NULL,
        paused_reason        TEXT,
        spec_since           INTEGER NOT NULL,
        next_run_at          INTEGER,
        due_at               INTEGER,
        backoff_until        INTEGER,
        last_run_at          INTEGER,
        last_run_id          TEXT,
        last_result          TEXT,
        last_error           TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        created_at           INTEGER NOT NULL,
        updated_at           INTEGER NOT NULL
      );
      CREATE INDEX schedules_due ON schedules(due_at) WHERE status = 'active';

      -- Every slot that came due and what became of it, keyed by (schedule, slot time): a slot's row
      -- is written in the transaction that creates its run, before the run starts, so a crash or a
      -- double wake can never fire it twice. A row with through set stands for a stretch of slots.
      CREATE TABLE schedule_slots (
        schedule_id TEXT NOT NULL,
        slot_time   INTEGER NOT NULL,
        through     INTEGER,
        count       INTEGER,
        status      TEXT NOT NULL,
        reason      TEXT,
        trigger     TEXT,
        run_id      TEXT,
        seq         INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        fired_at    INTEGER,
        ended_at    INTEGER,
        error       TEXT,
        PRIMARY KEY (schedule_id, slot_time)
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX schedule_slots_run ON schedule_slots(run_id) WHERE run_id IS NOT NULL;
      CREATE INDEX schedule_slots_open ON schedule_slots(schedule_id, status) WHERE status IN ('queued', 'running');
    `);
  },
};
