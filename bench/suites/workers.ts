// Worker pool: 100 workers queued at once against the loopback Anthropic server (the real SDK) with
// the default pool of 3. Overhead per worker = from the moment the pool could start it (its spawn,
// or the end of the worker whose place it takes) to its first model request reaching the server:
// queueing, run start, prompt assembly, the SDK, the connection. Target p95 < 20 ms.
//
// The server runs in a process of its own (bench/anthropic-loopback-child.ts), as the real API is
// remote: this process spends nothing serving requests, and the server's turns wait for nothing
// here. It records when each request arrived on `process.hrtime`, the clock both processes share
// (CLOCK_MONOTONIC on Linux; checked at the start: a reading in the server falls between two here).
// For transparency the suite also gives the moment the pool handed the request to the SDK's `fetch`
// (observed here, see observeFetch), and how many connections the workers opened.
//
// Measured in the same run, after the same warm-up, for two roles: `researcher` (memory read: its
// prompt waits for a memory recall) and `coder` (no memory, no recall); then the researcher again
// with 1,000 memories in the store (each task a question over them, so the recall finds some and its
// prompt carries them). Each figure pools BENCH_WORKERS_ROUNDS rounds (default 3) of 100 workers.
// Baseline: a chat turn's send to its first model request, measured the same way.
//
// On a busy machine every wall time also holds other processes' turns. The CPU figures do not: CPU
// per worker in this process (its whole life), the server's CPU per request (the other process),
// and the CPU of the path itself, from the moment the pool could start a worker to its `fetch`,
// measured with a pool of 1 so that nothing else runs meanwhile.
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, readSync } from 'node:fs';
import { ClientRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createCore } from '../../core/app.js';
import type { Core } from '../../core/core-types.js';
import { isTerminalRunStatus } from '../../core/contract/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { benchDir, metric, nowMs, percentile } from '../lib.js';
import { fillStore, generateMemories, generateQueries } from '../memory-store.js';

const WORKERS = 100;
const ROUNDS = Math.max(1, Number(process.env.BENCH_WORKERS_ROUNDS ?? 3));
/** Workers started one at a time (pool of 1) to measure the path's own CPU. */
const ALONE = 30;
const WARM_UP = 6;
const CHAT_TURNS = 30;
const MEMORIES = 1000;
const SERVER = fileURLToPath(new URL('../anthropic-loopback-child.ts', import.meta.url));

/** This process's CPU time (user + system), ms. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * How long this process's event-loop thread has waited for a CPU so far (runnable, not running), ms:
 * the second field of /proc/self/schedstat; NaN where there is none. On a busy machine the waits
 * are what other processes took; wall time less them is what the path would take on a free CPU.
 */
const runQueueMs = (() => {
  let fd: number | null = null;
  try {
    fd = openSync('/proc/self/schedstat', 'r');
  } catch {
    return () => Number.NaN;
  }
  const buffer = Buffer.alloc(96);
  return () => Number(buffer.toString('latin1', 0, readSync(fd, buffer, 0, buffer.length, 0)).split(' ')[1]) / 1e6;
})();

/** A moment: the shared clock, this process's CPU time and its run-queue wait then (NaN for the server's). */
type Stamp = { at: number; cpu: number; wait: number };
const stamp = (): Stamp => ({ at: nowMs(), cpu: cpuMs(), wait: runQueueMs() });

