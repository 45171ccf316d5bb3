// `npm run soak [-- --only year,sigkill,fuzz,escapes --kills N --frames N --days N --turns N --scheduled N --workers N --backup-days N --starts N]`:
// a simulated year of use on one data folder at an accelerated clock, random SIGKILLs of the host
// under load (200), malformed WebSocket frames (10,000), and the escape corpus as tool calls through
// the real agent loop (bench/soak-escapes.ts), printed as one JSON document like
// `npm run bench`. It exits 1 when a fault section lost something or the host crashed.
//
// Each simulated day: `--turns` chat turns (20) and `--scheduled` scheduled runs (24, an hourly
// schedule), every fourth chat turn and every scheduled run using a tool, `--workers` of the chat
// turns (2) handing a task to a worker (spawn_worker, the worker reads a file and returns its
// envelope), through the real Anthropic SDK against the loopback server; two memories written; the
// app's own daily retention pass on its timer, and its daily backup (7 kept) in the last
// `--backup-days` days (7: a copy costs what the database weighs that day, so a year of them is
// left out, and these fill the folder). At the end one more copy is timed and restored into an
// empty folder. Each simulated month records the data
// folder's size by kind, this process's resident memory and the chat turns' latency and CPU time; the baselines
// (the first month's latency and memory, a start on an empty folder) are measured in the same run.
// At the end: start-up on the year-old folder (in process, and the built host to listening) against
// a fresh folder, the integrity check, and what a `maintenance` pass gives back.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { createCore, type Core } from '../core/app.js';
import type { Client, StorageReport } from '../core/contract/index.js';
import { dataPaths, restoreDatabase } from '../core/datadir/index.js';
import { connectInProcess } from '../core/gateway/inprocess.js';
import { createMemorySecretStore } from '../core/secrets/index.js';
import { ManualClock } from '../core/util/clock.js';
import { AnthropicLoopback } from '../tests/support/anthropic-server.js';
import type { ScriptedReply } from '../tests/support/script.js';
import { buildCli, whyRebuild } from '../scripts/build-cli.mjs';
import { escapes } from './soak-escapes.js';
import { fuzz, sigkill } from './soak-faults.js';
import { benchDir, median, metric, nowMs, percentile, round, timeToUrl } from './lib.js';

const HOUR = 60 * 60 * 1000;
const MB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'bin', 'agent-blob.js');

interface Options {
  /** The sections to run, comma-separated: year, sigkill, fuzz, escapes. */
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
  /** Chat turns a day that hand a task to a worker (spawn_worker), out of `turns`. */
  workers: number;
  /** The daily backup runs in the last N simulated days (its cost grows with the database; 7 fill its folder). */
  backupDays: number;
  /** `--keep`: the year's data folder is kept (its path printed) for `--only start --data-dir DIR`. */
  keep: boolean;
  /** `--data-dir DIR`: the folder the `start` section times starts on (a kept year). */
  dataDir: string;
}

const SECTIONS = ['year', 'sigkill', 'fuzz', 'escapes', 'start'];

function options(argv: string[]): Options {
  const out: Options = { only: 'year,sigkill,fuzz,escapes', kills: 200, frames: 10_000, days: 365, turns: 20, scheduled: 24, starts: 5, workers: 2, backupDays: 7, keep: false, dataDir: '' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as keyof Options;
    if (!(flag in out)) throw new Error(`unknown option ${argv[i]} (known: --only year,sigkill,fuzz,escapes,start, --kills N, --frames N, --days N, --turns N, --scheduled N, --starts N, --workers N, --backup-days N, --keep, --data-dir DIR)`);
    if (flag === 'only') {
      out.only = String(argv[++i] ?? '');
      const unknown = out.only.split(',').filter((s) => !SECTIONS.includes(s));
      if (unknown.length) throw new Error(`--only takes ${SECTIONS.join(', ')}, comma-separated (not ${unknown.join(', ')})`);
      continue;
    }
    if (flag === 'keep') {
      out.keep = true;
      continue;
    }
    if (flag === 'dataDir') {
      out.dataDir = String(argv[++i] ?? '');
      if (!out.dataDir) throw new Error('--data-dir needs a folder');
      continue;
    }
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < (flag === 'workers' || flag === 'backupDays' ? 0 : 1)) throw new Error(`--${argv[i - 1].replace(/^--/, '')} needs a whole number of ${flag === 'workers' || flag === 'backupDays' ? 0 : 1} or more`);
    (out as unknown as Record<string, number>)[flag] = value;
  }
  if (out.only.split(',').includes('start') && !out.dataDir) throw new Error('--only start needs --data-dir DIR (a folder kept by --only year --keep)');
  if (out.scheduled > 24) throw new Error('--scheduled is at most 24 (one schedule, at most hourly)');
  if (out.workers > out.turns) throw new Error('--workers is at most --turns (a worker turn is one of the chat turns)');
  return out;
}

