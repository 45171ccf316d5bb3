import type { Migration } from '../types.js';

/**
 * Memories, their full-text index (kept by triggers, so it can never drift from the rows) and the
 * bookkeeping of vector indexes. The vec0 tables themselves are created by core/memory per embedder
 * generation, because their dimension depends on the embedder chosen at run time.
 */
export const migration: Migration = {
  version: 40,
  name: 'memory',
  up(db) {
    db.exec(`
      CREATE TABLE memories (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        area TEXT NOT NULL,
        text TEXT NOT NULL,
        norm TEXT NOT NULL UNIQUE,
        pinned INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        source_kind TEXT NOT NULL,
        source_run_id TEXT,
        source_message_id TEXT,
        embedder TEXT NOT NULL,
        supersedes TEXT,
        superseded_by TEXT,
        conflicts_with TEXT
      );
      CREATE INDEX memories_area_created ON memories(area, created_at DESC);
      CREATE INDEX memories_created ON memories(created_at DESC);
      CREATE INDEX memories_pinned ON memories(pinned) WHERE pinned = 1;
      CREATE INDEX memories_conflicts ON memories(conflicts_with) WHERE conflicts_with IS NOT NULL;

      CREATE VIRTUAL TABLE memories_fts USING fts5(text, content='memories', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2');
      CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
        INSERT INTO memories_fts(rowid, text) VALUES (new.rowid, new.text);
      END;
      CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
        INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      END;
      CREATE TRIGGER memories_fts_update AFTER UPDATE OF text ON memories BEGIN
        INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO memories_fts(rowid, text) VALUES (new.rowid, new.text);
      END;

      -- MinHash band keys: candidates for near-duplicate and contradiction checks without a full scan.
      CREATE TABLE memory_lsh (key INTEGER NOT NULL, mem INTEGER NOT NULL);
      CREATE INDEX memory_lsh_key ON memory_lsh(key);
      CREATE INDEX memory_lsh_mem ON memory_lsh(mem);

      -- One row per vector index generation; 'active' answers searches, 'building' is being filled.
      CREATE TABLE memory_vec_generations (
        gen INTEGER PRIMARY KEY,
        embedder TEXT NOT NULL,
        dims INTEGER NOT NULL,
        state TEXT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE memory_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE memory_proposals (
        id TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        area TEXT NOT NULL,
        source_kind TEXT NOT NULL,
        source_run_id TEXT,
        source_message_id TEXT,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        memory_id TEXT
      );
    `);
  },
};
