// Memory search as people meet it: one `agent-blob memory search` process on a data folder of the
// original eval's ~350 memories, start included (p50 wall and CPU time, peak RSS; targets < 300 ms
// and < 150 MB), beside a plain `node` start measured in the same run, with the full-text index cached
// in the data folder as after any earlier search, and apart without it (cliSearchUncached*: the first
// search after the memories changed); and search inside a running
// core at 10,000 memories (p50, target < 20 ms) and, the same core grown on, at 100,000, beside the
// vector top-10 alone; how fast the store was filled is reported with them. CPU time is reported
// beside wall time: on a shared machine wall time mostly measures the neighbours.
// MEMORY_SEARCH_BENCH_COUNT and MEMORY_SEARCH_BENCH_LARGE override the 10,000 and the 100,000.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { createCore } from '../../core/app.js';
import { SEARCH_CACHE_FILE, createOfflineEmbedder } from '../../core/memory/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { originalSet } from '../../tests/evals/memory/run.js';
import { benchDir, metric, nowMs, percentile } from '../lib.js';
import { fillStore, generateMemories, generateQueries, timeSearches } from '../memory-store.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROCESSES = 9;
const IN_APP = Number(process.env.MEMORY_SEARCH_BENCH_COUNT ?? 10_000);
const LARGE = Number(process.env.MEMORY_SEARCH_BENCH_LARGE ?? 100_000);
const QUESTIONS = ['who is my dentist', 'which drugs must our boy avoid', 'docker says no space left on device', 'what colour is my car', 'where do we stay in kyoto'];

