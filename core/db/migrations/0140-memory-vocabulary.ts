import type { Migration } from '../types.js';

/**
 * The full-text index's vocabulary (how many memories hold each stemmed term, for IDF weights in
 * dedup and ranking) as a table of the schema, so the read path that weighs terms only selects from
 * it instead of creating a table of its own on every connection.
 */
export const migration: Migration = {
  version: 140,
  name: 'memory vocabulary',
  up(db) {
    db.exec("CREATE VIRTUAL TABLE memories_vocab USING fts5vocab('memories_fts', 'row');");
  },
};
