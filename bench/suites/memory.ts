// Memory at 100,000 generated memories: bulk import throughput with the offline embedder (target
// ≥ 2,000/s), hybrid search p95 (target < 60 ms), vec0 top-10 p95 beside a plain-JS brute-force scan
// of the same vectors in the same run (and how much of the exact top 10 the index finds), and
// database bytes per memory; queries with a word no memory contains are timed apart (they take the
// WordNet backfill path). CPU time is reported beside wall time: on a shared machine wall time
// mostly measures the neighbours. MEMORY_BENCH_COUNT overrides the size.
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createCore } from '../../core/app.js';
import { bruteForceTopK, createOfflineEmbedder } from '../../core/memory/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';
import { benchDir, metric, nowMs, percentile } from '../lib.js';

const COUNT = Number(process.env.MEMORY_BENCH_COUNT ?? 100_000);
const QUERIES = 200;

const SUBJECTS = ['the billing service', 'my sister', 'the garden', 'the Heron project', 'the car', 'our landlord', 'the CI pipeline', 'grandma', 'the cat', 'the team offsite', 'the VPN', 'the dentist', 'the tax return', 'the kitchen', 'the bike'];
const VERBS = ['needs', 'mentioned', 'fixed', 'scheduled', 'postponed', 'asked about', 'prefers', 'complained about', 'ordered', 'reviewed'];
const OBJECTS = ['a new battery', 'the quarterly report', 'fresh basil', 'an extra monitor', 'the blue folder', 'a cheaper plan', 'the database index', 'train tickets', 'a birthday cake', 'the roof repair', 'new tyres', 'a standing desk'];
const WHEN = ['on Monday', 'next week', 'in April', 'before the holidays', 'after lunch', 'every Friday', 'at 7 pm', 'tomorrow morning'];
const WORDS = 'amber bristle cobalt dune ember fjord granite harbor iris juniper kestrel lagoon meadow nectar opal pebble quartz russet saffron tundra umber violet willow yarrow zephyr alder birch cedar dahlia elm fern ginger hazel ivy jasmine kale lilac maple nutmeg olive'.split(' ');

export function generate(n: number, seed = 1): string[] {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const areas = ['main', 'fragments', 'solutions', 'instruments'];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const text = `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(WHEN)}, note ${pick(WORDS)} ${pick(WORDS)} ${i}`;
    lines.push(JSON.stringify({ text, area: pick(areas), created_at: Date.UTC(2024, 0, 1) + i * 60_000 }));
  }
  return lines;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = benchDir();
  const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
  try {
    const lines = generate(COUNT);
    const importStart = nowMs();
    const importCpu = process.cpuUsage();
    const CHUNK = 10_000;
    let imported = 0;
    for (let i = 0; i < lines.length; i += CHUNK) imported += (await core.gateway.call('memory.import', { jsonl: lines.slice(i, i + CHUNK).join('\n') })).imported;
    const importMs = nowMs() - importStart;
    const importCpuMs = ((u) => (u.user + u.system) / 1000)(process.cpuUsage(importCpu));
    const perSecond = (imported / importMs) * 1000;

    const embedder = createOfflineEmbedder();
    const queries = generate(QUERIES, 99).map((l) => (JSON.parse(l) as { text: string }).text.split(',')[0]);
    const hybrid: number[] = [];
    const hybridCpu: number[] = [];
    await core.gateway.call('memory.search', { query: 'warm up', limit: 10 });
    for (const q of queries) {
      const t = nowMs();
      const c = process.cpuUsage();
      await core.gateway.call('memory.search', { query: q, limit: 10 });
      const used = process.cpuUsage(c);
      hybrid.push(nowMs() - t);
      hybridCpu.push((used.user + used.system) / 1000);
    }

    // Queries with a word no memory contains take the WordNet backfill path (one more full-text query).
    const UNKNOWN = ['colour', 'beverage', 'fruit', 'physician', 'sibling', 'herb', 'vehicle', 'dental', 'furniture', 'instrument'];
    const mismatch: number[] = [];
    const mismatchCpu: number[] = [];
    for (const [i, q] of queries.entries()) {
      const t = nowMs();
      const c = process.cpuUsage();
      await core.gateway.call('memory.search', { query: `${UNKNOWN[i % UNKNOWN.length]} ${q}`, limit: 10 });
      const used = process.cpuUsage(c);
      mismatch.push(nowMs() - t);
      mismatchCpu.push((used.user + used.system) / 1000);
    }

    // The same vectors, read back from the vec0 table, scanned in plain JS.
    const gen = core.memory.vectors.activeGeneration()!;
    const all: Float32Array[] = [];
    const rowids: number[] = [];
    for (const row of core.db.prepare(`SELECT rowid, embedding FROM memory_vec_${gen.gen}`).iterate() as Iterable<{ rowid: number; embedding: Buffer }>) {
      rowids.push(row.rowid);
      all.push(new Float32Array(row.embedding.buffer.slice(row.embedding.byteOffset, row.embedding.byteOffset + row.embedding.byteLength)));
    }
    await embedder.ready!();
    const queryVectors = embedder.embedSync!(queries);
    const vec: number[] = [];
    const brute: number[] = [];
    let agree = 0;
    for (const qv of queryVectors) {
      let t = nowMs();
      const knn = core.memory.vectors.knn(qv, 10);
      vec.push(nowMs() - t);
      t = nowMs();
      const truth = new Set(bruteForceTopK(all, qv, 10).map((i) => rowids[i]));
      agree += knn.filter((n) => truth.has(n.rowid)).length;
      brute.push(nowMs() - t);
    }

    core.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = statSync(core.paths.database).size;
    const memoryRows = core.memory.status().total;
    const eventBytes = (core.db.prepare("SELECT sum(length(data)) AS n FROM events WHERE type LIKE 'memory.%'").get() as { n: number }).n;
    return {
      memories: memoryRows,
      importThroughput: metric(perSecond, 'memories/s', { target: '>= 2000', met: perSecond >= 2000, baseline: { value: (imported / importCpuMs) * 1000, what: 'memories per CPU-second' } }),
      hybridSearchP95: metric(percentile(hybrid, 95), 'ms', { target: '< 60', met: percentile(hybrid, 95) < 60, baseline: { value: percentile(vec, 95), what: 'vec0 top-10 alone, p95' } }),
      hybridSearchMedian: metric(percentile(hybrid, 50), 'ms'),
      hybridSearchUnknownWordP95: metric(percentile(mismatch, 95), 'ms', { target: '< 60', met: percentile(mismatch, 95) < 60, baseline: { value: percentile(mismatchCpu, 95), what: 'ms of CPU, p95' } }),
      hybridSearchCpuP95: metric(percentile(hybridCpu, 95), 'ms of CPU'),
      loadAverage: loadavg()[0],
      vecTop10P95: metric(percentile(vec, 95), 'ms', { baseline: { value: percentile(brute, 95), what: 'plain-JS brute-force scan of the same vectors, p95' } }),
      vecRecallAt10: metric(agree / (queryVectors.length * 10), 'share of the exact top 10', { baseline: { value: 1, what: 'brute-force scan (exact)' } }),
      dims: gen.dims,
      bytesPerMemory: metric(bytes / memoryRows, 'bytes', { baseline: { value: eventBytes / memoryRows, what: 'of which memory event JSON' } }),
    };
  } finally {
    await core.close();
    dir.cleanup();
  }
}
