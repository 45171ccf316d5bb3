import type { Migration } from '../types.js';

export const migration: Migration = {
  version: 70,
  name: 'full-text search over the timeline',
  up(db) {
    db.exec(`
      -- Words of finished messages and errors, keyed by the item's seq. Contentless: the text lives in
      -- the timeline table; a message is indexed once, when it is whole, not at every streamed delta.
      CREATE VIRTUAL TABLE timeline_fts USING fts5(text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
      INSERT INTO timeline_fts(rowid, text)
        SELECT seq, text FROM timeline
        WHERE text IS NOT NULL AND text != '' AND ((kind = 'message' AND status != 'streaming') OR kind IN ('error', 'memory_proposal'));
    `);
  },
};
