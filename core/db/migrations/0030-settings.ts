import type { Migration } from '../types.js';

export const migration: Migration = {
  version: 30,
  name: 'settings',
  up(db) {
    db.exec(`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);`);
  },
};
