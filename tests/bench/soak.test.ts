import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runBenchScript } from './scripts.js';

/** Runs `npm run soak`'s script with `args`. */
const soak = (args: string[]) => runBenchScript('bench/soak.ts', args);

interface Metric {
  value: number;
  baseline: { value: number; what?: string } | null;
}

// Four sections in one spawned run (about a minute on an idle machine, several on a busy one): its own timeout.
describe('the soak', () => {
  it('runs two simulated days (chat turns with tools and workers, scheduled runs, memories, pruning, daily backups and a restore), two SIGKILLs under load, 200 malformed frames and the escape corpus through the loop, and reports each figure', { timeout: 10 * 60_000 }, async () => {
    const r = await soak(['--days', '2', '--turns', '4', '--scheduled', '4', '--starts', '1', '--kills', '2', '--frames', '200', '--keep']);
    assert.equal(r.code, 0, r.stderr || r.stdout);
    const report = JSON.parse(r.stdout) as {
      options: unknown;
      targetsMissed: string[];
      sigkill: Record<string, number>;
      fuzz: Record<string, unknown>;
      escapes: Record<string, unknown> & { throughLoop: Record<string, unknown>; atGateOnly: Record<string, unknown> };
      year: Record<string, unknown> & { simulated: Record<string, number>; months: Record<string, unknown>[]; maintenance_after_year: { integrity: string }; backup_copy: { restoredIntoEmptyFolder: { integrity: string; head: number } } };
    };
    assert.deepEqual(report.options, { only: 'year,sigkill,fuzz,escapes', kills: 2, frames: 200, days: 2, turns: 4, scheduled: 4, starts: 1, workers: 2, backupDays: 7, keep: true, dataDir: '' });
    assert.deepEqual(
      { ...report.sigkill, acknowledgedWrites: 0, runsInterruptedAndRecovered: 0 },
      { kills: 2, acknowledgedWrites: 0, runsInterruptedAndRecovered: 0, integrityFailures: 0, lostAcknowledged: 0, leftRunning: 0, slotsFiredTwice: 0 },
    );
    assert.ok(report.sigkill.acknowledgedWrites > 0, 'writes were acknowledged before the kills');
    assert.equal(report.fuzz.frames, 200);
    assert.equal(report.fuzz.typedErrors, 200, 'every malformed frame got a typed error');
    assert.equal(report.fuzz.crashes, 0);
    assert.equal(report.fuzz.silentDrops, 0);
    assert.equal(report.fuzz.servedAfterwards, true);
    const year = report.year;
    assert.deepEqual(
      { chatTurns: year.simulated.chatTurns, scheduledRuns: year.simulated.scheduledRuns, runsNotDone: year.simulated.runsNotDone, workerRunsDone: year.simulated.workerRunsDone, workerResults: year.simulated.workerResults },
      { chatTurns: 8, scheduledRuns: 8, runsNotDone: 0, workerRunsDone: 4, workerResults: 4 },
    );
    assert.equal(year.integrity, 'ok');
    assert.equal(year.maintenance_after_year.integrity, 'ok');
    assert.equal(year.months.length, 1);
    for (const key of ['database_and_wal_mb', 'chat_turn_p50_last_month_ms', 'chat_turn_cpu_p50_last_month_ms', 'rss_end_mb', 'start_in_process_year_folder_median_ms', 'host_start_year_folder_median_ms', 'start_in_process_year_folder_cpu_median_ms', 'host_start_year_folder_cpu_median_ms']) {
      const m = year[key] as Metric;
      assert.ok(m.value > 0 && m.baseline && m.baseline.value > 0, `${key}: ${JSON.stringify(m)}`);
    }
    // A turn's growth is judged on its CPU time; the wall time is reported with the load it was measured under.
    assert.equal((year.chat_turn_cpu_p50_last_month_ms as Metric & { target: string | null }).target, '<= 2x the first month');
    assert.match((year.chat_turn_p50_last_month_ms as Metric).baseline?.what ?? '', /load \d/);
    assert.ok(typeof year.months[0].loadAverage === 'number' && (year.months[0].turnCpuP50Ms as number) > 0, JSON.stringify(year.months[0]));
    assert.ok((year.backups_mb as Metric).value > 0, 'the daily backup made copies');
    assert.equal(year.backup_copy.restoredIntoEmptyFolder.integrity, 'ok');
    assert.ok(year.backup_copy.restoredIntoEmptyFolder.head > 0, 'the restored copy holds the event log');
    // The escape corpus: every attempt refused or kept inside the allowed folder, none asked, nothing outside touched.
    const escapes = report.escapes;
    assert.ok((escapes.attempts as number) >= 700, String(escapes.attempts));
    assert.deepEqual(
      { executed: escapes.executed, asked: escapes.asked, outsideChanged: escapes.outsideChanged, markerFilesOutside: escapes.markerFilesOutside, loopbackServerHits: escapes.loopbackServerHits, gateAllowed: escapes.atGateOnly.allowed },
      { executed: 0, asked: 0, outsideChanged: false, markerFilesOutside: 0, loopbackServerHits: 0, gateAllowed: 0 },
    );
    assert.equal(escapes.throughLoop.started, escapes.throughLoop.calls, 'every call reached the loop');
    assert.match(r.stderr, /soak: day 2, /);
    // Each in-process start says where its time went, module by module.
    const samples = year.start_samples as { inProcess: { phases: { openMs: number; modulesMs: Record<string, number> } }[] };
    assert.ok(samples.inProcess[0].phases.openMs > 0);
    assert.ok('runs' in samples.inProcess[0].phases.modulesMs && 'scheduler' in samples.inProcess[0].phases.modulesMs, JSON.stringify(samples.inProcess[0].phases));

    // The kept folder: start-up timed on it again, on its own.
    const kept = /data folder is kept: (\S+)/.exec(r.stderr)?.[1];
    assert.ok(kept && existsSync(kept), r.stderr);
    try {
      const again = await soak(['--only', 'start', '--data-dir', kept, '--starts', '1']);
      assert.equal(again.code, 0, again.stderr || again.stdout);
      const start = (JSON.parse(again.stdout) as { start: Record<string, Metric> & { database_and_wal_mb: number } }).start;
      assert.ok(start.database_and_wal_mb > 0);
      for (const key of ['start_in_process_year_folder_median_ms', 'host_start_year_folder_median_ms', 'host_start_year_folder_cpu_median_ms']) {
        assert.ok(start[key].value > 0 && start[key].baseline && start[key].baseline.value > 0, `${key}: ${JSON.stringify(start[key])}`);
      }
    } finally {
      rmSync(kept, { recursive: true, force: true });
    }
  });

  it('refuses an unknown option with the options it knows', async () => {
    const r = await soak(['--years', '3']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unknown option --years \(known: --only year,sigkill,fuzz,escapes,start, --kills N/);
  });
});
