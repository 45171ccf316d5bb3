// Worker pool: 100 workers queued at once against the loopback Anthropic server (the real SDK) with
// the default pool of 3. Overhead per worker = from the moment the pool could start it (its spawn,
// or the end of the worker whose place it takes) to its first model request reaching the server:
// queueing, run start, prompt assembly, the SDK. Target p95 < 20 ms.
//
// Measured in the same run, after the same warm-up, for two roles: `researcher` (memory read: its
// prompt waits for a memory recall) and `coder` (no memory, no recall). Baseline: a chat turn's send
// to its first model request, and its CPU.
//
// The server runs in this process, so on a busy machine every wall time also holds other processes'
// turns and the server's own work. Two figures do not: the CPU time per worker (its whole life, the
// server's share included, as in the chat baseline), and the CPU time of the path itself, spawn to
// first request, measured with a pool of 1 so that nothing else runs meanwhile.
import { createCore } from '../../core/app.js';
import type { Core } from '../../core/core-types.js';
import { isTerminalRunStatus } from '../../core/contract/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { AnthropicLoopback, type ScriptedReply } from '../../tests/support/index.js';
import { benchDir, metric, nowMs, percentile } from '../lib.js';

const WORKERS = 100;
/** Workers started one at a time (pool of 1) to measure the path's own CPU. */
const ALONE = 30;
const WARM_UP = 6;

/** This process's CPU time (user + system), ms: the loopback server's share included, as in the baseline. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** When a request with this task (a worker's only message, a chat turn's last) first reached the server, and the CPU clock then. */
type Arrivals = Map<string, { at: number; cpu: number }>;

interface RoleFigures {
  overhead: number[];
  queueing: number[];
  cpuPerWorker: number;
  maxRunning: number;
  /** Pool of 1: spawn to first request, wall and CPU. */
  aloneWall: number[];
  aloneCpu: number[];
}

const stats = (samples: number[]) => ({ p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) });

export async function run(): Promise<Record<string, unknown>> {
  const anthropic = await AnthropicLoopback.start();
  const dir = benchDir();
  const arrivals: Arrivals = new Map();
  const reply: ScriptedReply = { kind: 'stream', chunks: ['{"summary": "ok"}'], usage: { input: 50, output: 5 } };
  anthropic.respond((body) => {
    const messages = (body as { messages: { role: string; content: unknown }[] }).messages;
    const last = messages.filter((m) => m.role === 'user' && typeof m.content === 'string').at(-1)?.content;
    const key = typeof last === 'string' ? last : '';
    if (!arrivals.has(key)) arrivals.set(key, { at: nowMs(), cpu: cpuMs() });
    return reply;
  });
  const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: { ANTHROPIC_API_KEY: 'sk-ant-bench-000000000', ANTHROPIC_BASE_URL: anthropic.url }, timeZone: 'UTC' });
  const chat = { wall: [] as number[], cpuToRequest: [] as number[], cpuPerTurn: Number.NaN };
  const roles: Record<string, RoleFigures> = {};
  try {
    await core.gateway.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
    // Warm up the SDK, the prompt, the statements and both roles' paths, then the baseline: chat turns on an idle core.
    for (let i = 0; i < 3; i++) {
      await core.gateway.call('chat.send', { text: `warm up ${i}` });
      await core.idle();
    }
    for (const role of ['researcher', 'coder']) await spawnAll(core, role, WARM_UP, `warm ${role}`);
    const chatCpu0 = cpuMs();
    for (let i = 0; i < 20; i++) {
      const sentAt = nowMs();
      const sentCpu = cpuMs();
      await core.gateway.call('chat.send', { text: `baseline ${i}` });
      await core.idle();
      const arrived = arrivals.get(`baseline ${i}`)!;
      chat.wall.push(arrived.at - sentAt);
      chat.cpuToRequest.push(arrived.cpu - sentCpu);
    }
    chat.cpuPerTurn = (cpuMs() - chatCpu0) / 20;
    for (const role of ['researcher', 'coder']) roles[role] = await measureRole(core, role, arrivals);
  } finally {
    await core.close();
    await anthropic.close();
    dir.cleanup();
  }
  const chatWall = stats(chat.wall);
  const chatCpu = stats(chat.cpuToRequest);
  const out: Record<string, unknown> = {};
  for (const [role, r] of Object.entries(roles)) {
    const wall = stats(r.overhead);
    const base = (p: 'p50' | 'p95' | 'p99') => ({ value: chatWall[p], what: `a chat turn, send to first model request, ${p} ms` });
    const prefix = role === 'researcher' ? '' : `${role}_`;
    out[`${prefix}spawn_to_first_request_p50_ms`] = metric(wall.p50, 'ms', { baseline: base('p50') });
    out[`${prefix}spawn_to_first_request_p95_ms`] = metric(wall.p95, 'ms', { baseline: base('p95'), target: '< 20 ms', met: wall.p95 < 20 });
    out[`${prefix}spawn_to_first_request_p99_ms`] = metric(wall.p99, 'ms', { baseline: base('p99') });
    out[`${prefix}cpu_per_worker_ms`] = metric(r.cpuPerWorker, 'ms', { baseline: { value: chat.cpuPerTurn, what: 'CPU per chat turn (one model request each), ms' } });
    const alone = stats(r.aloneCpu);
    out[`${prefix}path_cpu_p50_ms`] = metric(alone.p50, 'ms', { baseline: { value: chatCpu.p50, what: 'CPU of a chat turn, send to first model request, p50 ms' } });
    out[`${prefix}path_cpu_p95_ms`] = metric(alone.p95, 'ms', { baseline: { value: chatCpu.p95, what: 'CPU of a chat turn, send to first model request, p95 ms' } });
    out[`${prefix}path_alone_wall_p95_ms`] = metric(percentile(r.aloneWall, 95), 'ms');
    out[`${prefix}queue_share_p95_ms`] = metric(percentile(r.queueing, 95), 'ms');
    out[`${prefix}max_running_at_once`] = metric(r.maxRunning, 'workers', { target: '<= 3', met: r.maxRunning <= 3 });
  }
  return out;
}

