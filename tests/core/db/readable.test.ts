import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import type Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { asWritable, type ReadableDB, type ReadStatement, type WritableDB } from '../../../core/db/index.js';
import { DEFAULT_BACKUPS, DEFAULT_RETENTION, storageReport } from '../../../core/maintenance/index.js';
import { countEvents, eventLogHead, EventQueries } from '../../../core/events/index.js';
import { McpQueries } from '../../../core/mcp/store.js';
import { MemoryQueries } from '../../../core/memory/index.js';
import { deleteRequests, PermissionQueries } from '../../../core/permissions/index.js';
import { createRunsProjector, RunQueries } from '../../../core/runs/index.js';
import { ScheduleQueries } from '../../../core/scheduler/index.js';
import { TimelineQueries } from '../../../core/timeline/index.js';
import { createResultPoster } from '../../../core/timeline/results.js';
import { ArtifactStore, WorkerQueries } from '../../../core/workers/index.js';
import { createSequentialIds } from '../../../core/util/index.js';
import { startTestCore } from '../../support/index.js';

/**
 * A read handle on its own read-only connection to the core's database file (as a reader of another
 * process would have), noting every statement prepared through it and whether SQLite calls it
 * read-only.
 */
function watchedReader(file: string): { reader: ReadableDB; connection: Database.Database; prepared: { sql: string; readonly: boolean }[] } {
  const connection = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  sqliteVec.load(connection);
  const prepared: { sql: string; readonly: boolean }[] = [];
  const reader = {
    prepare(sql: string) {
      const statement = connection.prepare(sql);
      prepared.push({ sql, readonly: statement.readonly });
      return statement;
    },
  } as ReadableDB;
  return { reader, connection, prepared };
}

function takesReader(db: ReadableDB): void {
  void db;
}

/** What a read handle lets through, checked by the compiler: each line under a `@ts-expect-error` must stay a type error. */
export function readersCannotWrite(reader: ReadableDB, statement: ReadStatement, takesWriter: (db: WritableDB) => void, bare: Database.Database, writer: WritableDB): void {
  // @ts-expect-error a reader has no exec
  reader.exec('DELETE FROM runs');
  // @ts-expect-error a reader has no transaction
  reader.transaction(() => {});
  // @ts-expect-error a reader has no pragma (it could set one); read one through its table function
  reader.pragma('user_version = 0');
  // @ts-expect-error a read statement has no run
  statement.run();
  // @ts-expect-error a read statement has no way back to its database
  void statement.database;
  // @ts-expect-error a reader is not a writer
  takesWriter(reader);
  // @ts-expect-error a bare better-sqlite3 handle is not a writer until openDatabase (or asWritable) made it one
  takesWriter(bare);
  // @ts-expect-error the functions that write say so: a retention delete needs a writer
  deleteRequests(reader, []);
  // @ts-expect-error a projector writes its table
  createRunsProjector(reader);
  // A writer is a reader, and a connection vouched for is a writer.
  takesReader(writer);
  takesWriter(asWritable(bare));
}

