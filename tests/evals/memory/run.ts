/**
 * The memory eval: imports the eval memories into a fresh data folder, asks every question, and
 * prints recall@5, recall@10 and MRR per kind, knowledge-update order, and the median search time.
 *   npm run eval:memory [-- --ollama MODEL]   (Ollama's host from OLLAMA_HOST)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore } from '../../../core/app.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { silentLogger } from '../../../core/util/logger.js';
import { distractors } from './distractors.js';
import { FACTS } from './facts.js';
import { QUESTIONS, type Kind } from './questions.js';

const DAY = 86_400_000;

export async function runMemoryEval(options: { ollamaModel?: string; distractorCount?: number } = {}): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-blob-eval-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const core = createCore({ dataDir: dir, clock, logger: silentLogger, secrets: createMemorySecretStore(), env: { OLLAMA_HOST: process.env.OLLAMA_HOST ?? 'http://127.0.0.1:11434' } });
  try {
    if (options.ollamaModel) {
      await core.gateway.call('memory.configure', { embedder: { kind: 'ollama', model: options.ollamaModel } });
      await core.memory.whenReembedded();
    }
    const facts = [...FACTS, ...distractors(options.distractorCount ?? 260)];
    const jsonl = facts.map(([, area, daysAgo, text]) => JSON.stringify({ text, area, created_at: clock.now() - daysAgo * DAY })).join('\n');
    const imported = await core.gateway.call('memory.import', { jsonl });
    const keyOf = new Map<string, string>();
    const textToKey = new Map(facts.map(([key, , , text]) => [text, key]));
    for (const m of (await core.gateway.call('memory.list', { limit: 10_000 })).memories) keyOf.set(m.id, textToKey.get(m.text) ?? '?');

    type Acc = { n: number; r5: number; r10: number; mrr: number; order: number; orderN: number; bothFound: number; bothOrdered: number };
    const per = new Map<Kind, Acc>();
    const times: number[] = [];
    const unanswerableTop: number[] = [];
    const answerableTop: number[] = [];
    const misses: string[] = [];
    for (const q of QUESTIONS) {
      const started = performance.now();
      const { hits } = await core.gateway.call('memory.search', { query: q.q, limit: 10 });
      times.push(performance.now() - started);
      const keys = hits.map((h) => keyOf.get(h.memory.id) ?? '?');
      const topSimilarity = hits[0]?.explain.vectorSimilarity ?? 0;
      const acc = per.get(q.kind) ?? { n: 0, r5: 0, r10: 0, mrr: 0, order: 0, orderN: 0, bothFound: 0, bothOrdered: 0 };
      per.set(q.kind, acc);
      acc.n++;
      if (q.kind === 'unanswerable') {
        unanswerableTop.push(topSimilarity);
        continue;
      }
      answerableTop.push(topSimilarity);
      const found = (k: number) => q.expect.filter((e) => keys.slice(0, k).includes(e)).length / q.expect.length;
      acc.r5 += found(5);
      acc.r10 += found(10);
      const first = keys.findIndex((k) => q.expect.includes(k));
      acc.mrr += first >= 0 ? 1 / (first + 1) : 0;
      if (found(10) < 1) misses.push(`${q.kind}: ${q.q} -> ${keys.slice(0, 3).join(', ')}`);
      if (q.older) {
        acc.orderN++;
        const newRank = keys.indexOf(q.expect[0]);
        const oldRank = Math.min(...q.older.map((o) => (keys.includes(o) ? keys.indexOf(o) : Infinity)));
        if (newRank >= 0 && newRank < oldRank) acc.order++;
        if (newRank >= 0 && oldRank !== Infinity) {
          acc.bothFound++;
          if (newRank < oldRank) acc.bothOrdered++;
        }
      }
    }
    const round = (x: number) => Math.round(x * 1000) / 1000;
    const byKind: Record<string, unknown> = {};
    let all = { n: 0, r5: 0, r10: 0, mrr: 0 };
    for (const [kind, a] of per) {
      if (kind === 'unanswerable') {
        byKind[kind] = { questions: a.n, medianTopVectorSimilarity: round(median(unanswerableTop)) };
        continue;
      }
      byKind[kind] = { questions: a.n, recallAt5: round(a.r5 / a.n), recallAt10: round(a.r10 / a.n), mrr: round(a.mrr / a.n), ...(a.orderN ? { updateOrder: round(a.order / a.orderN), newerFirstWhenBothFound: `${a.bothOrdered}/${a.bothFound}` } : {}) };
      all = { n: all.n + a.n, r5: all.r5 + a.r5, r10: all.r10 + a.r10, mrr: all.mrr + a.mrr };
    }
    const update = per.get('update');
    return {
      embedder: core.memory.status().embedder,
      memories: core.memory.status().total,
      import: { imported: imported.imported, deduped: imported.deduped },
      questions: QUESTIONS.length,
      overall: { recallAt5: round(all.r5 / all.n), recallAt10: round(all.r10 / all.n), mrr: round(all.mrr / all.n) },
      knowledgeUpdateOrder: update ? round(update.order / update.orderN) : null,
      byKind,
      answerableMedianTopVectorSimilarity: round(median(answerableTop)),
      medianSearchMs: round(median(times)),
      misses,
    };
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--ollama');
  const result = await runMemoryEval({ ollamaModel: at > 0 ? process.argv[at + 1] : undefined });
  console.log(JSON.stringify(result, null, 2));
}
