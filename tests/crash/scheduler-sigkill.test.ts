import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCore } from '../../core/app.js';
import type { AppEvent } from '../../core/contract/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger, systemClock, type Clock } from '../../core/util/index.js';
import { AnthropicLoopback, chunk, tempDir } from '../support/index.js';
import { buildEntry } from '../../scripts/build-cli.mjs';
import { REPO_ROOT, spawnUntilReady } from './spawn.js';

const KILLS = 50;
const SEED = Number(process.env.CRASH_SEED ?? 11);
const SEC = 1000;
const MIN = 60 * SEC;

/** A small seeded generator, so a failing sequence of kills can be run again with CRASH_SEED. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface KillPoint {
  point: string;
  /** The highest occurrence to pick (1..max). */
  max: number;
  /** What it needs of the restart: slots missed (the clock jumped past the grace), or a run the last process left open. */
  needs?: 'missed' | 'open_run';
  /** After this kill a run is open for the next start to recover. */
  leavesOpenRun?: boolean;
}

/** Moments around a fire, from "nothing written yet" to "the run ended but the engine did not hear it". */
const POINTS: KillPoint[] = [
  { point: 'handle-due', max: 3 },
  { point: 'append:run.created', max: 3 },
  { point: 'append:schedule.fired', max: 3 },
  { point: 'appended:schedule.fired', max: 3 },
  { point: 'committed:schedule.fired', max: 3, leavesOpenRun: true },
  { point: 'committed:run.status:running', max: 2, leavesOpenRun: true },
  { point: 'committed:message.delta', max: 6, leavesOpenRun: true },
  { point: 'appended:run.status:done', max: 2 },
  { point: 'committed:run.status:done', max: 2 },
  { point: 'appended:schedule.slots:missed', max: 2, needs: 'missed' },
  { point: 'append:schedule.fired:catch_up', max: 1, needs: 'missed' },
  { point: 'committed:schedule.fired:catch_up', max: 1, needs: 'missed', leavesOpenRun: true },
  { point: 'appended:schedule.queued', max: 1, needs: 'missed' },
  { point: 'appended:run.status:failed', max: 1, needs: 'open_run' },
];

const SCHEDULES = [
  { name: 'every 2 s, run all', spec: { kind: 'interval' as const, everySeconds: 2 }, prompt: 'CRASH-PROMPT every-2s', missed: 'run_all' as const, catchUpLimit: 3, overlap: 'queue_one' as const },
  { name: 'every 3 s, run once', spec: { kind: 'interval' as const, everySeconds: 3 }, prompt: 'CRASH-PROMPT every-3s', missed: 'run_once' as const, overlap: 'skip' as const },
  { name: 'every 1 s, skip', spec: { kind: 'interval' as const, everySeconds: 1 }, prompt: 'CRASH-PROMPT every-1s', missed: 'skip' as const, overlap: 'skip' as const },
  // Slower than the 60-s grace: after a long enough jump its newest slot is missed too, so a start
  // always makes catch-up runs (one fires, the next waits) whatever the others' state.
  { name: 'every 10 min, run all', spec: { kind: 'interval' as const, everySeconds: 600 }, prompt: 'CRASH-PROMPT every-10min', missed: 'run_all' as const, catchUpLimit: 3, overlap: 'queue_one' as const },
];
const CATCH_UP_EVERY = 10 * MIN;

