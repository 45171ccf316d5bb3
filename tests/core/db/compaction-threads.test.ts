import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AgentStore } from '../../../core/agent/store.js';
import { openDatabase, MIGRATIONS } from '../../../core/db/index.js';
import { tempDir } from '../../support/index.js';

describe('compaction summaries by thread (migration 0130)', () => {
  it("gives every summary a data folder already has its run's thread, and a turn reads only its own thread's newest summary", () => {
    const dir = tempDir();
    const file = join(dir.path, 'db.sqlite');
    try {
      // A data folder from before: summaries of a chat run and of a run in a schedule's thread, the schedule's newer.
      const before = openDatabase({ file, migrations: MIGRATIONS.filter((m) => m.version < 130) }).db;
      const run = before.prepare("INSERT INTO runs (id, kind, status, title, thread_id, created_at, updated_at) VALUES (?, ?, 'done', 't', ?, 1, 1)");
      run.run('run_chat', 'chat', 'chat');
      run.run('run_report', 'schedule', 'schedule:reports');
      const compaction = before.prepare("INSERT INTO agent_compactions (id, seq, run_id, ts, method, upto_seq, summary, archive) VALUES (?, ?, ?, 1, 'summary', ?, ?, '[]')");
      compaction.run('cmp_chat', 20, 'run_chat', 15, 'the chat so far');
      compaction.run('cmp_report', 40, 'run_report', 35, 'the reports so far');
      compaction.run('cmp_orphan', 10, null, 5, 'an old summary of no run');
      before.close();

      const { db } = openDatabase({ file });
      try {
        const threads = db.prepare('SELECT id, thread_id FROM agent_compactions ORDER BY id').all();
        assert.deepEqual(threads, [
          { id: 'cmp_chat', thread_id: 'chat' },
          { id: 'cmp_orphan', thread_id: 'chat' },
          { id: 'cmp_report', thread_id: 'schedule:reports' },
        ]);
        const store = new AgentStore(db);
        assert.deepEqual(store.summaryBefore('chat', 100), { summary: 'the chat so far', uptoSeq: 15 }, "the chat's newest, not the schedule's newer one");
        assert.deepEqual(store.summaryBefore('chat', 15), { summary: 'an old summary of no run', uptoSeq: 5 });
        assert.deepEqual(store.summaryBefore('schedule:reports', 100), { summary: 'the reports so far', uptoSeq: 35 });
        assert.equal(store.summaryBefore('schedule:reports', 30), null);
        assert.equal(store.summaryBefore('worker:run_x', 100), null);
        const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT summary, upto_seq FROM agent_compactions WHERE thread_id = ? AND upto_seq IS NOT NULL AND upto_seq < ? ORDER BY seq DESC LIMIT 1").all('chat', 100) as { detail: string }[]).map((r) => r.detail).join('\n');
        assert.match(plan, /USING INDEX agent_compactions_thread/);
        assert.doesNotMatch(plan, /TEMP B-TREE/, 'newest first straight from the index');
      } finally {
        db.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
