// Helpers shared by the benchmark suites: timing, percentiles and the one metric shape the runner prints.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../core/db/index.js';
import { EventLog } from '../core/events/index.js';
import { createRunsModule, type RunOutcome } from '../core/runs/index.js';
import { ScheduleQueries, ScheduleService, SchedulerEngine, createSchedulesProjector, type SchedulerOptions } from '../core/scheduler/index.js';
import { createSequentialIds, silentLogger, type ManualClock } from '../core/util/index.js';

/**
 * One measured number beside the baseline measured in the same run, so a slow machine shows up in
 * both rather than as a regression. `met` is null when the metric has no target.
 */
export interface Metric {
  value: number;
  unit: string;
  baseline: { value: number; what: string } | null;
  target: string | null;
  met: boolean | null;
}

export function metric(value: number, unit: string, options: { baseline?: { value: number; what: string }; target?: string; met?: boolean } = {}): Metric {
  return {
    value: round(value),
    unit,
    baseline: options.baseline ? { value: round(options.baseline.value), what: options.baseline.what } : null,
    target: options.target ?? null,
    met: options.met ?? null,
  };
}

/** Three significant decimals for small numbers, whole numbers for large ones. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value);
  return Math.round(value * 1000) / 1000;
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The p-th percentile (0–100) of samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Times `count` sequential calls of `fn`, one sample per call, in ms. */
export async function sampleAsync(count: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = nowMs();
    await fn(i);
    samples[i] = nowMs() - start;
  }
  return samples;
}

export function sampleSync(count: number, fn: (i: number) => unknown): number[] {
  const samples: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = nowMs();
    fn(i);
    samples[i] = nowMs() - start;
  }
  return samples;
}

/** A fresh temporary folder, removed by `cleanup`. */
export function benchDir(prefix = 'agent-blob-bench-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The longest the event loop went without a turn while the probe ran (a setImmediate chain), in ms:
 * how long anything else (a request, a timer) would have waited at worst.
 */
export function eventLoopBlockProbe(): { stop(): number } {
  let last = nowMs();
  let max = 0;
  let stopped = false;
  const tick = () => {
    const t = nowMs();
    max = Math.max(max, t - last);
    last = t;
    if (!stopped) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    stop: () => {
      stopped = true;
      return Math.max(max, nowMs() - last);
    },
  };
}

/**
 * The scheduler's stack on a real database in `dir`: event log, run queue, engine and service on
 * `clock`, with the scheduler module's launcher but a run that is `execute` instead of the agent
 * loop (by default one that ends at once: what the scheduler benches measure ends when a run starts).
 */
export function schedulerStack(dir: string, clock: ManualClock, options: { scheduler?: Partial<SchedulerOptions>; execute?: () => Promise<RunOutcome> } = {}) {
  const { db } = openDatabase({ file: join(dir, 'agent-blob.db') });
  const log = new EventLog(db, clock, silentLogger);
  const ids = createSequentialIds();
  const runsModule = createRunsModule({ db, log, ids, logger: silentLogger });
  for (const p of runsModule.projectors ?? []) log.addProjector(p);
  log.addProjector(createSchedulesProjector(db));
  const { queue } = runsModule;
  const execute = options.execute ?? (async (): Promise<RunOutcome> => ({ status: 'done' }));
  const queries = new ScheduleQueries(db);
  const engine = new SchedulerEngine({
    log,
    queries,
    clock,
    logger: silentLogger,
    options: options.scheduler,
    launcher: {
      create: (schedule) => queue.enqueue({ kind: 'schedule', title: schedule.name, group: schedule.id, threadId: `schedule:${schedule.id}`, executor: () => execute }).runId,
      startInTransaction: () => queue.startInTransaction(),
      start: (runId) => queue.ended(runId),
    },
  });
  const service = new ScheduleService({ log, queries, engine, clock, ids, timeZone: 'UTC' });
  return {
    db,
    log,
    queue,
    engine,
    service,
    async close(): Promise<void> {
      engine.stop();
      await runsModule.drain();
      db.close();
    },
  };
}

/** CPU time (user + system) a live process has used so far, from /proc; null where there is none. */
export function cpuMsOf(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // In clock ticks of 1/100 s (USER_HZ, 100 on every Linux that Node supports).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/**
 * Spawns node with `args`, resolves with the ms until a URL line appears on stdout (and the CPU ms
 * the process had used by then), then stops it.
 */
export function timeToUrl(args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 30_000): Promise<{ wallMs: number; cpuMs: number | null }> {
  return new Promise((resolve, reject) => {
    const start = nowMs();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let elapsed: number | null = null;
    let cpuMs: number | null = null;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (elapsed === null && /http:\/\/127\.0\.0\.1:\d+\/\S*token=\S+/.test(out)) {
        elapsed = nowMs() - start;
        cpuMs = child.pid === undefined ? null : cpuMsOf(child.pid);
        child.kill('SIGTERM');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (elapsed !== null) resolve({ wallMs: elapsed, cpuMs });
      else reject(new Error(`${args.slice(0, 2).join(' ')} exited (${signal ?? code}) before printing a URL: ${(err || out).trim().slice(0, 400)}`));
    });
  });
}
