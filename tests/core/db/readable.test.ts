import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadableDB, ReadStatement, WritableDB } from '../../../core/db/index.js';
import { DEFAULT_BACKUPS, DEFAULT_RETENTION, storageReport } from '../../../core/maintenance/index.js';
import { McpQueries } from '../../../core/mcp/store.js';
import { MemoryQueries } from '../../../core/memory/index.js';
import { PermissionQueries } from '../../../core/permissions/index.js';
import { RunQueries } from '../../../core/runs/index.js';
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

/** What a read handle lets through, checked by the compiler: each line below must stay a type error. */
export function readersCannotWrite(reader: ReadableDB, statement: ReadStatement, takesWriter: (db: WritableDB) => void): void {
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
}

describe('read handles', () => {
  it('every statement the read paths of runs, timeline, results, memory, storage, permissions, schedules, workers, artifacts and MCP prepare is one SQLite calls read-only, and they read what was written', async () => {
    const t = await startTestCore();
    try {
      await t.client.call('memory.add', { text: 'The cat is called Tom and likes tuna.' });
      await t.client.call('memory.add', { text: 'The dog is called Rex.' });
      const { reader, prepared } = watchedReader(t.core.db);

      const runId = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'hello' }));
      assert.equal(new RunQueries(reader).get(runId)?.title, 'hello');
      const timeline = new TimelineQueries(reader);
      assert.ok(timeline.list(Number.MAX_SAFE_INTEGER, 10).items.length >= 0);
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
