import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type Database from 'better-sqlite3';
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

/** A read handle over `db` that notes every statement prepared through it and whether SQLite calls it read-only. */
function watchedReader(db: WritableDB): { reader: ReadableDB; prepared: { sql: string; readonly: boolean }[] } {
  const prepared: { sql: string; readonly: boolean }[] = [];
  const reader = {
    prepare(sql: string) {
      const statement = db.prepare(sql);
      prepared.push({ sql, readonly: statement.readonly });
      return statement;
    },
  } as ReadableDB;
  return { reader, prepared };
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
  it('every statement the read paths of runs, the event log, timeline, results, memory, storage, permissions, schedules, workers, artifacts and MCP prepare is one SQLite calls read-only, and they read what was written', async () => {
    const t = await startTestCore();
    try {
      await t.client.call('memory.add', { text: 'The cat is called Tom and likes tuna.' });
      await t.client.call('memory.add', { text: 'The dog is called Rex.' });
      const { reader, prepared } = watchedReader(t.core.db);

      const runId = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'hello' }));
      const runQueries = new RunQueries(reader);
      assert.equal(runQueries.get(runId)?.title, 'hello');
      assert.deepEqual(runQueries.getMany([runId, 'no-such-run']).map((r) => r.id), [runId]);
      assert.equal(runQueries.kindOf(runId), 'chat');
      assert.deepEqual(runQueries.endedBefore([runId], Number.MAX_SAFE_INTEGER), [], 'the run has not ended');
      const events = new EventQueries(reader);
      assert.deepEqual(events.ofRunOfType(runId, 'run.created').map((e) => e.runId), [runId]);
      assert.ok(events.ofRun(runId).length >= 1);
      assert.ok(countEvents(reader) > 0 && eventLogHead(reader) === t.core.log.head());
      const timeline = new TimelineQueries(reader);
      assert.ok(timeline.list(Number.MAX_SAFE_INTEGER, 10).items.length >= 0);
      assert.equal(timeline.firstMessageOfRun(runId), null);
      createResultPoster(reader, t.core.log);

      const memory = new MemoryQueries(reader);
      // The full-text vocabulary: 'call' is in both memories, 'tuna' in one, 'zebra' in none.
      assert.deepEqual([...memory.termCounts(['call', 'tuna', 'zebra'])], [['call', 2], ['tuna', 1], ['zebra', 0]]);
      assert.equal(memory.size(), 2);
      const rowids = (t.core.db.prepare('SELECT rowid FROM memories').pluck().all() as number[]);
      assert.equal(memory.getLight(rowids).length, 2);
      assert.equal(memory.getMany(rowids).length, 2);

      const backups = { settings: DEFAULT_BACKUPS, folder: t.core.paths.dir, files: [], bytes: 0, nextAt: null, lastError: null };
      const report = storageReport(reader, t.core.paths, DEFAULT_RETENTION, backups);
      assert.ok(report.events > 0 && report.freeBytes >= 0);

      const permissions = new PermissionQueries(reader);
      assert.ok(permissions.rules().length >= 0 && permissions.pending().length === 0);
      assert.equal(permissions.runKind(runId), 'chat');
      permissions.audit({ limit: 10 });
      const schedules = new ScheduleQueries(reader);
      assert.deepEqual(schedules.list(), []);
      assert.equal(schedules.earliestDue(), null);
      const workers = new WorkerQueries(reader);
      assert.deepEqual(workers.list('all', 10), []);
      assert.deepEqual(workers.list('active', 10), []);
      assert.deepEqual(workers.childrenOf(runId), []);
      assert.equal(workers.get(runId), null);
      assert.equal(workers.depth(runId), 0);
      new ArtifactStore(reader, t.core.log, createSequentialIds(), t.core.paths.artifacts);
      assert.deepEqual(new McpQueries(reader).list(), []);

      assert.ok(prepared.length >= 40, `${prepared.length} statements prepared`);
      assert.deepEqual(prepared.filter((p) => !p.readonly).map((p) => p.sql), [], 'no read path prepares a statement that writes');
      assert.equal(t.core.db.prepare("SELECT count(*) FROM sqlite_temp_master").pluck().get(), 0, 'reading made no temporary table');
    } finally {
      await t.close();
    }
  });
});
