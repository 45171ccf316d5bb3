// Scheduler at simulated speed, and a backlog after a long sleep.
//
// 1. The simulated week: 50 mixed schedules (intervals, daily in UTC and on weekdays, Berlin
//    02:30 across the spring-forward night, crons, once) on the injected clock, with runs that take
//    2 simulated minutes through the real run manager, on a real database: the week test's own
//    harness and plan. Wall and CPU time for the week, checked against the slots worked out apart.
//    Baseline in the same run: the same runs (same count, same slot times, same 2-minute runs)
//    created and ended by a bare timer chain without the scheduler, i.e. what the runs themselves
//    cost; the difference is the scheduler's share. Rounds alternate, medians reported.
// 2. A backlog: 5,000 hourly schedules with `run_once` whose machine slept 2 hours, so one wake finds
//    every one of them due and each fires a catch-up run through the real run queue. The longest the
//    event loop was blocked (a setImmediate probe) from the wake until every run has ended, beside
//    the same wake handled all at once (`wakeBatch` past the count: how the scheduler used to do it)
//    and the probe on an idle loop.
import { DEFAULT_SCHEDULER_OPTIONS } from '../../core/scheduler/index.js';
import { ManualClock } from '../../core/util/index.js';
import { SchedulerHarness } from '../../tests/core/scheduler/harness.js';
import { END, H, MIN, T0, weekPlan } from '../../tests/core/scheduler/week-plan.js';
import { benchDir, eventLoopBlockProbe, median, metric, nowMs, schedulerStack } from '../lib.js';

const ROUNDS = Number(process.env.BENCH_SCHEDULER_WEEK_ROUNDS ?? 3);
const BACKLOG = Number(process.env.BENCH_SCHEDULER_BACKLOG ?? 5000);

export async function run(): Promise<Record<string, unknown>> {
  const week: number[] = [];
  const weekCpu: number[] = [];
  const bare: number[] = [];
  const bareCpu: number[] = [];
  let fires = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so a change in the machine's load hits both alike.
    const order = round % 2 === 0 ? ['week', 'bare'] : ['bare', 'week'];
    for (const which of order) {
      if (which === 'week') {
        const r = await simulatedWeek();
        week.push(r.wallMs);
        weekCpu.push(r.cpuMs);
        fires = r.fires;
      } else {
        const r = await bareRuns();
        bare.push(r.wallMs);
        bareCpu.push(r.cpuMs);
      }
    }
  }
  const weekMs = median(week);
  const expected = weekPlan().reduce((n, p) => n + p.expected.length, 0);
  const batched = await backlogWake(DEFAULT_SCHEDULER_OPTIONS.wakeBatch);
  const whole = await backlogWake(Number.POSITIVE_INFINITY);
  const idle = await idleProbe(batched.drainMs);
  return {
    week_fires: metric(fires, 'fires', { target: `${expected} (every expected slot, each once)`, met: fires === expected }),
    week_ms: metric(weekMs, 'ms', { baseline: { value: median(bare), what: 'the same runs at the same slots without the scheduler, ms' }, target: '< 2000 ms', met: weekMs < 2000 }),
    week_cpu_ms: metric(median(weekCpu), 'ms CPU', { baseline: { value: median(bareCpu), what: 'the same runs without the scheduler, ms CPU' } }),
    week_scheduler_share_per_fire_ms: metric((weekMs - median(bare)) / fires, 'ms', { baseline: { value: median(bare) / fires, what: 'a run alone (create, start, end), ms' } }),
    backlog_due_schedules: metric(batched.fired, 'fires', { target: `${BACKLOG}`, met: batched.fired === BACKLOG && whole.fired === BACKLOG }),
    backlog_max_event_loop_block_ms: metric(batched.maxBlockMs, 'ms', {
      baseline: { value: whole.maxBlockMs, what: 'the same wake handled at once (no batches), ms' },
      target: '< 100 ms',
      met: batched.maxBlockMs < 100,
    }),
    backlog_idle_probe_max_gap_ms: metric(idle, 'ms'),
    backlog_wake_to_all_recorded_ms: metric(batched.drainMs, 'ms', { baseline: { value: whole.drainMs, what: 'the same wake handled at once, ms' } }),
    backlog_wake_to_all_runs_ended_ms: metric(batched.allEndedMs, 'ms', { baseline: { value: whole.allEndedMs, what: 'the same wake handled at once, ms' } }),
  };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The week test's week, timed: 50 schedules, every slot checked. */
