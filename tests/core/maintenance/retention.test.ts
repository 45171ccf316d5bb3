import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPermissionsProjector } from '../../../core/permissions/index.js';
import { createRunsProjector } from '../../../core/runs/index.js';
import { createTimelineProjector } from '../../../core/timeline/index.js';
import { openDatabase, type WritableDB } from '../../../core/db/index.js';
import { systemClock, type Clock } from '../../../core/util/clock.js';
import { runCli } from '../host/cli-support.js';
import { chunk, startTestCore, tempDir, useLoopbackProviders, type ScriptedReply } from '../../support/index.js';
import { chat, workspace } from '../agent/helpers.js';

const DAY = 24 * 60 * 60 * 1000;

/** Real time and real timers, moved forward by whole days when the test says so. */
function travellingClock(): Clock & { travel(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout, travel: (ms) => void (offset += ms) };
}

function rows(db: WritableDB, sql: string): unknown[] {
  return db.prepare(sql).all();
}

const TIMELINE = 'SELECT id, seq, kind, run_id, role, text, status FROM timeline ORDER BY seq';
const RUNS = 'SELECT id, kind, status, reason, title, created_at, ended_at FROM runs ORDER BY id';
const AUDIT = 'SELECT id, run_id, capability, resource, status, decision, decided_by FROM permission_requests ORDER BY seq';

