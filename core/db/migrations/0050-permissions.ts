import type { Migration } from '../types.js';

export const migration: Migration = {
  version: 50,
  name: 'permissions',
  up(db) {
    db.exec(`
      CREATE TABLE permission_rules (
        id         TEXT PRIMARY KEY,
        effect     TEXT NOT NULL,
        capability TEXT NOT NULL,
        pattern    TEXT NOT NULL,
        scope      TEXT NOT NULL,
        note       TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );

      -- Every call the gate saw: the approval queue (status pending) and the audit trail in one table.
      CREATE TABLE permission_requests (
        id            TEXT PRIMARY KEY,
        seq           INTEGER NOT NULL,
        ts            INTEGER NOT NULL,
        run_id        TEXT,
        capability    TEXT NOT NULL,
        resource      TEXT NOT NULL,
        resolved      TEXT,
        tool          TEXT NOT NULL,
        args_summary  TEXT NOT NULL,
        scope         TEXT NOT NULL,
        status        TEXT NOT NULL,
        decision      TEXT,
        decided_by    TEXT,
        rule_id       TEXT,
        reason        TEXT NOT NULL,
        answer        TEXT,
        mode          TEXT NOT NULL,
        decided_at    INTEGER,
        expires_at    INTEGER
      );
      CREATE INDEX permission_requests_seq ON permission_requests(seq);
      CREATE INDEX permission_requests_pending ON permission_requests(status) WHERE status = 'pending';
      CREATE INDEX permission_requests_run ON permission_requests(run_id, seq);
      CREATE INDEX permission_requests_capability ON permission_requests(capability, seq);
      CREATE INDEX permission_requests_rule ON permission_requests(rule_id, seq) WHERE rule_id IS NOT NULL;

      CREATE TABLE permission_config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  },
};