async function simulatedWeek(): Promise<{ wallMs: number; cpuMs: number; fires: number }> {
  const dir = benchDir();
  const plan = weekPlan();
  const wall = nowMs();
  const cpu = cpuMs();
  const h = new SchedulerHarness({ dir: dir.path, clock: new ManualClock(T0), runMs: () => 2 * MIN, options: { maxSleepMs: 6 * H } });
  h.start();
  const names = new Map<string, string>();
  for (const p of plan) {
    const s = h.service.add({ name: p.name, prompt: `do ${p.name}`, spec: p.spec, missed: 'skip', catchUpLimit: 10, overlap: 'skip', memory: 'read', model: null, budgetTokens: null, budgetCostUsd: null, notify: { onSuccess: false, onFailure: true } });
    names.set(s.id, p.name);
  }
  await h.advanceTo(END);
  const wallMs = nowMs() - wall;
  const used = cpuMs() - cpu;
  const fired = new Map<string, number[]>();
  for (const r of h.started.values()) fired.set(names.get(r.scheduleId)!, [...(fired.get(names.get(r.scheduleId)!) ?? []), r.slot]);
  for (const p of plan) {
    const got = (fired.get(p.name) ?? []).sort((a, b) => a - b);
    if (got.join() !== p.expected.join()) throw new Error(`${p.name} fired ${got.length} slots, expected ${p.expected.length}`);
  }
  await h.close();
  dir.cleanup();
  return { wallMs, cpuMs: used, fires: h.started.size };
}

/** The week's runs without the scheduler: one timer chain over the same slots, each creating, starting and ending a 2-minute run. */
async function bareRuns(): Promise<{ wallMs: number; cpuMs: number }> {
  const dir = benchDir();
  const slots = weekPlan()
    .flatMap((p) => p.expected)
    .sort((a, b) => a - b);
  const wall = nowMs();
  const cpu = cpuMs();
  const h = new SchedulerHarness({ dir: dir.path, clock: new ManualClock(T0) });
  const { clock, runs, log } = h;
  let next = 0;
  const fire = () => {
    // Slots that share a time fire one after another, as the scheduler's do.
    const slot = slots[next];
    for (; next < slots.length && slots[next] === slot; next++) {
      const runId = log.transaction(() => runs.create({ kind: 'schedule', title: 'bare' }));
      void runs.start(runId, async () => {
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 2 * MIN));
        return { status: 'done' };
      });
    }
    if (next < slots.length) clock.setTimeout(fire, slots[next] - clock.now());
  };
  clock.setTimeout(fire, slots[0] - clock.now());
  await h.advanceTo(END);
  const wallMs = nowMs() - wall;
  const used = cpuMs() - cpu;
  const ended = h.db.prepare("SELECT COUNT(*) FROM runs WHERE status IN ('done', 'running')").pluck().get() as number;
  if (ended !== slots.length) throw new Error(`the bare chain made ${ended} runs, expected ${slots.length}`);
  await h.close();
  dir.cleanup();
  return { wallMs, cpuMs: used };
}

/** `BACKLOG` hourly run_once schedules, a 2-hour sleep, one wake: the longest block of the event loop until every catch-up run has ended. */
async function backlogWake(wakeBatch: number): Promise<{ maxBlockMs: number; drainMs: number; allEndedMs: number; fired: number }> {
  const dir = benchDir();
  const clock = new ManualClock(T0);
  // A run that gives the event loop a turn, as a real one does while it waits for its model.
  const execute = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    return { status: 'done' as const };
  };
  const { log, queue, engine, service, close } = schedulerStack(dir.path, clock, { scheduler: { maxSleepMs: 6 * H, wakeBatch }, execute });
  log.transaction(() => {
    for (let i = 0; i < BACKLOG; i++) service.add({ name: `backlog ${i}`, prompt: 'p', spec: { kind: 'interval', everySeconds: 3600 }, missed: 'run_once', catchUpLimit: 10, overlap: 'skip', memory: 'none', model: null, budgetTokens: null, budgetCostUsd: null, notify: { onSuccess: false, onFailure: false } });
  });
  engine.start();
  let fired = 0;
  let recordedAt = 0;
  const woke = nowMs();
  const unsubscribe = log.subscribe(log.head(), (e) => {
    if (e.type === 'schedule.fired' && ++fired === BACKLOG) recordedAt = nowMs();
  });
  // The machine slept two hours: the first slot of every schedule has passed, beyond the grace.
  clock.jump(2 * H);
  const probe = eventLoopBlockProbe();
  const start = nowMs();
  engine.wake('resume');
  await engine.idle();
  await queue.idle();
  const allEndedMs = nowMs() - start;
  const maxBlockMs = probe.stop();
  unsubscribe();
  await close();
  dir.cleanup();
  return { maxBlockMs, drainMs: recordedAt ? recordedAt - woke : Number.NaN, allEndedMs, fired };
}

/** The probe on a loop with nothing else to do, for as long as the backlog took. */
async function idleProbe(ms: number): Promise<number> {
  const probe = eventLoopBlockProbe();
  await new Promise((resolve) => setTimeout(resolve, Math.max(50, Math.min(ms, 2000))));
  return probe.stop();
}