const REPLY =
  'Here is what I found. The notes say the quarterly report is due on Friday, the dentist moved to Thursday afternoons, and the plants need water twice a week. ' +
  'I kept the list short; ask me for more detail on any of it.';

/** The reply in a few large SSE chunks: the soak measures the app, not the parsing of many small ones. */
function chunked(text: string, pieces = 4): string[] {
  const size = Math.ceil(text.length / pieces);
  return Array.from({ length: pieces }, (_, i) => text.slice(i * size, (i + 1) * size)).filter(Boolean);
}

/**
 * Answers from the request: a tool call when the prompt asks for one (and no tool result is there
 * yet), else a streamed reply. A worker (its system prompt says so) ends with its result envelope.
 */
function responder(body: unknown): ScriptedReply {
  const request = (body ?? {}) as { system?: unknown; messages?: { role: string; content: unknown }[] };
  const messages = request.messages ?? [];
  const last = messages[messages.length - 1];
  const lastText = typeof last?.content === 'string' ? last.content : Array.isArray(last?.content) ? JSON.stringify(last.content) : '';
  const usage = { input: Math.min(150_000, Math.round(JSON.stringify(body).length / 4)), output: 60 };
  const worker = JSON.stringify(request.system ?? '').includes('You are a worker');
  if (!lastText.includes('tool_result')) {
    if (lastText.includes('[worker]')) return { kind: 'stream', chunks: ['Asking a researcher.'], toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: `[read] ${lastText.replace('[worker] ', '')} Read notes.txt and summarise it.` } }], usage };
    if (lastText.includes('[read]')) return { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'notes.txt' } }], usage };
    if (lastText.includes('[time]')) return { kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }], usage };
  }
  if (worker) return { kind: 'stream', chunks: chunked(JSON.stringify({ summary: REPLY, artifacts: [{ name: 'digest.md', type: 'text/markdown', content: `# Digest\n\n${REPLY}` }] })), usage };
  return { kind: 'stream', chunks: chunked(REPLY), usage };
}

let stalls = 0;

