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

/** SQLite's own tables and table functions, and a connection's temporary tables: nobody's, anyone may read them. */
const SQLITE_OWN = /^(?:sqlite_\w+|dbstat|pragma_\w+|json_each|json_tree|temp\..+)$/;

const WRITE = /\b(?:INSERT(?:\s+OR\s+[A-Z]+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+[A-Z]+)?|DELETE\s+FROM)\s+([a-z_][a-z0-9_.]*)/g;
/** A table named after FROM or JOIN (a DELETE's FROM is its write). */
const READ = /(?<!\bDELETE\s+)\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_.]*)/g;
/** The second table of a FROM list (`FROM a x, b y`). */
const LISTED = /\bFROM\s+[a-z_][a-z0-9_.]*(?:\s+(?:AS\s+)?[a-z_]\w*)?\s*,\s*([a-z_][a-z0-9_.]*)/g;

type Access = { folder: string; file: string; table: string; line: number; access: 'writes' | 'reads' };

/** Every table written (INSERT, REPLACE, UPDATE, DELETE) or read (FROM, JOIN) in the SQL under `root` (migrations aside), with the folder it is in. */
function tableAccess(root: string): Access[] {
  return sourceFiles(root).flatMap((path) => {
    const file = relative(root, path).split(sep).join('/');
    const folder = file.includes('/') ? file.slice(0, file.indexOf('/')) : '.';
    const source = readFileSync(path, 'utf8');
    const lineOf = (index: number) => source.slice(0, index).split('\n').length;
    return [
      ...[...source.matchAll(WRITE)].map((m): Access => ({ folder, file, table: m[1], line: lineOf(m.index), access: 'writes' })),
      ...[...source.matchAll(READ), ...source.matchAll(LISTED)].map((m): Access => ({ folder, file, table: m[1], line: lineOf(m.index), access: 'reads' })),
    ];
  });
}

/** What in `root` touches a table another folder owns (or nobody does), as `file:line reads|writes table (owned by …)`. */
function foreignAccess(root: string): string[] {
  return tableAccess(root)
    .filter((a) => !SQLITE_OWN.test(a.table) && ownerOf(a.table) !== a.folder)
    .map((a) => `${a.file}:${a.line} ${a.access} ${a.table} (owned by ${ownerOf(a.table) ?? 'nobody'})`);
}

describe('each table is read and written only by the folder that owns it', () => {
  it('every INSERT, UPDATE and DELETE in core is in the folder that owns its table (temporary tables are their writer\'s own)', () => {
    const access = tableAccess(CORE);
    assert.ok(access.filter((a) => a.access === 'writes').length > 50, 'the scan reads core\'s writes');
    assert.deepEqual(foreignAccess(CORE).filter((a) => a.includes(' writes ')), []);
  });

  it('every FROM and JOIN in core names a table of its own folder: another folder\'s rows are read through that folder\'s functions', () => {
    const access = tableAccess(CORE);
    assert.ok(access.filter((a) => a.access === 'reads').length > 100, 'the scan reads core\'s reads');
    assert.deepEqual(foreignAccess(CORE).filter((a) => a.includes(' reads ')), []);
  });

  it('the audit catches a foreign read (FROM, JOIN, a FROM list) and a foreign write, and lets a folder read its own tables and SQLite\'s', () => {
    // Each line of the fixtures marked `✗` must be reported, and no other.
    const fixtures = join(import.meta.dirname, 'fixtures', 'ownership');
    const marked = sourceFiles(fixtures).flatMap((path) => {
      const file = relative(fixtures, path).split(sep).join('/');
      return readFileSync(path, 'utf8').split('\n').flatMap((text, i) => (text.trimEnd().endsWith('// ✗') ? [`${file}:${i + 1}`] : []));
    });
    assert.ok(marked.length >= 5, 'the fixtures mark foreign reads and writes');
    const found = foreignAccess(fixtures);
    assert.deepEqual([...new Set(found.map((f) => f.slice(0, f.indexOf(' '))))].sort(), marked.sort(), found.join('\n'));
    assert.ok(found.some((f) => / reads runs \(owned by runs\)/.test(f)) && found.some((f) => / writes events \(owned by events\)/.test(f)));
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