/** The loopback Anthropic server in its own process. */
class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static start(): Promise<ServerProcess> {
    const child = fork(SERVER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the loopback server process exited (${code}) before it listened`)));
      child.once('message', (m: { type: string; url: string }) => {
        child.removeAllListeners('exit');
        resolve(new ServerProcess(child, m.url));
      });
    });
  }

  /** Asks the server process and waits for its answer; fails if the process has gone. */
  private ask<T>(type: string, reply: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const on = (m: { type: string }) => {
        if (m.type !== reply) return;
        done();
        resolve(m as T);
      };
      const gone = (code: number | null) => {
        done();
        reject(new Error(`the loopback server process exited (${code}) before answering "${type}"`));
      };
      const done = () => {
        this.child.off('message', on);
        this.child.off('exit', gone);
      };
      if (this.child.exitCode !== null || !this.child.connected) return gone(this.child.exitCode);
      this.child.on('message', on);
      this.child.once('exit', gone);
      this.child.send({ type });
    });
  }

  /** Arrivals since the last call, by the text of the request's last user message. */
  async take(): Promise<Map<string, Stamp>> {
    const { arrivals } = await this.ask<{ arrivals: [string, number, number][] }>('take', 'arrivals');
    const byKey = new Map<string, Stamp>();
    for (const [key, at, cpu] of arrivals) if (!byKey.has(key)) byKey.set(key, { at, cpu, wait: Number.NaN });
    return byKey;
  }

  /** The server's CPU time so far, ms, and how many connections clients have opened to it. */
  cpu(): Promise<{ ms: number; connections: number }> {
    return this.ask<{ ms: number; connections: number }>('cpu', 'cpu');
  }

  /**
   * Checks that the server's clock is this one: each of its readings must fall between the readings
   * here just before asking and just after the answer. Returns the widest such window, ms.
   */
  async checkClock(): Promise<number> {
    let widest = 0;
    for (let i = 0; i < 20; i++) {
      const before = nowMs();
      const { at } = await this.ask<{ at: number }>('clock', 'clock');
      const after = nowMs();
      if (at < before || at > after) throw new Error(`the server process's clock is not this one's: it read ${at} between ${before} and ${after}`);
      widest = Math.max(widest, after - before);
    }
    return widest;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.disconnect();
    });
  }
}

/**
 * When each Messages API request was handed to `fetch` (this process's clock and CPU then), keyed
 * like the server's arrivals. The SDK's fetch is the product's (node:http, which hands the request to
 * a `ClientRequest` in the same turn) or the global one: both are observed, the first by wrapping
 * `ClientRequest.prototype.end`, the second by wrapping the global `fetch` before the SDK takes it.
 */
function observeFetch(): { take(): Map<string, Stamp>; restore(): void } {
  const originalFetch = globalThis.fetch;
  const originalEnd = ClientRequest.prototype.end;
  let calls: (Stamp & { body: unknown })[] = [];
  globalThis.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith('/v1/messages')) calls.push({ ...stamp(), body: init?.body });
    return originalFetch(input, init);
  };
  ClientRequest.prototype.end = function (this: ClientRequest, ...args: unknown[]) {
    if (this.path === '/v1/messages') calls.push({ ...stamp(), body: Buffer.isBuffer(args[0]) ? args[0].toString('utf8') : args[0] });
    return (originalEnd as (...a: unknown[]) => ClientRequest).apply(this, args);
  } as typeof originalEnd;
  return {
    take() {
      const byKey = new Map<string, Stamp>();
      for (const call of calls) {
        if (typeof call.body !== 'string') throw new Error('the SDK sent a request body that is not a string: the bench cannot tell which request it was');
        const { messages } = JSON.parse(call.body) as { messages: { role: string; content: unknown }[] };
        const last = messages.filter((m) => m.role === 'user' && typeof m.content === 'string').at(-1)?.content;
        const key = typeof last === 'string' ? last : '';
        if (!byKey.has(key)) byKey.set(key, { at: call.at, cpu: call.cpu, wait: call.wait });
      }
      calls = [];
      return byKey;
    },
    restore: () => {
      globalThis.fetch = originalFetch;
      ClientRequest.prototype.end = originalEnd;
    },
  };
}

interface Samples {
  /** Ready (could start) → the request reached the server. */
  toServer: number[];
  /** Ready → the request was handed to fetch. */
  toFetch: number[];
  /** Ready → fetch, less this process's run-queue waits meanwhile. */
  toFetchOnCpu: number[];
  /** Fetch → the request reached the server. */
  fetchToServer: number[];
  queueing: number[];
  cpuPerWorker: number[];
  serverCpuPerRequest: number[];
  /** Connections opened to the server per round of 100 workers. */
  connections: number[];
  maxRunning: number;
  /** Pool of 1: ready → request at the server (wall), ready → fetch (CPU here). */
  aloneWall: number[];
  aloneCpu: number[];
}

const stats = (samples: number[]) => ({ p50: percentile(samples, 50), p95: percentile(samples, 95), p99: percentile(samples, 99) });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

interface Probes {
  server: ServerProcess;
  fetches: ReturnType<typeof observeFetch>;
}

export async function run(): Promise<Record<string, unknown>> {
  const server = await ServerProcess.start();
  const fetches = observeFetch();
  const probes: Probes = { server, fetches };
  const dir = benchDir();
  const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: { ANTHROPIC_API_KEY: 'sk-ant-bench-000000000', ANTHROPIC_BASE_URL: server.url }, timeZone: 'UTC' });
  const chat = { toServer: [] as number[], toFetch: [] as number[], toFetchOnCpu: [] as number[], cpuToFetch: [] as number[], cpuPerTurn: Number.NaN };
  const roles: Record<string, Samples> = {};
  let clockWindow = Number.NaN;
  try {
    clockWindow = await server.checkClock();
    await core.gateway.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
    // Warm up the SDK, the prompt, the statements and both roles' paths, then the baseline: chat turns on an idle core.
    for (let i = 0; i < 3; i++) {
      await core.gateway.call('chat.send', { text: `warm up ${i}` });
      await core.idle();
    }
    for (const role of ['researcher', 'coder']) await spawnAll(core, role, Array.from({ length: WARM_UP }, (_, i) => `warm ${role} ${i}`));
    await server.take();
    fetches.take();
    const sent: Stamp[] = [];
    const chatCpu0 = cpuMs();
    for (let i = 0; i < CHAT_TURNS; i++) {
      sent.push(stamp());
      await core.gateway.call('chat.send', { text: `baseline ${i}` });
      await core.idle();
    }
    chat.cpuPerTurn = (cpuMs() - chatCpu0) / CHAT_TURNS;
    const arrived = await server.take();
    const fetched = fetches.take();
    sent.forEach((s, i) => {
      const key = `baseline ${i}`;
      chat.toServer.push(need(arrived, key).at - s.at);
      chat.toFetch.push(need(fetched, key).at - s.at);
      chat.toFetchOnCpu.push(onCpu(s, need(fetched, key)));
      chat.cpuToFetch.push(need(fetched, key).cpu - s.cpu);
    });
    const tasks = (label: string) => (round: number) => Array.from({ length: WORKERS }, (_, i) => `${label} task ${round}.${i}`);
    roles.researcher = await measureRole(core, probes, 'researcher', tasks('researcher'));
    roles.coder = await measureRole(core, probes, 'coder', tasks('coder'));
    // The researcher again, with memories to recall: each task is a question over them.
    const lines = generateMemories(MEMORIES);
    await fillStore(core, lines, 0, lines.length);
    const questions = generateQueries(WORKERS * (ROUNDS + 1), 99);
    await spawnAll(core, 'researcher', questions.slice(0, WARM_UP).map((q, i) => `${q}? (warm ${i})`));
    await server.take();
    fetches.take();
    roles[`researcher_${MEMORIES}_memories`] = await measureRole(core, probes, 'researcher', (round) => questions.slice(round * WORKERS, (round + 1) * WORKERS).map((q, i) => `${q}? (${round}.${i})`));
  } finally {
    fetches.restore();
    await core.close();
    await server.close();
    dir.cleanup();
  }
  const chatToServer = stats(chat.toServer);
  const chatToFetch = stats(chat.toFetch);
  const chatToFetchOnCpu = stats(chat.toFetchOnCpu);
  const chatCpu = stats(chat.cpuToFetch);
  const out: Record<string, unknown> = {
    rounds_of_100_workers: metric(ROUNDS, 'rounds'),
    server_clock_shared_window_ms: metric(clockWindow, 'ms', { target: 'the server process reads the same monotonic clock', met: Number.isFinite(clockWindow) }),
  };
  for (const [role, r] of Object.entries(roles)) {
    const toServer = stats(r.toServer);
    const toFetch = stats(r.toFetch);
    const toFetchOnCpu = stats(r.toFetchOnCpu);
    const prefix = role === 'researcher' ? '' : `${role}_`;
    for (const p of ['p50', 'p95', 'p99'] as const) {
      const baseline = { value: chatToServer[p], what: `a chat turn, send to its first model request reaching the server, ${p} ms` };
      out[`${prefix}spawn_to_first_request_${p}_ms`] = metric(toServer[p], 'ms', p === 'p95' ? { baseline, target: '< 20 ms', met: toServer.p95 < 20 } : { baseline });
    }
    for (const p of ['p50', 'p95', 'p99'] as const) {
      out[`${prefix}spawn_to_fetch_${p}_ms`] = metric(toFetch[p], 'ms', { baseline: { value: chatToFetch[p], what: `a chat turn, send to the SDK's fetch call, ${p} ms` } });
    }
    for (const p of ['p50', 'p95'] as const) {
      out[`${prefix}spawn_to_fetch_less_run_queue_${p}_ms`] = metric(toFetchOnCpu[p], 'ms', { baseline: { value: chatToFetchOnCpu[p], what: `a chat turn, send to the SDK's fetch call less this process's run-queue waits, ${p} ms` } });
    }
    for (const p of ['p50', 'p95'] as const) out[`${prefix}fetch_to_server_${p}_ms`] = metric(stats(r.fetchToServer)[p], 'ms');
    out[`${prefix}cpu_per_worker_ms`] = metric(mean(r.cpuPerWorker), 'ms', { baseline: { value: chat.cpuPerTurn, what: 'CPU per chat turn (one model request each) in the same process, ms' } });
    out[`${prefix}server_cpu_per_request_ms`] = metric(mean(r.serverCpuPerRequest), 'ms');
    out[`${prefix}connections_per_100_workers`] = metric(mean(r.connections), 'connections');
    const alone = stats(r.aloneCpu);
    out[`${prefix}path_cpu_p50_ms`] = metric(alone.p50, 'ms', { baseline: { value: chatCpu.p50, what: "CPU of a chat turn, send to the SDK's fetch call, p50 ms" } });
    out[`${prefix}path_cpu_p95_ms`] = metric(alone.p95, 'ms', { baseline: { value: chatCpu.p95, what: "CPU of a chat turn, send to the SDK's fetch call, p95 ms" } });
    out[`${prefix}path_alone_wall_p95_ms`] = metric(percentile(r.aloneWall, 95), 'ms');
    out[`${prefix}queue_share_p95_ms`] = metric(percentile(r.queueing, 95), 'ms');
    out[`${prefix}max_running_at_once`] = metric(r.maxRunning, 'workers', { target: '<= 3', met: r.maxRunning <= 3 });
  }
  return out;
}