/** Spawns `count` workers of `role` at once and waits for them all; returns them in spawn order. */
async function spawnAll(core: Core, role: string, count: number, label: string): Promise<{ id: string; task: string; at: number; cpu: number }[]> {
  const spawned: { id: string; task: string; at: number; cpu: number }[] = [];
  for (let i = 0; i < count; i++) {
    const task = `${label} ${i}`;
    const at = nowMs();
    const cpu = cpuMs();
    spawned.push({ id: core.workers.pool.spawn({ parentRunId: null, role, task }).id, task, at, cpu });
  }
  await core.workers.pool.wait(
    spawned.map((s) => s.id),
    new AbortController().signal,
  );
  await core.idle();
  const failed = spawned.filter((s) => core.workers.pool.get(s.id).status !== 'done').length;
  if (failed) throw new Error(`${failed} bench workers (${role}) did not finish`);
  return spawned;
}

async function measureRole(core: Core, role: string, arrivals: Arrivals): Promise<RoleFigures> {
  const { maxRunning: cap } = core.workers.settings.pool();
  const endedAt: { at: number; cpu: number }[] = [];
  const running = new Set<string>();
  const runningAt = new Map<string, number>();
  let maxRunning = 0;
  const unsubscribe = core.log.subscribe(core.log.head(), (event) => {
    if (event.type !== 'run.status' || !event.runId) return;
    if (event.data.to === 'running' && !running.has(event.runId)) {
      running.add(event.runId);
      runningAt.set(event.runId, nowMs());
    }
    if (isTerminalRunStatus(event.data.to) && running.delete(event.runId)) endedAt.push({ at: nowMs(), cpu: cpuMs() });
    maxRunning = Math.max(maxRunning, running.size);
  });
  try {
    const cpu0 = cpuMs();
    const spawned = await spawnAll(core, role, WORKERS, `${role} task`);
    const cpuPerWorker = (cpuMs() - cpu0) / WORKERS;
    // Workers start in the order they were spawned; the i-th takes the place the (i - cap)-th end freed.
    const overhead: number[] = [];
    const queueing: number[] = [];
    spawned.forEach((s, i) => {
      const ready = i < cap ? s.at : Math.max(s.at, endedAt[i - cap].at);
      overhead.push(arrivals.get(s.task)!.at - ready);
      queueing.push(runningAt.get(s.id)! - ready);
    });
    // One at a time: what the path itself costs, with nothing else running.
    endedAt.length = 0;
    core.workers.settings.setPool({ maxRunning: 1 });
    const alone = await spawnAll(core, role, ALONE, `${role} alone`);
    core.workers.settings.setPool({ maxRunning: cap });
    const aloneWall: number[] = [];
    const aloneCpu: number[] = [];
    alone.forEach((s, i) => {
      const ready = i === 0 ? { at: s.at, cpu: s.cpu } : endedAt[i - 1];
      const arrived = arrivals.get(s.task)!;
      aloneWall.push(arrived.at - ready.at);
      aloneCpu.push(arrived.cpu - ready.cpu);
    });
    return { overhead, queueing, cpuPerWorker, maxRunning, aloneWall, aloneCpu };
  } finally {
    unsubscribe();
  }
}