/** Ctrl-C (or SIGTERM) ends the year at the end of the current simulated day, and the report covers the days done. */
let stopRequested = false;

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
    // The scheduler's heartbeat (30 s) is there to notice a machine that slept or a clock that was
    // set; this clock does neither, and at this pace the heartbeat alone would be 2,880 wakes a day.
    schedulerOptions: { maxSleepMs: HOUR },
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
  /** CPU time (user + system) of this process per chat turn, ms: what a turn costs, whatever the machine's load. */
  turnCpuP50Ms: number;
  turnCpuP95Ms: number;
  /** The machine's 1-minute load average, averaged over the month's chat turns: what the wall times above were measured under. */
  loadAverage: number;
  /** Chat turns that handed a task to a worker, until the worker's result came back and the turn ended. */
  workerTurnP50Ms: number | null;
  workerTurnP95Ms: number | null;
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
    // The person lets the assistant hand tasks to workers (otherwise each spawn_worker would ask).
    await client.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
    await client.call('schedules.add', { name: 'hourly digest', prompt: '[read] Write the hourly digest of my notes.', spec: { kind: 'interval', everySeconds: Math.round((24 / opts.scheduled) * 3600) } });

    const started = nowMs();
    let turns: number[] = [];
    let turnsCpu: number[] = [];
    let loads: number[] = [];
    let workerTurns: number[] = [];
    let turnNo = 0;
    let daysDone = 0;
    // The worker turns of a day: `workers` of its `turns`, spread evenly (with 20 and 2, the 10th and the 20th).
    const isWorkerTurn = (j: number) => Math.floor((j * opts.workers) / opts.turns) !== Math.floor(((j + 1) * opts.workers) / opts.turns);
    const backupFrom = opts.days - opts.backupDays + 1;
    // Chat turns spread over the waking hours (7:00 to 22:59), the rest of the day only schedules.
    const turnHours = Array.from({ length: opts.turns }, (_, i) => 7 + Math.floor((i * 16) / opts.turns));
    for (let day = 1; day <= opts.days; day++) {
      if (opts.backupDays > 0 && day === Math.max(1, backupFrom)) await client.call('maintenance.backups.update', { daily: true, keep: 7 });
      let j = 0;
      for (let hour = 0; hour < 24; hour++) {
        clock.advance(HOUR);
        await settle(core, clock);
        // The loopback server keeps every request it saw; the soak measures the app, not that list.
        anthropic.requests.length = 0;
        for (const h of turnHours) {
          if (h !== hour) continue;
          const toWorker = isWorkerTurn(j++);
          const kind = toWorker ? '[worker] ' : turnNo % 4 === 0 ? '[read] ' : turnNo % 4 === 2 ? '[time] ' : '';
          const t0 = nowMs();
          const c0 = process.cpuUsage();
          await client.call('chat.send', { text: `${kind}Day ${day}, question ${turnNo}: what is on my list, and what should I do first?` });
          await settle(core, clock);
          const cpu = process.cpuUsage(c0);
          (toWorker ? workerTurns : turns).push(nowMs() - t0);
          if (!toWorker) turnsCpu.push((cpu.user + cpu.system) / 1000);
          loads.push(loadavg()[0]);
          turnNo++;
        }
        if (hour === 12 || hour === 20) await client.call('memory.add', { area: 'main', text: `Day ${day} at ${hour}:00: note number ${day * 2 + (hour === 20 ? 1 : 0)} about errand ${(day * 7 + hour) % 97}` });
      }
      const last = day === opts.days || stopRequested;
      if (day % 30 === 0 || last) {
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
          turnCpuP50Ms: round(percentile(turnsCpu, 50)),
          turnCpuP95Ms: round(percentile(turnsCpu, 95)),
          loadAverage: round(loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length)),
          workerTurnP50Ms: workerTurns.length ? round(percentile(workerTurns, 50)) : null,
          workerTurnP95Ms: workerTurns.length ? round(percentile(workerTurns, 95)) : null,
          scheduledRuns: ran,
          largest: Object.fromEntries(report.tables.slice(0, 6).map((t) => [t.name, round(t.bytes / MB)])),
        });
        turns = [];
        turnsCpu = [];
        loads = [];
        workerTurns = [];
        const m = months[months.length - 1];
        process.stderr.write(`soak: day ${day}, ${m.databaseMb} MB database, ${m.rssMb} MB RSS, chat turn p50 ${m.turnP50Ms} ms (CPU ${m.turnCpuP50Ms} ms) at load ${m.loadAverage}, ${round((nowMs() - started) / 1000)} s\n`);
      }
      daysDone = day;
      if (last) break;
    }
    const runs = core.runs.list(1_000_000);
    const notDone = runs.filter((r) => r.status !== 'done').length;
    const workerRuns = runs.filter((r) => r.kind === 'worker');
    const workerResults = (core.db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'worker.result'").get() as { n: number }).n;
    const integrity = String(core.db.pragma('integrity_check', { simple: true }));
    // One more copy, timed, with the year's database; then the newest copy restored into an empty folder.
    const backupsKept = await client.call('maintenance.backups', {});
    const b0 = nowMs();
    const copy = await client.call('maintenance.backups.now', {});
    const backupMs = nowMs() - b0;
    const head = core.log.head();
    client.close();
    await core.close();
    const restored = await restoreCheck(copy.made.path, clock, anthropic.url);

    // Start-up on the year-old folder against a fresh one, in process and as the spawned host.
    const starts = await startFigures(dir.path, opts.starts, clock, anthropic.url);

    // What an on-demand maintenance pass (prune, VACUUM) gives back after a year of daily pruning.
    ({ core, client } = openCore(dir.path, clock, anthropic.url));
    const maintained = await client.call('maintenance.run', {});
    client.close();
    await core.close();

    const first = months[0];
    const last = months[months.length - 1];
    const databaseMb = last.databaseMb + last.walMb;
    return {
      simulated: { days: daysDone, ...(daysDone < opts.days ? { stoppedEarly: `asked for ${opts.days} days; stopped by a signal after ${daysDone}` } : {}), chatTurns: turnNo, workerRuns: workerRuns.length, workerRunsDone: workerRuns.filter((r) => r.status === 'done').length, workerResults, clockMovedForAStalledRun: stalls, scheduledRuns: last.scheduledRuns, runsNotDone: notDone, memoriesWritten: daysDone * 2, wallSeconds: round((nowMs() - started) / 1000) },
      database_and_wal_mb: metric(databaseMb, 'MB', { baseline: { value: first.databaseMb + first.walMb, what: `after the first ${first.day} days` }, target: '< 256 MB after a year', met: databaseMb < 256 }),
      data_folder_mb: metric(last.folderMb, 'MB', { baseline: { value: first.folderMb, what: `after the first ${first.day} days` } }),
      backups_mb: metric(round(backupsKept.bytes / MB), 'MB', { baseline: { value: databaseMb, what: `one database and its WAL (${backupsKept.files.length} daily copies kept)` }, target: '< 2x one database for 7 daily copies', met: backupsKept.files.length ? backupsKept.bytes / MB < 2 * databaseMb : undefined }),
      backup_copy: { mb: round(copy.made.bytes / MB), ms: round(backupMs), restoredIntoEmptyFolder: restored, eventsInDatabase: head },
      // What a chat turn costs on the year-old folder against the first month: CPU time (this process:
      // the core, its SQLite, and the loopback model server's small share), which the machine's load
      // changes little. The wall times beside it say how long a person waited, under the load of the
      // month (`loadAverage`): on a shared machine whose load moved between the months they measure
      // the machine, so they carry no target.
      chat_turn_cpu_p50_last_month_ms: metric(last.turnCpuP50Ms, 'ms', { baseline: { value: first.turnCpuP50Ms, what: 'first month p50, CPU ms' }, target: '<= 2x the first month', met: last.turnCpuP50Ms <= 2 * first.turnCpuP50Ms }),
      chat_turn_cpu_p95_last_month_ms: metric(last.turnCpuP95Ms, 'ms', { baseline: { value: first.turnCpuP95Ms, what: 'first month p95, CPU ms' }, target: '<= 2x the first month', met: last.turnCpuP95Ms <= 2 * first.turnCpuP95Ms }),
      chat_turn_p50_last_month_ms: metric(last.turnP50Ms, 'ms', { baseline: { value: first.turnP50Ms, what: `first month p50, wall (load ${first.loadAverage}; last month's ${last.loadAverage})` } }),
      chat_turn_p95_last_month_ms: metric(last.turnP95Ms, 'ms', { baseline: { value: first.turnP95Ms, what: `first month p95, wall (load ${first.loadAverage}; last month's ${last.loadAverage})` } }),
      rss_end_mb: metric(last.rssMb, 'MB', { baseline: { value: first.rssMb, what: 'after the first month' }, target: '< first month + 150 MB', met: last.rssMb < first.rssMb + 150 }),
      ...starts,
      maintenance_after_year: { beforeMb: round(maintained.before.totalBytes / MB), afterMb: round(maintained.after.totalBytes / MB), integrity: maintained.integrity, pruned: maintained.pruned },
      integrity,
      months,
    };
  } finally {
    await anthropic.close();
    if (opts.keep) process.stderr.write(`soak: the year's data folder is kept: ${dir.path} (time starts on it with --only start --data-dir ${dir.path})\n`);
    else dir.cleanup();
  }
}

