// Event append: `EventLog.append` inside `log.transaction` (one event per transaction, as a state
// change is) against a bare better-sqlite3 insert of the same row into a same-shaped table of the
// same database. Targets: p99 < 2 ms, throughput at least half of the bare insert's.
import { join } from 'node:path';
import { createCore } from '../../core/app.js';
import { openDatabase } from '../../core/db/index.js';
import { EventLog } from '../../core/events/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { systemClock } from '../../core/util/clock.js';
import { silentLogger } from '../../core/util/logger.js';
import { benchDir, metric, nowMs, percentile, sampleSync } from '../lib.js';

const WARMUP = 1000;
const SAMPLES = 10_000;
const ROUNDS = 4;

export async function run(): Promise<Record<string, unknown>> {
  const dir = benchDir();
  try {
    const { db } = openDatabase({ file: join(dir.path, 'bench.sqlite') });
    // The same columns and the same partial index as the events table (migration 0010).
    db.exec(`CREATE TABLE bare_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, type TEXT NOT NULL, run_id TEXT, data TEXT NOT NULL
    );
    CREATE INDEX bare_events_run ON bare_events(run_id, seq) WHERE run_id IS NOT NULL;`);
    const log = new EventLog(db, systemClock, silentLogger);
    const data = { messageId: 'msg_01jbench0000000000', text: 'a coalesced chunk of streamed reply text, ~60 chars.' };
    const json = JSON.stringify(data);
    const bareInsert = db.prepare('INSERT INTO bare_events (ts, type, run_id, data) VALUES (?, ?, ?, ?)');
    const appendOne = () => log.transaction(() => log.append('message.delta', data, 'run_01jbench000000000'));
    const bareOne = () => bareInsert.run(Date.now(), 'message.delta', 'run_01jbench000000000', json);

    sampleSync(WARMUP, appendOne);
    sampleSync(WARMUP, bareOne);
    // Alternate the two in rounds so background load on a shared machine falls on both alike.
    const appendLatency: number[] = [];
    const bareLatency: number[] = [];
    let appendTime = 0;
    let bareTime = 0;
    for (let round = 0; round < ROUNDS; round++) {
      appendLatency.push(...sampleSync(SAMPLES / ROUNDS, appendOne));
      bareLatency.push(...sampleSync(SAMPLES / ROUNDS, bareOne));
      appendTime += timeLoop(SAMPLES / ROUNDS, appendOne);
      bareTime += timeLoop(SAMPLES / ROUNDS, bareOne);
    }
    const appendPerSecond = SAMPLES / (appendTime / 1000);
    const barePerSecond = SAMPLES / (bareTime / 1000);
    const ratio = appendPerSecond / barePerSecond;
    db.close();

    const core = await coreAppend(join(dir.path, 'core'));
    return {
      append_p50_ms: metric(percentile(appendLatency, 50), 'ms', { baseline: { value: percentile(bareLatency, 50), what: 'bare insert p50' } }),
      append_p99_ms: metric(percentile(appendLatency, 99), 'ms', {
        baseline: { value: percentile(bareLatency, 99), what: 'bare insert p99' },
        target: '< 2 ms',
        met: percentile(appendLatency, 99) < 2,
      }),
      append_throughput_per_s: metric(appendPerSecond, 'events/s', {
        baseline: { value: barePerSecond, what: 'bare inserts/s' },
        target: '>= 0.5x bare',
        met: ratio >= 0.5,
      }),
      append_throughput_ratio: metric(ratio, 'x bare', { target: '>= 0.5', met: ratio >= 0.5 }),
      core_append_p99_ms: metric(core.p99, 'ms', {
        baseline: { value: percentile(bareLatency, 99), what: 'bare insert p99' },
        target: '< 2 ms',
        met: core.p99 < 2,
      }),
      core_append_throughput_per_s: metric(core.perSecond, 'events/s', { baseline: { value: barePerSecond, what: 'bare inserts/s' } }),
      samples: SAMPLES,
      notes:
        'append_* = EventLog over the migrated database, one message.delta per transaction; core_* = the same through ' +
        'createCore with every projector registered (each delta extends its timeline row; a new message every 200 deltas). WAL, synchronous=NORMAL.',
    };
  } finally {
    dir.cleanup();
  }
}

/**
 * The same append through a whole core, so projector cost is visible too: deltas of streamed replies
 * of 200 chunks each (a new assistant message, created untimed, every 200 appends), as a chat turn
 * writes them.
 */
async function coreAppend(dataDir: string): Promise<{ p99: number; perSecond: number }> {
  const core = createCore({ dataDir, logger: silentLogger, secrets: createMemorySecretStore(), env: {}, timeZone: 'UTC' });
  try {
    const { log } = core;
    const runId = log.transaction(() => core.runs.create({ kind: 'chat', title: 'bench' }));
    let messageId = '';
    let n = 0;
    const nextMessage = () => {
      messageId = `msg_bench_${n++}`;
      log.transaction(() => log.append('message.created', { messageId, role: 'assistant', text: '', status: 'streaming' }, runId));
    };
    const appendOne = () => log.transaction(() => log.append('message.delta', { messageId, text: 'a coalesced chunk of streamed text' }, runId));
    const measure = (count: number): number[] => {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        if (i % 200 === 0) nextMessage();
        const start = nowMs();
        appendOne();
        samples.push(nowMs() - start);
      }
      return samples;
    };
    measure(WARMUP);
    const latency = measure(SAMPLES / 2);
    const perSecond = (SAMPLES / 2) / (latency.reduce((a, b) => a + b, 0) / 1000);
    return { p99: percentile(latency, 99), perSecond };
  } finally {
    await core.close();
  }
}

function timeLoop(count: number, fn: () => unknown): number {
  const start = nowMs();
  for (let i = 0; i < count; i++) fn();
  return nowMs() - start;
}