/** From `from` to `to` less this process's run-queue waits meanwhile, ms. */
function onCpu(from: Stamp, to: Stamp): number {
  return to.at - from.at - (to.wait - from.wait);
}

function need(stamps: Map<string, Stamp>, key: string): Stamp {
  const stamp = stamps.get(key);
  if (!stamp) throw new Error(`no model request seen for "${key}"`);
  return stamp;
}

/** Spawns a worker of `role` for each task at once and waits for them all; returns them in spawn order. */
async function spawnAll(core: Core, role: string, tasks: string[]): Promise<(Stamp & { id: string; task: string })[]> {
  const spawned: (Stamp & { id: string; task: string })[] = [];
  for (const task of tasks) {
    const at = stamp();
    spawned.push({ id: core.workers.pool.spawn({ parentRunId: null, role, task }).id, task, ...at });
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

async function measureRole(core: Core, probes: Probes, role: string, tasksOfRound: (round: number) => string[]): Promise<Samples> {
  const { maxRunning: cap } = core.workers.settings.pool();
  const endedAt: Stamp[] = [];
  const running = new Set<string>();
  const runningAt = new Map<string, number>();
  const samples: Samples = { toServer: [], toFetch: [], toFetchOnCpu: [], fetchToServer: [], queueing: [], cpuPerWorker: [], serverCpuPerRequest: [], connections: [], maxRunning: 0, aloneWall: [], aloneCpu: [] };
  const unsubscribe = core.log.subscribe(core.log.head(), (event) => {
    if (event.type !== 'run.status' || !event.runId) return;
    if (event.data.to === 'running' && !running.has(event.runId)) {
      running.add(event.runId);
      runningAt.set(event.runId, nowMs());
    }
    if (isTerminalRunStatus(event.data.to) && running.delete(event.runId)) endedAt.push(stamp());
    samples.maxRunning = Math.max(samples.maxRunning, running.size);
  });
  try {
    for (let round = 0; round < ROUNDS; round++) {
      endedAt.length = 0;
      const server0 = await probes.server.cpu();
      const cpu0 = cpuMs();
      const spawned = await spawnAll(core, role, tasksOfRound(round));
      samples.cpuPerWorker.push((cpuMs() - cpu0) / spawned.length);
      const server1 = await probes.server.cpu();
      samples.serverCpuPerRequest.push((server1.ms - server0.ms) / spawned.length);
      samples.connections.push(server1.connections - server0.connections);
      const arrived = await probes.server.take();
      const fetched = probes.fetches.take();
      // Workers start in the order they were spawned; the i-th takes the place the (i - cap)-th end freed.
      spawned.forEach((s, i) => {
        const ready: Stamp = i < cap || s.at >= endedAt[i - cap].at ? s : endedAt[i - cap];
        const [atServer, atFetch] = [need(arrived, s.task), need(fetched, s.task)];
        samples.toServer.push(atServer.at - ready.at);
        samples.toFetch.push(atFetch.at - ready.at);
        samples.toFetchOnCpu.push(onCpu(ready, atFetch));
        samples.fetchToServer.push(atServer.at - atFetch.at);
        samples.queueing.push(runningAt.get(s.id)! - ready.at);
      });
    }
    // One at a time: what the path itself costs, with nothing else running.
    endedAt.length = 0;
    core.workers.settings.setPool({ maxRunning: 1 });
    const alone = await spawnAll(
      core,
      role,
      tasksOfRound(ROUNDS)
        .slice(0, ALONE)
        .map((t) => `${t} alone`),
    );
    core.workers.settings.setPool({ maxRunning: cap });
    const arrived = await probes.server.take();
    const fetched = probes.fetches.take();
    alone.forEach((s, i) => {
      const ready = i === 0 ? s : endedAt[i - 1];
      samples.aloneWall.push(need(arrived, s.task).at - ready.at);
      samples.aloneCpu.push(need(fetched, s.task).cpu - ready.cpu);
    });
    return samples;
  } finally {
    unsubscribe();
  }
}
