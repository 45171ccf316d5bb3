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
import { fillStore, generateMemories, generateQueries, timeSearches } from '../memory-store.js';

const COUNT = Number(process.env.MEMORY_BENCH_COUNT ?? 100_000);
const QUERIES = 200;

export async function run(): Promise<Record<string, unknown>> {
  const dir = benchDir();
  const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
  try {
    const lines = generateMemories(COUNT);
    const filled = await fillStore(core, lines, 0, lines.length);
    const perSecond = filled.perSecond;

    const embedder = createOfflineEmbedder();
    const queries = generateQueries(QUERIES, 99);
    const { ms: hybrid, cpuMs: hybridCpu } = await timeSearches(core, queries);

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
    const queryVectors = embedder.embedSync!(queries, 'query');
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
      importThroughput: metric(perSecond, 'memories/s', { target: '>= 2000', met: perSecond >= 2000, baseline: { value: filled.perCpuSecond, what: 'memories per CPU-second' } }),
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
