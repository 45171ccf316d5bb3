import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase, type WritableDB } from '../../../core/db/index.js';
import { deleteEventsByField, deleteFinishedDeltas } from '../../../core/events/index.js';

function freshDb(): WritableDB {
  return openDatabase({ file: ':memory:' }).db;
}

/** An event row as the log writes it (the functions under test read the table, not the log's checks). */
function add(db: WritableDB, ts: number, type: string, runId: string | null, data: Record<string, string>): void {
  db.prepare('INSERT INTO events (ts, type, run_id, data) VALUES (?, ?, ?, ?)').run(ts, type, runId, JSON.stringify(data));
}

function kept(db: WritableDB): string[] {
  return (db.prepare('SELECT type, run_id, data FROM events ORDER BY seq').all() as { type: string; run_id: string | null; data: string }[]).map((e) => {
    const data = JSON.parse(e.data) as Record<string, string>;
    return `${e.type} ${e.run_id ?? '-'} ${data.messageId ?? data.requestId}`;
  });
}

/** Every statement `fn` prepares on `db`, with how SQLite runs it ("SCAN events" reads the whole log). */
function plansOf(db: WritableDB, fn: () => unknown): string[] {
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  (db as { prepare: (sql: string) => unknown }).prepare = (sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  };
  try {
    fn();
  } finally {
    (db as { prepare: unknown }).prepare = prepare;
  }
  return prepared.map((sql) => {
    const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => '[]');
    return (statement.all(...params) as { detail: string }[]).map((r) => r.detail).join(' | ');
  });
}

describe('pruning the event log (retention)', () => {
  it('removes the streamed pieces of messages completed before the cutoff, of their own run only, and keeps the pieces of a message still streaming or finished later', () => {
    const db = freshDb();
    add(db, 1000, 'message.delta', 'run_a', { messageId: 'm1', text: 'Hel' });
    add(db, 1000, 'message.delta', 'run_b', { messageId: 'm2', text: 'Wor' });
    add(db, 1000, 'message.completed', 'run_a', { messageId: 'm1', text: 'Hello' });
    add(db, 1000, 'message.delta', 'run_a', { messageId: 'm3', text: 'Still' });
    add(db, 9000, 'message.completed', 'run_b', { messageId: 'm2', text: 'World' });
    // A message id that only another run completed is not this run's.
    add(db, 9000, 'message.delta', 'run_c', { messageId: 'm1', text: 'lo' });
    const removed = deleteFinishedDeltas(db, 5000);
    assert.equal(removed, 1);
    assert.deepEqual(kept(db), ['message.delta run_b m2', 'message.completed run_a m1', 'message.delta run_a m3', 'message.completed run_b m2', 'message.delta run_c m1']);
  });

  it('removes the audit events of pruned requests, those logged with a run and those logged without one, and nothing else', () => {
    const db = freshDb();
    add(db, 1000, 'permission.requested', 'run_a', { requestId: 'p1' });
    add(db, 1000, 'permission.decided', 'run_a', { requestId: 'p1' });
    add(db, 1000, 'permission.decided', 'run_a', { requestId: 'p2' });
    add(db, 1000, 'permission.decided', null, { requestId: 'p3' });
    add(db, 1000, 'permission.decided', null, { requestId: 'p4' });
    const removed = deleteEventsByField(db, ['permission.requested', 'permission.decided'], 'requestId', [
      { runId: 'run_a', value: 'p1' },
      { runId: null, value: 'p3' },
    ]);
    assert.equal(removed, 3);
    assert.deepEqual(kept(db), ['permission.decided run_a p2', 'permission.decided - p4']);
  });

  it('finds what it prunes through indexes: the daily pass does not read a year of events', () => {
    const db = freshDb();
    const [deltas] = plansOf(db, () => deleteFinishedDeltas(db, 5000));
    assert.match(deltas, /SCAN d USING INDEX events_deltas/);
    assert.match(deltas, /SEARCH c USING INDEX events_run/);
    const [audit] = plansOf(db, () => deleteEventsByField(db, ['permission.decided'], 'requestId', [{ runId: 'run_a', value: 'p1' }]));
    assert.match(audit, /SEARCH events USING INDEX events_run/);
    for (const plan of [deltas, audit]) assert.doesNotMatch(plan, /SCAN events\b(?! USING)/, plan);
  });
});