describe('read handles', () => {
  it('the read paths of runs, the event log, timeline, results, memory, storage, permissions, schedules, workers, artifacts and MCP read the rows written, through statements SQLite calls read-only, and a write through the handle is refused', async () => {
    const t = await startTestCore();
    let connection: Database.Database | null = null;
    try {
      await t.client.call('memory.add', { text: 'The cat is called Tom and likes tuna.' });
      await t.client.call('memory.add', { text: 'The dog is called Rex.' });
      const schedule = await t.client.call('schedules.add', { name: 'water the plants', prompt: 'Remind me to water the plants.', spec: { kind: 'interval', everySeconds: 3600 } });
      const rule = await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'fs.read', pattern: '/srv/notes/**', note: 'notes' });
      await t.client.call('mcp.add', { name: 'notes', server: { url: 'http://127.0.0.1:9/mcp' } });
      const runId = t.core.log.transaction(() => {
        const id = t.core.runs.create({ kind: 'chat', title: 'hello' });
        t.core.log.append('message.created', { messageId: 'm1', role: 'user', text: 'hello there, what is the weather', status: 'done' }, id);
        return id;
      });
      const watched = watchedReader(t.core.paths.database);
      connection = watched.connection;
      const { reader, prepared } = watched;

      const runQueries = new RunQueries(reader);
      assert.equal(runQueries.get(runId)?.title, 'hello');
      assert.deepEqual(runQueries.getMany([runId, 'no-such-run']).map((r) => r.id), [runId]);
      assert.equal(runQueries.kindOf(runId), 'chat');
      assert.deepEqual(runQueries.endedBefore([runId], Number.MAX_SAFE_INTEGER), [], 'the run has not ended');
      const events = new EventQueries(reader);
      assert.deepEqual(events.ofRunOfType(runId, 'run.created').map((e) => e.runId), [runId]);
      assert.deepEqual(events.ofRunOfType(runId, 'message.created').map((e) => e.data.text), ['hello there, what is the weather']);
      assert.ok(events.ofRun(runId).length >= 2);
      assert.ok(countEvents(reader) > 0 && eventLogHead(reader) === t.core.log.head());
      const timeline = new TimelineQueries(reader);
      const page = timeline.list(Number.MAX_SAFE_INTEGER, 10, 'chat');
      assert.ok(
        page.items.some((item) => JSON.stringify(item).includes('hello there, what is the weather')),
        JSON.stringify(page.items),
      );
      assert.equal(timeline.firstMessageOfRun(runId), 'm1', "the id of the run's first message");
      createResultPoster(reader, t.core.log);

      const memory = new MemoryQueries(reader);
      // The full-text vocabulary: 'call' is in both memories, 'tuna' in one, 'zebra' in none.
      assert.deepEqual([...memory.termCounts(['call', 'tuna', 'zebra'])], [['call', 2], ['tuna', 1], ['zebra', 0]]);
      assert.equal(memory.size(), 2);
      const rowids = reader.prepare<[], number>('SELECT rowid FROM memories').pluck().all();
      assert.deepEqual(memory.getLight(rowids).length, 2);
      assert.deepEqual(memory.getMany(rowids).map((m) => m.text).sort(), ['The cat is called Tom and likes tuna.', 'The dog is called Rex.']);

      const backups = { settings: DEFAULT_BACKUPS, folder: t.core.paths.dir, files: [], bytes: 0, nextAt: null, lastError: null };
      const report = storageReport(reader, t.core.paths, DEFAULT_RETENTION, backups);
      assert.ok(report.events >= 5 && report.freeBytes >= 0, JSON.stringify(report));

      const permissions = new PermissionQueries(reader);
      assert.deepEqual(permissions.rules().map((r) => [r.id, r.pattern, r.note]), [[rule.id, '/srv/notes/**', 'notes']]);
      assert.equal(permissions.rule(rule.id)?.capability, 'fs.read');
      assert.deepEqual(permissions.pending(), []);
      assert.equal(permissions.runKind(runId), 'chat');
      permissions.audit({ limit: 10 });
      const schedules = new ScheduleQueries(reader);
      assert.deepEqual(schedules.list().map((s) => [s.id, s.name]), [[schedule.id, 'water the plants']]);
      assert.ok(schedules.earliestDue() !== null, 'the schedule has a next run');
      const workers = new WorkerQueries(reader);
      assert.deepEqual(workers.list('all', 10), []);
      assert.deepEqual(workers.list('active', 10), []);
      assert.deepEqual(workers.childrenOf(runId), []);
      assert.equal(workers.get(runId), null);
      assert.equal(workers.depth(runId), 0);
      new ArtifactStore(reader, t.core.log, createSequentialIds(), t.core.paths.artifacts);
      assert.deepEqual(new McpQueries(reader).list().map((m) => m.name), ['notes']);

      assert.ok(prepared.length >= 40, `${prepared.length} statements prepared`);
      assert.deepEqual(prepared.filter((p) => !p.readonly).map((p) => p.sql), [], 'no read path prepares a statement that writes');
      assert.equal(t.core.db.prepare('SELECT count(*) FROM sqlite_temp_master').pluck().get(), 0, 'reading made no temporary table');

      // What the compiler stops (readersCannotWrite above), the connection refuses too: nothing changes.
      const writes = ['DELETE FROM runs', `UPDATE permission_rules SET pattern = '/' WHERE id = '${rule.id}'`, "INSERT INTO memories (text) VALUES ('x')"];
      for (const sql of writes) {
        assert.throws(() => (reader.prepare(sql) as unknown as Database.Statement).run(), (err: Error & { code?: string }) => err.code === 'SQLITE_READONLY', sql);
      }
      assert.throws(() => connection?.exec('DELETE FROM schedules'), (err: Error & { code?: string }) => err.code === 'SQLITE_READONLY');
      assert.equal(new RunQueries(reader).get(runId)?.title, 'hello');
      assert.equal(new PermissionQueries(reader).rule(rule.id)?.pattern, '/srv/notes/**');
      assert.equal(new ScheduleQueries(reader).list().length, 1);
    } finally {
      connection?.close();
      await t.close();
    }
  });
});
