// `npm run soak [-- --only year,sigkill,fuzz --kills N --frames N --days N --turns N --scheduled N --starts N]`:
// a simulated year of use on one data folder at an accelerated clock, random SIGKILLs of the host
// under load (200), and malformed WebSocket frames (10,000), printed as one JSON document like
// `npm run bench`. It exits 1 when a fault section lost something or the host crashed.
//
// Each simulated day: `--turns` chat turns (20) and `--scheduled` scheduled runs (24, an hourly
// schedule), every fourth chat turn and every scheduled run using a tool, through the real
// Anthropic SDK against the loopback server; two memories written; the app's own daily retention
// pass and daily backup (7 kept) running on their timers. Each simulated month records the data
// folder's size by kind, this process's resident memory and the chat turns' latency; the baselines
// (the first month's latency and memory, a start on an empty folder) are measured in the same run.
// At the end: start-up on the year-old folder (in process, and the built host to listening) against
// a fresh folder, the integrity check, and what a `maintenance` pass gives back.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { createCore, type Core } from '../core/app.js';
import type { Client, StorageReport } from '../core/contract/index.js';
import { connectInProcess } from '../core/gateway/inprocess.js';
import { createMemorySecretStore } from '../core/secrets/index.js';
import { ManualClock } from '../core/util/clock.js';
import { AnthropicLoopback } from '../tests/support/anthropic-server.js';
import type { ScriptedReply } from '../tests/support/script.js';
import { buildCli, whyRebuild } from '../scripts/build-cli.mjs';
import { fuzz, sigkill } from './soak-faults.js';
import { benchDir, median, metric, nowMs, percentile, round } from './lib.js';

const HOUR = 60 * 60 * 1000;
const MB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'bin', 'agent-blob.js');

interface Options {
  /** The sections to run, comma-separated: year, sigkill, fuzz. */
  only: string;
  /** SIGKILLs of the host under load. */
  kills: number;
  /** Malformed WebSocket frames. */
  frames: number;
  days: number;
  turns: number;
  scheduled: number;
  /** Starts timed at the end, each on the year-old folder and on a fresh one (in process; the spawned host gets half as many, at least one). */
  starts: number;
}

