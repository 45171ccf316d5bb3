import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../core/db/index.js';
import { tempDir } from '../support/index.js';

const CORE = join(import.meta.dirname, '..', '..', 'core');

/** Which folder of core owns each table: only it writes the table. A name ending in `*` covers its prefix. */
const OWNERS: Record<string, string> = {
  events: 'events',
  runs: 'runs',
  timeline: 'timeline',
  'timeline_fts*': 'timeline',
  settings: 'settings',
  'memories*': 'memory',
  'memory_*': 'memory',
  'permission_*': 'permissions',
  'agent_*': 'agent',
  schedules: 'scheduler',
  schedule_slots: 'scheduler',
  'mcp_*': 'mcp',
  skill_settings: 'skills',
  workers: 'workers',
  artifacts: 'workers',
  attachments: 'attachments',
  schema_migrations: 'db',
};

function ownerOf(table: string): string | null {
  if (OWNERS[table]) return OWNERS[table];
  const prefix = Object.keys(OWNERS).find((k) => k.endsWith('*') && table.startsWith(k.slice(0, -1)));
  return prefix ? OWNERS[prefix] : null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'migrations' || name === 'contract' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every INSERT, REPLACE, UPDATE and DELETE in core's SQL (migrations aside), with the folder it is written in. */
function writesInCore(): { folder: string; file: string; table: string }[] {
  const write = /\b(?:INSERT(?:\s+OR\s+[A-Z]+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+[A-Z]+)?|DELETE\s+FROM)\s+([a-z_][a-z0-9_.]*)/g;
  return sourceFiles(CORE).flatMap((path) => {
    const file = relative(CORE, path).split(sep).join('/');
    const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : '.';
    return [...readFileSync(path, 'utf8').matchAll(write)].map((m) => ({ folder, file, table: m[1] }));
  });
}

describe('each table is written only by the folder that owns it', () => {
  it('every INSERT, UPDATE and DELETE in core is in the folder that owns its table (temporary tables are their writer\'s own)', () => {
    const writes = writesInCore();
    assert.ok(writes.length > 50, `${writes.length} writes found: the scan reads core's SQL`);
    const foreign = writes.filter((w) => !w.table.startsWith('temp.') && ownerOf(w.table) !== w.folder).map((w) => `${w.file} writes ${w.table} (owned by ${ownerOf(w.table) ?? 'nobody'})`);
    assert.deepEqual(foreign, []);
  });

  it('every table of the schema has an owning folder', () => {
    const dir = tempDir();
    try {
      const { db } = openDatabase({ file: join(dir.path, 'db.sqlite') });
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
      db.close();
      // FTS and vector shadow tables (memories_fts_data, …) belong with the table they shadow.
      assert.deepEqual(tables.filter((t) => ownerOf(t) === null), []);
      assert.ok(tables.length > 20);
    } finally {
      dir.cleanup();
    }
  });
});