describe('a host killed at 50 moments around scheduled fires', () => {
  let anthropic: AnthropicLoopback;
  // The host is started 50 times: from one bundled file, as the installed app starts, not compiled on load.
  const child = join(REPO_ROOT, 'dist', 'crash', `scheduler-child-${process.pid}.js`);
  before(async () => {
    await buildEntry('tests/crash/scheduler-child.ts', child);
    anthropic = await AnthropicLoopback.start();
    // Every scheduled run streams for a few hundred milliseconds, so kills land mid-run too.
    anthropic.respond(() => ({ kind: 'stream', chunks: chunk('scheduled words '.repeat(12), 16), delayMs: 25 }));
  });
  after(async () => {
    anthropic.respond(null);
    await anthropic.close();
    rmSync(child, { force: true });
  });

  it('every slot the timings called for is recorded once (ran, failed: interrupted, missed or skipped), none ran twice, no run is left running and the database is intact', { timeout: 7 * MIN }, async (t) => {
    // Two data folders, 25 kills each, side by side: one host starts while the other's runs stream.
    const lanes = await Promise.all([0, 1].map((lane) => killAndRestart(lane, KILLS / 2)));
    assert.equal(lanes.flatMap((l) => l.made).length, KILLS);
    for (const lane of lanes) t.diagnostic(lane.summary);
  });

  /** Kills a host of its own data folder `kills` times at chosen moments, then checks what it left. */
  async function killAndRestart(lane: number, kills: number): Promise<{ made: string[]; summary: string }> {
    const dir = tempDir();
    const seed = SEED + lane;
    const rand = random(seed);
    const prompt = `CRASH-PROMPT lane ${lane}`;
    const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url };
    let offset = 0;
    const clockAt = (ms: number): Clock => ({ ...systemClock, now: () => Date.now() + ms });
    try {
      const setupAt = Date.now();
      const setup = createCore({ dataDir: dir.path, owner: 'cli', logger: silentLogger, secrets: createMemorySecretStore(), env: {}, clock: clockAt(0), timeZone: 'UTC' });
      try {
        for (const s of SCHEDULES) await setup.gateway.call('schedules.add', { ...s, prompt: `${prompt}: ${s.name}` });
      } finally {
        await setup.close();
      }

      const made: string[] = [];
      let openRun = false;
      for (let i = 0; i < kills; i++) {
        const fits = POINTS.filter((p) => (p.needs === 'open_run' ? openRun : true));
        const chosen = fits[Math.floor(rand() * fits.length)];
        const n = 1 + Math.floor(rand() * chosen.max);
        // Time the app was down: none, a little, or past the 60 s grace (slots missed, catch-up runs).
        const extra = Math.floor(rand() * 10 * MIN);
        // For catch-up: at least 25 minutes (two or more slots of the 10-minute schedule), landing
        // about 4 minutes after one of its slots (missed, past the grace, and its next one far off).
        const sinceSlot = (Date.now() + offset + 25 * MIN + 5 * SEC - setupAt) % CATCH_UP_EVERY;
        const jump = chosen.needs === 'missed' ? 25 * MIN + ((4 * MIN - sinceSlot + CATCH_UP_EVERY) % CATCH_UP_EVERY) : [0, 0, 2 * SEC, 20 * SEC, 3 * MIN, extra][Math.floor(rand() * 6)];
        offset += jump;
        // Most kills stop the process exactly at the point; some let it run on while the signal travels.
        const mode = rand() < 0.8 ? 'block' : 'free';
        const what = `lane ${lane}, kill ${i + 1} (seed ${seed}): ${chosen.point} #${n}, ${mode}, clock +${offset} ms`;
        const host = await spawnUntilReady([child, dir.path, String(offset), chosen.point, String(n), mode], env).catch((err: Error) => {
          throw new Error(`${what}: ${err.message}`);
        });
        assert.equal(host.ready.hit, chosen.point, what);
        host.child.kill('SIGKILL');
        assert.equal((await host.exited).signal, 'SIGKILL', what);
        made.push(what);
        openRun = chosen.leavesOpenRun === true;
      }

      // The last start: recovers what the last kill left, fires nothing.
      const core = createCore({ dataDir: dir.path, owner: 'cli', logger: silentLogger, secrets: createMemorySecretStore(), env: {}, clock: clockAt(offset), timeZone: 'UTC' });
      try {
        assert.equal(core.db.pragma('integrity_check', { simple: true }), 'ok');
        const events: AppEvent[] = [];
        for (let page = core.log.since(0, 5000); page.length; page = core.log.since(page.at(-1)!.seq, 5000)) events.push(...page);

        // No slot fired twice, no run started twice.
        const fired = events.filter((e): e is Extract<AppEvent, { type: 'schedule.fired' }> => e.type === 'schedule.fired');
        const slotKeys = fired.map((e) => `${e.data.scheduleId}@${e.data.slot}`);
        assert.equal(new Set(slotKeys).size, slotKeys.length, 'a slot fired twice');
        const firedRuns = fired.map((e) => e.runId);
        assert.equal(new Set(firedRuns).size, firedRuns.length, 'a run was given to two slots');
        const started = events.filter((e) => e.type === 'run.status' && e.data.to === 'running').map((e) => e.runId);
        assert.equal(new Set(started).size, started.length, 'a run was started twice');
        assert.ok(fired.length >= kills / 2, `the schedules fired (${fired.length} fires)`);

        // Every scheduled run ended: done, or failed as interrupted by a kill; nothing is left running or waiting.
        const runs = core.db.prepare("SELECT id, status, reason FROM runs WHERE kind = 'schedule'").all() as { id: string; status: string; reason: string | null }[];
        assert.deepEqual(runs.map((r) => r.id).sort(), [...firedRuns].sort(), 'every scheduled run belongs to a fired slot');
        for (const r of runs) assert.ok(r.status === 'done' || (r.status === 'failed' && r.reason === 'interrupted'), `run ${r.id} ended ${r.status} (${r.reason})`);
        const done = runs.filter((r) => r.status === 'done').length;
        const interrupted = runs.length - done;
        assert.ok(done > 0 && interrupted > 0, `some runs finished (${done}) and some were interrupted (${interrupted})`);

        // The model was asked at most once per run that started, and by every run that finished.
        const asked = anthropic.requests.filter((r) => r.path === '/v1/messages' && JSON.stringify(r.body).includes(prompt)).length;
        assert.ok(asked >= done && asked <= started.length, `model requests ${asked}: between ${done} finished and ${started.length} started runs`);

        // Never silently lost: every slot the timing called for, up to where each schedule stands, has exactly one row.
        const rowsOf = core.db.prepare('SELECT slot_time AS slot, through, status, reason, run_id AS runId FROM schedule_slots WHERE schedule_id = ? ORDER BY slot_time');
        const counts: Record<string, number> = {};
        const schedules = core.db.prepare('SELECT id, name, spec, spec_since AS anchor, next_run_at AS next, missed_policy AS missed, catch_up_limit AS catchUpLimit FROM schedules').all() as { id: string; name: string; spec: string; anchor: number; next: number; missed: string; catchUpLimit: number }[];
        assert.equal(schedules.length, SCHEDULES.length);
        for (const s of schedules) {
          const every = (JSON.parse(s.spec) as { everySeconds: number }).everySeconds * SEC;
          const { anchor, next } = s;
          const rows = rowsOf.all(s.id) as { slot: number; through: number | null; status: string; reason: string | null; runId: string | null }[];
          const cover = new Map<number, number>();
          for (const row of rows) {
            assert.equal((row.slot - anchor) % every, 0, `${s.name}: a row at ${row.slot} is not a slot of the timing`);
            assert.ok(row.status !== 'running', `${s.name}: slot ${row.slot} is left running`);
            counts[row.status] = (counts[row.status] ?? 0) + (row.through === null ? 1 : (row.through - row.slot) / every + 1);
            for (let t = row.slot; t <= (row.through ?? row.slot); t += every) cover.set(t, (cover.get(t) ?? 0) + 1);
            if (row.runId) {
              const run = runs.find((r) => r.id === row.runId)!;
              assert.equal(row.status, run.status === 'done' ? 'ran' : 'failed', `${s.name}: slot ${row.slot} agrees with its run`);
            }
          }
          // Slots waiting their turn never pile up past the catch-up limit, however often the host died.
          const waiting = rows.filter((r) => r.status === 'queued').length;
          assert.ok(waiting <= (s.missed === 'run_all' ? s.catchUpLimit : 1), `${s.name}: ${waiting} slots waiting`);
          for (let t = anchor + every; t < next; t += every) assert.equal(cover.get(t), 1, `${s.name}: slot ${new Date(t).toISOString()} has ${cover.get(t) ?? 0} rows`);
          for (const t of cover.keys()) assert.ok(t < next, `${s.name}: a row at or after the next run ${new Date(next).toISOString()}`);
        }
        assert.ok(counts.missed > 0, `lane ${lane}: slots were missed while the app was down`);
        assert.equal(core.db.pragma('integrity_check', { simple: true }), 'ok');
        return { made, summary: `lane ${lane}: ${made.length} kills, ${fired.length} fires, ${done} runs done, ${interrupted} interrupted, slots ${JSON.stringify(counts)}` };
      } finally {
        await core.close();
      }
    } finally {
      dir.cleanup();
    }
  }
});