/** Runs a node process `PROCESSES` times; wall time, CPU time (user + system) and the peak RSS the process reports at exit. */
function processes(args: string[], before?: () => void): { ms: number[]; cpuMs: number[]; rssMb: number[] } {
  const ms: number[] = [];
  const cpuMs: number[] = [];
  const rssMb: number[] = [];
  const reporter = join(ROOT, 'bench', 'report-rss.mjs');
  for (let i = 0; i < PROCESSES; i++) {
    before?.();
    const t = nowMs();
    const r = spawnSync(process.execPath, ['--import', reporter, ...args.map((a) => a.replace('%Q', QUESTIONS[i % QUESTIONS.length]))], { cwd: ROOT, encoding: 'utf8' });
    ms.push(nowMs() - t);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 400)}`);
    const rss = /RSS_KB (\d+)/.exec(r.stderr);
    if (rss) rssMb.push(Number(rss[1]) / 1024);
    const cpu = /CPU_US (\d+)/.exec(r.stderr);
    if (cpu) cpuMs.push(Number(cpu[1]) / 1000);
  }
  return { ms, cpuMs, rssMb };
}

export async function run(): Promise<Record<string, unknown>> {
  const small = benchDir();
  const large = benchDir();
  try {
    const set = originalSet();
    const file = join(small.path, 'memories.jsonl');
    const now = Date.UTC(2026, 5, 1);
    writeFileSync(file, set.memories.map((m) => JSON.stringify({ text: m.text, area: m.area, created_at: now - m.daysAgo * 86_400_000 })).join('\n'));
    const dataDir = join(small.path, 'data');
    const importer = spawnSync(process.execPath, ['bin/agent-blob.js', '--data-dir', dataDir, 'memory', 'import', file], { cwd: ROOT, encoding: 'utf8' });
    if (importer.status !== 0) throw new Error(`import failed: ${importer.stderr}`);
    const search = ['bin/agent-blob.js', '--data-dir', dataDir, 'memory', 'search', '%Q', '--limit', '10', '--json'];
    // Without the full-text index cached in the data folder: the first search after memories changed.
    const uncached = processes(search, () => rmSync(join(dataDir, 'cache', SEARCH_CACHE_FILE), { force: true }));
    // One search first: the WordNet index is built once per machine, the full-text index once per change of the memories.
    processes(['bin/agent-blob.js', '--data-dir', dataDir, 'memory', 'search', 'warm up', '--json']);
    const cli = processes(search);
    const bare = processes(['-e', '0']);
    const loadAtStart = loadavg()[0];

    const core = createCore({ dataDir: large.path, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
    try {
      const lines = generateMemories(Math.max(IN_APP, LARGE), 3);
      const queries = generateQueries(100, 77);
      const embedder = createOfflineEmbedder();
      await embedder.ready!();
      const vectors = embedder.embedSync!(queries, 'query');
      const knnP50 = () => percentile(vectors.map((v) => {
        const t = nowMs();
        core.memory.vectors.knn(v, 10);
        return nowMs() - t;
      }), 50);
      const filled = await fillStore(core, lines, 0, IN_APP, 5000);
      const small10k = await timeSearches(core, queries);
      const knn10k = knnP50();
      const grown = await fillStore(core, lines, IN_APP, LARGE, 5000);
      const large100k = await timeSearches(core, queries);
      const knn100k = knnP50();
      const p50 = percentile(small10k.ms, 50);
      const cliP50 = percentile(cli.ms, 50);
      const rss = Math.max(...cli.rssMb);
      return {
        memories: set.memories.length,
        cliSearchProcessP50: metric(cliP50, 'ms', { target: '< 300', met: cliP50 < 300, baseline: { value: percentile(bare.ms, 50), what: 'a bare node process start, p50' } }),
        cliSearchProcessCpuP50: metric(percentile(cli.cpuMs, 50), 'ms of CPU', { baseline: { value: percentile(bare.cpuMs, 50), what: 'a bare node process start, p50' } }),
        cliSearchProcessPeakRss: metric(rss, 'MB', { target: '< 150', met: rss < 150, baseline: { value: Math.max(...bare.rssMb), what: 'a bare node process' } }),
        // The same search with no cached full-text index (the first one after the memories changed, or after an upgrade).
        cliSearchUncachedProcessP50: metric(percentile(uncached.ms, 50), 'ms', { baseline: { value: percentile(bare.ms, 50), what: 'a bare node process start, p50' } }),
        cliSearchUncachedProcessCpuP50: metric(percentile(uncached.cpuMs, 50), 'ms of CPU', { baseline: { value: percentile(bare.cpuMs, 50), what: 'a bare node process start, p50' } }),
        cliSearchUncachedProcessPeakRss: metric(Math.max(...uncached.rssMb), 'MB'),
        loadAverageAtCliRuns: loadAtStart,
        inAppMemories: IN_APP,
        inAppSearchP50: metric(p50, 'ms', { target: '< 20', met: p50 < 20, baseline: { value: knn10k, what: 'vector top-10 alone, p50' } }),
        inAppSearchP95: metric(percentile(small10k.ms, 95), 'ms'),
        inAppSearchCpuP50: metric(percentile(small10k.cpuMs, 50), 'ms of CPU'),
        inAppLargeMemories: LARGE,
        // Reported, not a target of its own: the app's < 20 ms is set at 10,000.
        inAppLargeSearchP50: metric(percentile(large100k.ms, 50), 'ms', { baseline: { value: knn100k, what: 'vector top-10 alone, p50' } }),
        inAppLargeSearchP95: metric(percentile(large100k.ms, 95), 'ms'),
        inAppLargeSearchCpuP50: metric(percentile(large100k.cpuMs, 50), 'ms of CPU'),
        fillThroughput: metric((filled.perSecond * IN_APP + grown.perSecond * (LARGE - IN_APP)) / LARGE, 'memories/s', { baseline: { value: (filled.perCpuSecond * IN_APP + grown.perCpuSecond * (LARGE - IN_APP)) / LARGE, what: 'memories per CPU-second' } }),
        loadAverage: loadavg()[0],
      };
    } finally {
      await core.close();
    }
  } finally {
    small.cleanup();
    large.cleanup();
  }
}
