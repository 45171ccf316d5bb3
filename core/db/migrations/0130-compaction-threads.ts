import type { Migration } from '../types.js';

/**
 * A compaction summary belongs to the thread whose turns it folded: a turn reads the newest summary
 * of its own thread only, so a schedule's summary never enters the chat's prompt (nor the chat's a
 * schedule's). Existing summaries take their run's thread; one of no known run is the chat's.
 */
export const migration: Migration = {
  version: 130,
  name: 'compaction threads',
  up(db) {
    db.exec(`
      ALTER TABLE agent_compactions ADD COLUMN thread_id TEXT NOT NULL DEFAULT 'chat';
      UPDATE agent_compactions SET thread_id = (SELECT thread_id FROM runs WHERE runs.id = agent_compactions.run_id)
        WHERE run_id IN (SELECT id FROM runs);
      DROP INDEX agent_compactions_upto;
      CREATE INDEX agent_compactions_thread ON agent_compactions(thread_id, seq) WHERE upto_seq IS NOT NULL;
    `);
  },
};
