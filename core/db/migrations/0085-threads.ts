import type { Migration } from '../types.js';

/**
 * Threads: every run and every timeline item belongs to one (the chat, a schedule, a worker), and a
 * model's history is read from its own run's thread. Everything that exists already is the chat's.
 */
export const migration: Migration = {
  version: 85,
  name: 'threads',
  up(db) {
    db.exec(`
      ALTER TABLE runs ADD COLUMN thread_id TEXT NOT NULL DEFAULT 'chat';
      ALTER TABLE timeline ADD COLUMN thread_id TEXT NOT NULL DEFAULT 'chat';
      CREATE INDEX timeline_thread_messages ON timeline(thread_id, seq) WHERE kind = 'message';
      CREATE INDEX IF NOT EXISTS runs_parent ON runs(parent_run_id) WHERE parent_run_id IS NOT NULL;
    `);
  },
  present: (db) => db.prepare("SELECT 1 FROM pragma_table_info('runs') WHERE name = 'thread_id'").get() !== undefined,
};
