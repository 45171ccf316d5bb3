import type { Migration } from '../types.js';

/**
 * Attachments: the bytes of files sent with a message. The `message.created` event names each file
 * (id, name, type, size); the bytes are written here in the same transaction, so the event log stays
 * small enough to stream to every window.
 */
export const migration: Migration = {
  version: 120,
  name: 'attachments',
  up(db) {
    db.exec(`
      CREATE TABLE attachments (
        id         TEXT PRIMARY KEY,
        message_id TEXT NOT NULL,
        name       TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size       INTEGER NOT NULL,
        data       BLOB NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX attachments_message ON attachments(message_id);
    `);
  },
};
