import type { Migration } from '../types.js';

/**
 * The streamed pieces still in the log (`message.delta`; most are folded into their message before
 * they are written, so this index stays a few rows), by run: the daily retention pass finds them and
 * their finished messages without reading the whole event log, which grows by some 200,000 events a
 * year of daily use.
 */
export const migration: Migration = {
  version: 150,
  name: 'event deltas',
  up(db) {
    db.exec("CREATE INDEX events_deltas ON events(run_id) WHERE type = 'message.delta';");
  },
};