function options(argv: string[]): Options {
  const out: Options = { only: 'year,sigkill,fuzz', kills: 200, frames: 10_000, days: 365, turns: 20, scheduled: 24, starts: 5 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].replace(/^--/, '') as keyof Options;
    if (!(flag in out)) throw new Error(`unknown option ${argv[i]} (known: --only year,sigkill,fuzz, --kills N, --frames N, --days N, --turns N, --scheduled N, --starts N)`);
    if (flag === 'only') {
      out.only = String(argv[++i] ?? '');
      const unknown = out.only.split(',').filter((s) => !['year', 'sigkill', 'fuzz'].includes(s));
      if (unknown.length) throw new Error(`--only takes year, sigkill and fuzz, comma-separated (not ${unknown.join(', ')})`);
      continue;
    }
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${flag} needs a whole number of 1 or more`);
    out[flag] = value;
  }
  if (out.scheduled > 24) throw new Error('--scheduled is at most 24 (one schedule, at most hourly)');
  return out;
}

const REPLY =
  'Here is what I found. The notes say the quarterly report is due on Friday, the dentist moved to Thursday afternoons, and the plants need water twice a week. ' +
  'I kept the list short; ask me for more detail on any of it.';

/** Answers from the request: a tool call when the prompt asks for one (and no tool result is there yet), else a streamed reply. */
function responder(body: unknown): ScriptedReply {
  const messages = ((body as { messages?: { role: string; content: unknown }[] } | null)?.messages ?? []) as { role: string; content: unknown }[];
  const last = messages[messages.length - 1];
  const lastText = typeof last?.content === 'string' ? last.content : Array.isArray(last?.content) ? JSON.stringify(last.content) : '';
  const usage = { input: Math.min(150_000, Math.round(JSON.stringify(body).length / 4)), output: 60 };
  if (!lastText.includes('tool_result')) {
    if (lastText.includes('[read]')) return { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'notes.txt' } }], usage };
    if (lastText.includes('[time]')) return { kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }], usage };
  }
  const chunks: string[] = [];
  for (let i = 0; i < REPLY.length; i += 24) chunks.push(REPLY.slice(i, i + 24));
  return { kind: 'stream', chunks, usage };
}

let stalls = 0;

/**
 * Waits until the core is idle. A run that waits on the clock (a provider's retry backoff, a
 * timer of its own) would wait for ever on a clock that only moves when told: when the core is not
 * idle within a moment of real time, the clock moves a second at a time until it is (counted).
 */
async function settle(core: Core, clock: ManualClock): Promise<void> {
  let idle = false;
  const done = core.idle().then(() => void (idle = true));
  for (let waited = 0; !idle; waited++) {
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 250))]);
    if (!idle && waited >= 8) {
      if (waited === 8) stalls++;
      clock.advance(1000);
    }
  }
}

function openCore(dataDir: string, clock: ManualClock, anthropicUrl: string): { core: Core; client: Client } {
  const core = createCore({
    dataDir,
    owner: 'host',
    clock,
    secrets: createMemorySecretStore(),
    env: { ANTHROPIC_API_KEY: 'sk-ant-soak-000000000000', ANTHROPIC_BASE_URL: anthropicUrl },
    timeZone: 'UTC',
    bundledSkillsDir: null,
    deltaWindowMs: 16,
  });
  return { core, client: connectInProcess(core.gateway) };
}

interface Month {
  day: number;
  databaseMb: number;
  walMb: number;
  backupsMb: number;
  logsMb: number;
  folderMb: number;
  events: number;
  rssMb: number;
  heapMb: number;
  turnP50Ms: number;
  turnP95Ms: number;
  scheduledRuns: number;
  /** The largest tables and indexes, MB. */
  largest: Record<string, number>;
}

async function year(opts: Options): Promise<Record<string, unknown>> {
  const anthropic = await AnthropicLoopback.start();
  anthropic.respond(responder);
  const dir = benchDir('agent-blob-soak-');
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 0));
  const months: Month[] = [];
  try {
    mkdirSync(join(dir.path, 'workspace'), { recursive: true });
    writeFileSync(join(dir.path, 'workspace', 'notes.txt'), 'quarterly report Friday; dentist Thursday afternoons; water the plants twice a week\n'.repeat(20));
    let { core, client } = openCore(dir.path, clock, anthropic.url);
    await client.call('maintenance.backups.update', { daily: true, keep: 7 });
    await client.call('schedules.add', { name: 'hourly digest', prompt: '[read] Write the hourly digest of my notes.', spec: { kind: 'interval', everySeconds: Math.round((24 / opts.scheduled) * 3600) } });

    const started = nowMs();
    let turns: number[] = [];
    let turnNo = 0;
    // Chat turns spread over the waking hours (7:00 to 22:59), the rest of the day only schedules.
    const turnHours = Array.from({ length: opts.turns }, (_, i) => 7 + Math.floor((i * 16) / opts.turns));
    for (let day = 1; day <= opts.days; day++) {
      for (let hour = 0; hour < 24; hour++) {
        clock.advance(HOUR);
        await settle(core, clock);
        // The loopback server keeps every request it saw; the soak measures the app, not that list.
        anthropic.requests.length = 0;
        for (const h of turnHours) {
          if (h !== hour) continue;
          const kind = turnNo % 4 === 0 ? '[read] ' : turnNo % 4 === 2 ? '[time] ' : '';
          const t0 = nowMs();
          await client.call('chat.send', { text: `${kind}Day ${day}, question ${turnNo}: what is on my list, and what should I do first?` });
          await settle(core, clock);
          turns.push(nowMs() - t0);
          turnNo++;
        }
        if (hour === 12 || hour === 20) await client.call('memory.add', { area: 'main', text: `Day ${day} at ${hour}:00: note number ${day * 2 + (hour === 20 ? 1 : 0)} about errand ${(day * 7 + hour) % 97}` });
      }
      if (day % 30 === 0 || day === opts.days) {
        const report = await client.call('maintenance.report', {});
        const memory = process.memoryUsage();
        const ran = core.runs.list(1_000_000).filter((r) => r.kind === 'schedule').length;
        months.push({
          day,
          ...sizes(report),
          events: report.events,
          rssMb: round(memory.rss / MB),
          heapMb: round(memory.heapUsed / MB),
          turnP50Ms: round(percentile(turns, 50)),
          turnP95Ms: round(percentile(turns, 95)),
          scheduledRuns: ran,
          largest: Object.fromEntries(report.tables.slice(0, 6).map((t) => [t.name, round(t.bytes / MB)])),
        });
        turns = [];
        process.stderr.write(`soak: day ${day}, ${months[months.length - 1].databaseMb} MB database, ${months[months.length - 1].rssMb} MB RSS, ${round((nowMs() - started) / 1000)} s\n`);
      }
    }
    const runs = core.runs.list(1_000_000);
    const notDone = runs.filter((r) => r.status !== 'done').length;
    const integrity = String(core.db.pragma('integrity_check', { simple: true }));
    client.close();
    await core.close();

    // Start-up on the year-old folder against a fresh one, in process (open, migrate, recover, first answer).
    const startYear: number[] = [];
    const startFresh: number[] = [];
    for (let i = 0; i < opts.starts; i++) {
      startYear.push(await timeStart(dir.path, clock, anthropic.url));
      const fresh = benchDir('agent-blob-soak-fresh-');
      try {
        startFresh.push(await timeStart(fresh.path, clock, anthropic.url));
      } finally {
        fresh.cleanup();
      }
    }
    // The built host, spawned, to the moment it listens.
    if (whyRebuild()) await buildCli();
    const hostYear: number[] = [];
    const hostFresh: number[] = [];
    for (let i = 0; i < Math.max(1, Math.floor(opts.starts / 2)); i++) {
      hostYear.push(await hostToListening(dir.path));
      const fresh = benchDir('agent-blob-soak-fresh-');
      try {
        hostFresh.push(await hostToListening(fresh.path));
      } finally {
        fresh.cleanup();
      }
    }

    // What an on-demand maintenance pass (prune, VACUUM) gives back after a year of daily pruning.
    ({ core, client } = openCore(dir.path, clock, anthropic.url));
    const maintained = await client.call('maintenance.run', {});
    client.close();
    await core.close();

    const first = months[0];
    const last = months[months.length - 1];
    const databaseMb = last.databaseMb + last.walMb;
    return {
      simulated: { days: opts.days, chatTurns: turnNo, clockMovedForAStalledRun: stalls, scheduledRuns: last.scheduledRuns, runsNotDone: notDone, memoriesWritten: opts.days * 2, wallSeconds: round((nowMs() - started) / 1000) },
      database_and_wal_mb: metric(databaseMb, 'MB', { baseline: { value: first.databaseMb + first.walMb, what: `after the first ${first.day} days` }, target: '< 256 MB after a year', met: databaseMb < 256 }),
      data_folder_mb: metric(last.folderMb, 'MB', { baseline: { value: first.folderMb, what: `after the first ${first.day} days` } }),
      backups_mb: metric(last.backupsMb, 'MB', { baseline: { value: databaseMb, what: 'one database (7 daily copies are kept)' } }),
      chat_turn_p50_last_month_ms: metric(last.turnP50Ms, 'ms', { baseline: { value: first.turnP50Ms, what: 'first month p50' }, target: '<= 2x the first month', met: last.turnP50Ms <= 2 * first.turnP50Ms }),
      chat_turn_p95_last_month_ms: metric(last.turnP95Ms, 'ms', { baseline: { value: first.turnP95Ms, what: 'first month p95' }, target: '<= 2x the first month', met: last.turnP95Ms <= 2 * first.turnP95Ms }),
      rss_end_mb: metric(last.rssMb, 'MB', { baseline: { value: first.rssMb, what: 'after the first month' }, target: '< first month + 150 MB', met: last.rssMb < first.rssMb + 150 }),
      start_in_process_year_folder_median_ms: metric(median(startYear), 'ms', { baseline: { value: median(startFresh), what: 'empty folder, median' }, target: '< 1000 ms', met: median(startYear) < 1000 }),
      host_start_year_folder_median_ms: metric(median(hostYear), 'ms', { baseline: { value: median(hostFresh), what: 'empty folder, median' }, target: '< 1000 ms', met: median(hostYear) < 1000 }),
      maintenance_after_year: { beforeMb: round(maintained.before.totalBytes / MB), afterMb: round(maintained.after.totalBytes / MB), integrity: maintained.integrity, pruned: maintained.pruned },
      integrity,
      months,
    };
  } finally {
    await anthropic.close();
    dir.cleanup();
  }
}

function sizes(report: StorageReport): Pick<Month, 'databaseMb' | 'walMb' | 'backupsMb' | 'logsMb' | 'folderMb'> {
  return {
    databaseMb: round(report.parts.database / MB),
    walMb: round(report.parts.wal / MB),
    backupsMb: round(report.parts.backups / MB),
    logsMb: round(report.parts.logs / MB),
    folderMb: round(report.totalBytes / MB),
  };
}

async function timeStart(dataDir: string, clock: ManualClock, anthropicUrl: string): Promise<number> {
  const t0 = nowMs();
  const { core, client } = openCore(dataDir, clock, anthropicUrl);
  await client.call('timeline.list', { limit: 50 });
  const took = nowMs() - t0;
  client.close();
  await core.close();
  return took;
}

/** Spawns the built host on `dataDir` and resolves with the ms until it prints its URL, then stops it. */
function hostToListening(dataDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const child = spawn(process.execPath, [CLI, 'host', '--data-dir', dataDir, '--port', '0'], { cwd: ROOT, env: { ...process.env, ANTHROPIC_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let took: number | null = null;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (took === null && /http:\/\/127\.0\.0\.1:\d+\//.test(out)) {
        took = nowMs() - t0;
        child.kill('SIGTERM');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (took !== null) resolve(took);
      else reject(new Error(`the host exited (${signal ?? code}) before listening: ${(err || out).trim().slice(0, 400)}`));
    });
  });
}

const opts = options(process.argv.slice(2));
const report: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  loadAverageAtStart: loadavg().map((n) => round(n)),
  options: opts,
};
let failed = false;
const t0 = nowMs();
const sections: Record<string, () => Promise<Record<string, unknown>>> = { year: () => year(opts), sigkill: () => sigkill(opts.kills), fuzz: () => fuzz(opts.frames) };
const missed: string[] = [];
for (const name of opts.only.split(',')) {
  try {
    const result = await sections[name]();
    report[name] = result;
    for (const [key, value] of Object.entries(result)) if (value && typeof value === 'object' && (value as { met?: unknown }).met === false) missed.push(`${name}.${key}`);
  } catch (err) {
    failed = true;
    report[name] = { error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
}
// What the acceptance asks of the fault sections: nothing lost, nothing left, no crash, every frame answered.
const must: [string, string, (v: unknown) => boolean][] = [
  ['sigkill', 'integrityFailures', (v) => v === 0],
  ['sigkill', 'lostAcknowledged', (v) => v === 0],
  ['sigkill', 'leftRunning', (v) => v === 0],
  ['sigkill', 'slotsFiredTwice', (v) => v === 0],
  ['fuzz', 'crashes', (v) => v === 0],
  ['fuzz', 'silentDrops', (v) => v === 0],
  ['fuzz', 'servedAfterwards', (v) => v === true],
];
for (const [section, key, ok] of must) {
  const result = report[section] as Record<string, unknown> | undefined;
  if (result && !('error' in result) && !ok(result[key])) {
    failed = true;
    missed.push(`${section}.${key}`);
  }
}
report.durationMs = round(nowMs() - t0);
report.loadAverageAtEnd = loadavg().map((n) => round(n));
report.targetsMissed = missed;
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`, () => process.exit(failed ? 1 : 0));
