// Worker pool: 100 workers queued at once against the loopback Anthropic server (the real SDK) with
// the default pool of 3. Overhead per worker = from the moment the pool could start it (its spawn,
// or the end of the worker whose place it takes) to its first model request reaching the server:
// queueing, run start, prompt assembly, the SDK. Baseline, measured in the same run: a chat turn's
// send to its first model request on an idle core. Target p95 < 20 ms. On a busy machine the wall
// times include other processes' turns; the CPU time per worker (whole lifecycle, this process)
// beside the CPU per chat turn does not.
import { createCore } from '../../core/app.js';
import { isTerminalRunStatus } from '../../core/contract/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { AnthropicLoopback, type ScriptedReply } from '../../tests/support/index.js';
import { benchDir, metric, nowMs, percentile } from '../lib.js';

const WORKERS = 100;
/** This process's CPU time (user + system), ms: the loopback server's share included, as in the baseline. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function run(): Promise<Record<string, unknown>> {
  const anthropic = await AnthropicLoopback.start();
  const dir = benchDir();
  const firstRequest = new Map<string, number>();
  const reply: ScriptedReply = { kind: 'stream', chunks: ['{"summary": "ok"}'], usage: { input: 50, output: 5 } };
  anthropic.respond((body) => {
    const messages = (body as { messages: { role: string; content: unknown }[] }).messages;
    // A worker's task is its only message; a chat turn's text its last user message.
    const last = messages.filter((m) => m.role === 'user' && typeof m.content === 'string').at(-1)?.content;
    const key = typeof last === 'string' ? last : '';
    if (!firstRequest.has(key)) firstRequest.set(key, nowMs());
    return reply;
  });
  const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: { ANTHROPIC_API_KEY: 'sk-ant-bench-000000000', ANTHROPIC_BASE_URL: anthropic.url }, timeZone: 'UTC' });
  let baseline = Number.NaN;
  const overhead: number[] = [];
  /** The queue's share: from ready to the run's `running`. */
  const queueing: number[] = [];
  let maxRunning = 0;
  let chatCpu = Number.NaN;
  let workerCpu = Number.NaN;
  try {
    await core.gateway.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
    // Warm up the SDK, the prompt and the statements, then the baseline: a chat turn on an idle core.
    for (let i = 0; i < 3; i++) {
      await core.gateway.call('chat.send', { text: `warm up ${i}` });
      await core.idle();
    }
    const chatTimes: number[] = [];
    const chatCpu0 = cpuMs();
    for (let i = 0; i < 20; i++) {
      const sentAt = nowMs();
      await core.gateway.call('chat.send', { text: `baseline ${i}` });
      await core.idle();
      chatTimes.push(firstRequest.get(`baseline ${i}`)! - sentAt);
    }
    baseline = percentile(chatTimes, 95);
    chatCpu = (cpuMs() - chatCpu0) / 20;

    const { maxRunning: cap } = core.workers.settings.pool();
    const endedAt: number[] = [];
    const running = new Set<string>();
    const runningAt = new Map<string, number>();
    const unsubscribe = core.log.subscribe(core.log.head(), (event) => {
      if (event.type !== 'run.status' || !event.runId) return;
      if (event.data.to === 'running' && !running.has(event.runId)) {
        running.add(event.runId);
        runningAt.set(event.runId, nowMs());
      }
      if (isTerminalRunStatus(event.data.to) && running.delete(event.runId)) endedAt.push(nowMs());
      maxRunning = Math.max(maxRunning, running.size);
    });
    const workersCpu0 = cpuMs();
    const spawned: { id: string; task: string; at: number }[] = [];
    for (let i = 0; i < WORKERS; i++) {
      const task = `bench task ${i}`;
      const at = nowMs();
      spawned.push({ id: core.workers.pool.spawn({ parentRunId: null, role: 'researcher', task }).id, task, at });
    }
    await core.workers.pool.wait(spawned.map((s) => s.id), new AbortController().signal);
    await core.idle();
    workerCpu = (cpuMs() - workersCpu0) / WORKERS;
    unsubscribe();
    // Workers start in the order they were spawned; the i-th takes the place the (i - cap)-th end freed.
    spawned.forEach((s, i) => {
      const ready = i < cap ? s.at : Math.max(s.at, endedAt[i - cap]);
      overhead.push(firstRequest.get(s.task)! - ready);
      queueing.push(runningAt.get(s.id)! - ready);
    });
    const failed = core.workers.queries.list('all', WORKERS).filter((w) => w.status !== 'done').length;
    if (failed) throw new Error(`${failed} bench workers did not finish`);
  } finally {
    await core.close();
    await anthropic.close();
    dir.cleanup();
  }
  const p95 = percentile(overhead, 95);
  const base = { value: baseline, what: 'a chat turn, send to first model request on an idle core, p95 ms' };
  return {
    spawn_to_first_request_p50_ms: metric(percentile(overhead, 50), 'ms', { baseline: base }),
    spawn_to_first_request_p95_ms: metric(p95, 'ms', { baseline: base, target: '< 20 ms', met: p95 < 20 }),
    cpu_per_worker_ms: metric(workerCpu, 'ms', { baseline: { value: chatCpu, what: 'CPU per chat turn (one model request each), ms' } }),
    queue_share_p95_ms: metric(percentile(queueing, 95), 'ms'),
    max_running_at_once: metric(maxRunning, 'workers', { target: '<= 3', met: maxRunning <= 3 }),
  };
}
