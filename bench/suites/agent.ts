// Agent runtime: (1) loop overhead per model turn, excluding model time: the CPU (and wall) time between one model
// stream ending and the next starting (tool call through the permission gate, event appends,
// projections, recordings, prompt assembly), with a provider that answers instantly; baseline, one
// bare event append. Target p95 < 5 ms. (2) Token events reaching a client while the Ollama loopback
// streams 500 tokens/s through the real SDK; target ≤ 60 per second per run.
import { createCore } from '../../core/app.js';
import type { AppEvent } from '../../core/contract/index.js';
import { connectInProcess } from '../../core/gateway/inprocess.js';
import type { ModelProvider, ModelRequest, StreamEvent } from '../../core/providers/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { OllamaLoopback } from '../../tests/support/index.js';
import { benchDir, metric, nowMs, percentile } from '../lib.js';

const RUNS = 40;

/** Wall clock and this process's CPU time (user + system, ms) at the start and end of a model stream. */
type Stamp = { start: number; end: number; startCpu: number; endCpu: number };
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const TURNS = 10;

/** Answers at once: a tool call for the first TURNS-1 turns of a run, then text. Stamps when each stream starts and ends. */
function instantProvider(stamps: Stamp[]): ModelProvider {
  return {
    id: 'anthropic',
    async *stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      const start = nowMs();
      const startCpu = cpuMs();
      const turn = request.messages.filter((m) => m.role === 'assistant' && typeof m.content !== 'string').length;
      if (turn < TURNS - 1) yield { type: 'tool_call', id: `toolu_${turn}`, name: 'current_time', input: {}, rawArguments: '{}' };
      else yield { type: 'text', text: 'done' };
      yield { type: 'usage', usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 } };
      yield { type: 'end', stopReason: turn < TURNS - 1 ? 'tool_use' : 'end_turn', model: request.model };
      stamps.push({ start, end: nowMs(), startCpu, endCpu: cpuMs() });
    },
    probe: async () => ({ ok: true, detail: 'bench' }),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = benchDir();
  const stamps: Stamp[] = [];
  const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: { ANTHROPIC_API_KEY: 'sk-ant-bench-000000000' }, providers: { anthropic: instantProvider(stamps) }, timeZone: 'UTC' });
  const overhead: number[] = [];
  const overheadCpu: number[] = [];
  let appendBaseline = 0;
  try {
    const client = connectInProcess(core.gateway);
    for (let r = 0; r < RUNS; r++) {
      const from = stamps.length;
      await client.call('chat.send', { text: `bench ${r}` });
      await core.idle();
      const run = stamps.slice(from);
      for (let i = 1; i < run.length; i++) {
        if (r < 2) continue;
        overhead.push(run[i].start - run[i - 1].end);
        overheadCpu.push(run[i].startCpu - run[i - 1].endCpu);
      }
    }
    const t0 = nowMs();
    for (let i = 0; i < 1000; i++) core.log.transaction(() => core.log.append('timeline.error', { code: 'bench', message: 'x' }, null));
    appendBaseline = (nowMs() - t0) / 1000;
    client.close();
  } finally {
    await core.close();
    dir.cleanup();
  }

  const rate = await tokenEventRate();
  // The target is on wall-clock time, as the issue states it. CPU time is reported beside it: on a
  // shared machine the wall-clock tail includes other processes' time (CPU time counts this process's
  // helper threads too, so it is no lower bound either).
  const p95 = percentile(overheadCpu, 95);
  const wallP95 = percentile(overhead, 95);
  return {
    loop_overhead_per_turn_cpu_p50_ms: metric(percentile(overheadCpu, 50), 'ms', { baseline: { value: appendBaseline, what: 'one bare event append, ms' } }),
    loop_overhead_per_turn_cpu_p95_ms: metric(p95, 'ms', { baseline: { value: appendBaseline, what: 'one bare event append, ms' } }),
    loop_overhead_per_turn_wall_p50_ms: metric(percentile(overhead, 50), 'ms'),
    loop_overhead_per_turn_wall_p95_ms: metric(wallP95, 'ms', { baseline: { value: appendBaseline, what: 'one bare event append, ms' }, target: '< 5 ms', met: wallP95 < 5 }),
    token_events_per_second_max: metric(rate.maxPerSecond, 'events/s', { baseline: { value: rate.tokensPerSecond, what: 'tokens/s the server streamed' }, target: '≤ 60 per run while the server streams ≥ 500 tokens/s', met: rate.maxPerSecond <= 60 && rate.tokensPerSecond >= 500 }),
    token_events_per_second_mean: metric(rate.meanPerSecond, 'events/s'),
  };
}

async function tokenEventRate(): Promise<{ maxPerSecond: number; meanPerSecond: number; tokensPerSecond: number }> {
  const ollama = await OllamaLoopback.start();
  const dir = benchDir();
  const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: { OLLAMA_HOST: ollama.url }, timeZone: 'UTC' });
  try {
    const tokens = 1000;
    // 1 ms between tokens: with timer overhead the server streams 500-900 tokens/s, at or above the 500.
    ollama.script({ kind: 'stream', chunks: Array.from({ length: tokens }, (_, i) => `t${i} `), delayMs: 1 });
    const client = connectInProcess(core.gateway);
    const deltas: number[] = [];
    client.subscribe(0, (e: AppEvent) => {
      if (e.type === 'message.delta') deltas.push(nowMs());
    });
    const started = nowMs();
    await client.call('chat.send', { text: 'stream', model: 'ollama:llama3.2' });
    await core.idle();
    const seconds = (nowMs() - started) / 1000;
    // Events in every sliding one-second window.
    let maxPerSecond = 0;
    for (let i = 0, j = 0; i < deltas.length; i++) {
      while (deltas[i] - deltas[j] >= 1000) j++;
      maxPerSecond = Math.max(maxPerSecond, i - j + 1);
    }
    client.close();
    return { maxPerSecond, meanPerSecond: deltas.length / seconds, tokensPerSecond: tokens / seconds };
  } finally {
    await core.close();
    await ollama.close();
    dir.cleanup();
  }
}