/**
 * Start-up on `dataDir` against an empty folder, interleaved so load slows both alike: in process
 * (open, migrate, recover, the first timeline page) `starts` times, and the built host spawned to
 * the moment it prints its URL half as often (at least once), with the CPU time each used.
 */
async function startFigures(dataDir: string, starts: number, clock: ManualClock, anthropicUrl: string): Promise<Record<string, unknown>> {
  const year: Awaited<ReturnType<typeof timeStart>>[] = [];
  const fresh: Awaited<ReturnType<typeof timeStart>>[] = [];
  for (let i = 0; i < starts; i++) {
    year.push(await timeStart(dataDir, clock, anthropicUrl));
    const empty = benchDir('agent-blob-soak-fresh-');
    try {
      fresh.push(await timeStart(empty.path, clock, anthropicUrl));
    } finally {
      empty.cleanup();
    }
  }
  if (whyRebuild()) await buildCli();
  const hostYear: { wallMs: number; cpuMs: number | null }[] = [];
  const hostFresh: { wallMs: number; cpuMs: number | null }[] = [];
  const env = { ...process.env, ANTHROPIC_API_KEY: '' };
  for (let i = 0; i < Math.max(1, Math.floor(starts / 2)); i++) {
    hostYear.push(await timeToUrl([CLI, 'host', '--data-dir', dataDir, '--port', '0'], env, ROOT, 60_000));
    const empty = benchDir('agent-blob-soak-fresh-');
    try {
      hostFresh.push(await timeToUrl([CLI, 'host', '--data-dir', empty.path, '--port', '0'], env, ROOT, 60_000));
    } finally {
      empty.cleanup();
    }
  }
  const wall = (xs: { wallMs: number }[]) => median(xs.map((x) => x.wallMs));
  const cpu = (xs: { cpuMs: number | null }[]) => {
    const known = xs.map((x) => x.cpuMs).filter((x): x is number => x !== null);
    return known.length ? median(known) : Number.NaN;
  };
  const load = loadavg().map((n) => round(n));
  return {
    start_in_process_year_folder_median_ms: metric(wall(year), 'ms', { baseline: { value: wall(fresh), what: 'empty folder, median' }, target: '< 1000 ms', met: wall(year) < 1000 }),
    start_in_process_year_folder_cpu_median_ms: metric(cpu(year), 'ms', { baseline: { value: cpu(fresh), what: 'empty folder, CPU ms, median' } }),
    host_start_year_folder_median_ms: metric(wall(hostYear), 'ms', { baseline: { value: wall(hostFresh), what: 'empty folder, median' }, target: '< 1000 ms', met: wall(hostYear) < 1000 }),
    host_start_year_folder_cpu_median_ms: metric(cpu(hostYear), 'ms', { baseline: { value: cpu(hostFresh), what: 'empty folder, CPU ms until listening, median' }, target: '< 1000 ms', met: cpu(hostYear) < 1000 }),
    // Each in-process start's phases (opening the folder, building the modules, each module's start), ms.
    start_samples: { inProcess: year, inProcessEmpty: fresh, host: hostYear.map(rounded), hostEmpty: hostFresh.map(rounded), loadAverage: load },
  };
}

