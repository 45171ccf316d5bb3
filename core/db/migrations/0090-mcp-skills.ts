import type { Migration } from '../types.js';

export const migration: Migration = {
  version: 90,
  name: 'MCP servers, their tools and approvals; skill switches',
  up(db) {
    db.exec(`
      -- Configured servers. Secret values (tokens in env, header values) are in the secret store; the
      -- config JSON names them only.
      CREATE TABLE mcp_servers (
        name TEXT PRIMARY KEY,
        config TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- The tools each server listed last, in its order.
      CREATE TABLE mcp_tools (
        server TEXT NOT NULL,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        description TEXT NOT NULL,
        input_schema TEXT NOT NULL,
        hash TEXT NOT NULL,
        listed_at INTEGER NOT NULL,
        PRIMARY KEY (server, name)
      );
      -- The definitions the user approved: a tool is offered while its listed hash equals this one.
      CREATE TABLE mcp_tool_pins (
        server TEXT NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        input_schema TEXT NOT NULL,
        hash TEXT NOT NULL,
        approved_at INTEGER NOT NULL,
        PRIMARY KEY (server, name)
      );
      -- Skills turned off (or on again) by the user; a skill without a row is on.
      CREATE TABLE skill_settings (
        name TEXT PRIMARY KEY,
        enabled INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `);
  },
  present: (db) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mcp_servers'").get() !== undefined,
};
