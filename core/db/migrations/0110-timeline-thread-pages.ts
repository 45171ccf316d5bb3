import type { Migration } from '../types.js';

/**
 * Pages of one thread (the master timeline is the chat's thread with the results posted into it; a
 * schedule's or a worker's transcript is its own) are read by thread and seq.
 */
export const migration: Migration = {
  version: 110,
  name: 'timeline thread pages',
  up(db) {
    db.exec('CREATE INDEX timeline_thread_seq ON timeline(thread_id, seq);');
  },
};