function rounded(x: { wallMs: number; cpuMs: number | null }): { wallMs: number; cpuMs: number | null } {
  return { wallMs: round(x.wallMs), cpuMs: x.cpuMs };
}

/** Start-up on a kept data folder (`--only start --data-dir DIR`), against an empty folder in the same run. */
async function startOnly(opts: Options): Promise<Record<string, unknown>> {
  const anthropic = await AnthropicLoopback.start();
  anthropic.respond(responder);
  try {
    const clock = new ManualClock(Date.now());
    const { database } = dataPaths(opts.dataDir);
    if (!existsSync(database)) throw new Error(`${opts.dataDir} holds no database (keep a year's folder with --only year --keep)`);
    const bytes = (p: string) => (existsSync(p) ? statSync(p).size : 0);
    return { dataDir: opts.dataDir, database_and_wal_mb: round((bytes(database) + bytes(`${database}-wal`)) / MB), ...(await startFigures(opts.dataDir, opts.starts, clock, anthropic.url)) };
  } finally {
    await anthropic.close();
  }
}

/** Restores `file` into an empty data folder, opens the app on it, and says what it holds. */
async function restoreCheck(file: string, clock: ManualClock, anthropicUrl: string): Promise<Record<string, unknown>> {
  const fresh = benchDir('agent-blob-soak-restore-');
  try {
    const t0 = nowMs();
    const result = await restoreDatabase(dataPaths(fresh.path), file, clock.now());
    const ms = nowMs() - t0;
    const { core, client } = openCore(fresh.path, clock, anthropicUrl);
    try {
      const page = await client.call('timeline.list', { limit: 5 });
      return { ms: round(ms), mb: round(result.bytes / MB), head: result.head, integrity: String(core.db.pragma('quick_check', { simple: true })), timelineItems: page.items.length };
    } finally {
      client.close();
      await core.close();
    }
  } finally {
    fresh.cleanup();
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

async function timeStart(dataDir: string, clock: ManualClock, anthropicUrl: string): Promise<{ wallMs: number; cpuMs: number; phases: Core['startPhases'] }> {
  const t0 = nowMs();
  const c0 = process.cpuUsage();
  const { core, client } = openCore(dataDir, clock, anthropicUrl);
  await client.call('timeline.list', { limit: 50 });
  const took = nowMs() - t0;
  const cpu = process.cpuUsage(c0);
  client.close();
  await core.close();
  return { wallMs: round(took), cpuMs: round((cpu.user + cpu.system) / 1000), phases: core.startPhases };
}

const opts = options(process.argv.slice(2));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopRequested = true;
    process.stderr.write(`soak: ${signal}: the year stops at the end of this simulated day and reports; again to quit at once\n`);
    process.once(signal, () => process.exit(130));
  });
}
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
const sections: Record<string, () => Promise<Record<string, unknown>>> = { year: () => year(opts), sigkill: () => sigkill(opts.kills), fuzz: () => fuzz(opts.frames), escapes: () => escapes(), start: () => startOnly(opts) };
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
  ['escapes', 'executed', (v) => v === 0],
  ['escapes', 'outsideChanged', (v) => v === false],
  ['escapes', 'markerFilesOutside', (v) => v === 0],
  ['escapes', 'loopbackServerHits', (v) => v === 0],
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