describe('retention and maintenance', () => {
  const providers = useLoopbackProviders();

  it('a pruned database keeps every message whole, still replays its kept runs and rebuilds its projections from the log', async () => {
    const clock = travellingClock();
    const t = await startTestCore({ env: providers.env(), clock });
    const scratch = tempDir();
    try {
      workspace(t, { 'a.txt': 'alpha' });
      const text = (s: string): ScriptedReply => ({ kind: 'stream', chunks: chunk(s, 3), usage: { input: 40, output: 9 } });
      const readA: ScriptedReply = { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'a.txt' } }], usage: { input: 50, output: 12 } };

      providers.anthropic.script(readA, text('The file says alpha, a year ago.'));
      const { run: old } = await chat(t, 'what does a.txt say?');
      clock.travel(400 * DAY);
      providers.anthropic.script(readA, text('It still says alpha today.'));
      const { run: kept } = await chat(t, 'and now?');
      assert.equal(old.status, 'done');
      assert.equal(kept.status, 'done');
      clock.travel(DAY);

      const deltasBefore = t.core.log.since(0, 100_000).filter((e) => e.type === 'message.delta').length;
      assert.ok(deltasBefore >= 2, `both replies streamed (${deltasBefore} delta events)`);
      const timelineBefore = rows(t.core.db, TIMELINE);
      const auditBefore = (await t.client.call('permissions.audit', {})).entries.length;

      const result = await t.client.call('maintenance.run', {});
      assert.equal(result.pruned.deltaEvents, deltasBefore);
      assert.ok(result.pruned.recordingSteps > 0, 'the old run\'s recording went');
      assert.ok(result.pruned.auditRequests >= 1 && result.pruned.auditEvents >= 1, 'the old run\'s audit entry went');
      assert.equal(result.integrity, 'ok');
      assert.equal(result.vacuumed, true);

      const events = t.core.log.since(0, 100_000);
      assert.equal(events.filter((e) => e.type === 'message.delta').length, 0);
      assert.equal(events.filter((e) => e.type === 'maintenance.pruned').length, 1);
      // The messages themselves are whole.
      assert.deepEqual(rows(t.core.db, TIMELINE), timelineBefore);
      const replies = (await t.client.call('timeline.list', { limit: 50 })).items.flatMap((i) => (i.kind === 'message' && i.role === 'assistant' && i.text ? [i.text] : []));
      assert.deepEqual(replies, ['The file says alpha, a year ago.', 'It still says alpha today.']);

      // The kept run replays exactly; the old one says its recording is gone.
      const replay = await t.client.call('runs.replay', { runId: kept.id });
      assert.equal(replay.matches, true, JSON.stringify(replay.firstDifference));
      await assert.rejects(t.client.call('runs.replay', { runId: old.id }), { code: 'not_found' });
      const audit = (await t.client.call('permissions.audit', {})).entries;
      assert.ok(audit.length < auditBefore);
      assert.ok(audit.every((entry) => entry.runId === kept.id));

      // Every projection built again from the pruned log alone equals the live one.
      const { db: rebuilt } = openDatabase({ file: `${scratch.path}/rebuilt.sqlite` });
      try {
        const projectors = [createRunsProjector(rebuilt), createTimelineProjector(rebuilt), createPermissionsProjector(rebuilt)];
        rebuilt.transaction(() => {
          for (const event of events) for (const project of projectors) project(event);
        })();
        assert.deepEqual(rows(rebuilt, TIMELINE), rows(t.core.db, TIMELINE));
        assert.deepEqual(rows(rebuilt, RUNS), rows(t.core.db, RUNS));
        assert.deepEqual(rows(rebuilt, AUDIT), rows(t.core.db, AUDIT));
      } finally {
        rebuilt.close();
      }

      // A second pass finds nothing more to prune.
      const again = await t.client.call('maintenance.run', { vacuum: false });
      assert.deepEqual(again.pruned, { deltaEvents: 0, recordingSteps: 0, transcripts: 0, auditRequests: 0, auditEvents: 0 });
    } finally {
      await t.close();
      scratch.cleanup();
    }
  });

  it('keeps everything a retention of "never" covers, and rejects a retention of zero days', async () => {
    const clock = travellingClock();
    const t = await startTestCore({ env: providers.env(), clock });
    try {
      workspace(t, { 'a.txt': 'alpha' });
      await assert.rejects(t.client.call('maintenance.retention.update', { recordingsDays: 0 }), { code: 'invalid_input' });
      const retention = await t.client.call('maintenance.retention.update', { recordingsDays: null, auditDays: null });
      assert.deepEqual(retention, { recordingsDays: null, transcriptsDays: 90, auditDays: null });
      providers.anthropic.script({ kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'a.txt' } }] }, { kind: 'stream', chunks: chunk('alpha it is', 3) });
      const { run } = await chat(t, 'read a.txt');
      clock.travel(5000 * DAY);
      const result = await t.client.call('maintenance.run', { vacuum: false });
      assert.equal(result.pruned.recordingSteps, 0);
      assert.equal(result.pruned.auditRequests, 0);
      assert.ok(result.pruned.deltaEvents > 0, 'streamed pieces of finished messages always fold');
      assert.equal((await t.client.call('runs.replay', { runId: run.id })).matches, true);
    } finally {
      await t.close();
    }
  });

  it('agent-blob maintenance shows sizes per file and table, changes retention, and prunes, vacuums and checks', async () => {
    const data = tempDir();
    const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' };
    try {
      const retention = await runCli(['maintenance', 'retention', '--recordings', '7', '--audit', 'never', '--json', '--data-dir', data.path], env);
      assert.equal(retention.code, 0, retention.stderr);
      assert.deepEqual(JSON.parse(retention.stdout), { recordingsDays: 7, transcriptsDays: 90, auditDays: null });
      const bad = await runCli(['maintenance', 'retention', '--transcripts', '0', '--data-dir', data.path], env);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /number of days/);

      const sizes = await runCli(['maintenance', 'sizes', '--json', '--data-dir', data.path], env);
      assert.equal(sizes.code, 0, sizes.stderr);
      const report = JSON.parse(sizes.stdout) as { files: { name: string; bytes: number }[]; tables: { name: string }[]; totalBytes: number; retention: { recordingsDays: number } };
      assert.ok(report.files.some((f) => f.name === 'agent-blob.sqlite' && f.bytes > 0));
      assert.ok(report.tables.some((tbl) => tbl.name === 'events'));
      assert.ok(report.totalBytes >= report.files[0].bytes);
      assert.equal(report.retention.recordingsDays, 7);

      const run = await runCli(['maintenance', '--data-dir', data.path], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /integrity: ok/);
      assert.match(run.stdout, /\(vacuumed\)/);
    } finally {
      data.cleanup();
    }
  });
});
