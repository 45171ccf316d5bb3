/**
 * Scores one eval set: imports its memories (oldest first) into a fresh data folder, asks every
 * question through `memory.search`, then imports each duplicate on its own and checks what became of
 * it. Returns raw counts, so sets of one split can be added up before turning them into rates.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../../../core/app.js';
import type { MemoryHit } from '../../../core/contract/index.js';
import { DEFAULT_PROFILE } from '../../../core/memory/index.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { silentLogger } from '../../../core/util/logger.js';
import type { EvalSet, Kind } from './sets/validate.js';

const DAY = 86_400_000;
export const ANSWERABLE: Kind[] = ['lexical', 'paraphrase', 'update', 'multi', 'solution'];

export interface KindCounts {
  n: number;
  r5: number;
  r10: number;
  rr: number;
}
export interface SetCounts {
  memories: number;
  questions: number;
  byKind: Record<string, KindCounts>;
  /** Update questions whose newer memory is found and ranks above every older one. */
  update: { n: number; newerFirst: number; bothFound: number; bothFoundNewerFirst: number };
  /** Multi-evidence questions with every needed memory in the top 10. */
  multi: { n: number; allInTop10: number };
  /** Unanswerable questions answered with nothing, or only with hits marked not confident. */
  unanswerable: { n: number; abstained: number; empty: number };
  /** Answerable questions whose every expected memory in the top 10 is marked not confident. */
  answerableDoubted: number;
  duplicates: { exact: number; exactRejected: number; reworded: number; rewordedMerged: number; mergedIntoAnother: number };
  /** Memories of the set that an import folded into another one (a knowledge update must never be). */
  mergedAtImport: number;
  updatesMerged: number;
  searchMs: number[];
  /** Only for tune sets: what went wrong, to look at while tuning. */
  misses: string[];
}

/**
 * `ollamaModel` embeds with Ollama (`OLLAMA_HOST`); `openaiModel` with an OpenAI-compatible
 * `/v1/embeddings` (`OPENAI_BASE_URL`, `OPENAI_API_KEY`). `env` replaces the process environment.
 */
export async function scoreSet(set: EvalSet, options: { ollamaModel?: string; openaiModel?: string; env?: NodeJS.ProcessEnv; keepMisses: boolean }): Promise<SetCounts & { embedder: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-blob-eval-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const env = options.env ?? process.env;
  const core = createCore({
    dataDir: dir,
    clock,
    logger: silentLogger,
    secrets: createMemorySecretStore(),
    env: { OLLAMA_HOST: env.OLLAMA_HOST ?? 'http://127.0.0.1:11434', OPENAI_BASE_URL: env.OPENAI_BASE_URL, OPENAI_API_KEY: env.OPENAI_API_KEY },
  });
  const call = core.gateway.call.bind(core.gateway);
  try {
    const embedder = options.openaiModel ? ({ kind: 'openai', provider: 'openai', model: options.openaiModel } as const) : options.ollamaModel ? ({ kind: 'ollama', model: options.ollamaModel } as const) : null;
    if (embedder) {
      await call('memory.configure', { embedder });
      await core.memory.whenReembedded();
    }
    const oldestFirst = [...set.memories].sort((a, b) => b.daysAgo - a.daysAgo);
    const at = (daysAgo: number) => clock.now() - daysAgo * DAY;
    await call('memory.import', { jsonl: oldestFirst.map((m) => JSON.stringify({ text: m.text, area: m.area, created_at: at(m.daysAgo) })).join('\n') });
    const keyOf = new Map<string, string>();
    const byText = new Map(set.memories.map((m) => [m.text, m.key]));
    for (const m of (await call('memory.list', { limit: 10_000 })).memories) keyOf.set(m.id, byText.get(m.text) ?? '?');
    const stored = new Set(keyOf.values());
    const mergedAway = set.memories.filter((m) => !stored.has(m.key)).map((m) => m.key);
    const updatePairs = set.questions.filter((q) => q.kind === 'update').map((q) => [q.expect[0], ...(q.older ?? [])]);
    const counts: SetCounts = {
      memories: set.memories.length,
      questions: set.questions.length,
      byKind: {},
      update: { n: 0, newerFirst: 0, bothFound: 0, bothFoundNewerFirst: 0 },
      multi: { n: 0, allInTop10: 0 },
      unanswerable: { n: 0, abstained: 0, empty: 0 },
      answerableDoubted: 0,
      duplicates: { exact: 0, exactRejected: 0, reworded: 0, rewordedMerged: 0, mergedIntoAnother: 0 },
      mergedAtImport: mergedAway.length,
      updatesMerged: new Set(updatePairs.filter((pair) => pair.some((k) => mergedAway.includes(k))).map((p) => p.join())).size,
      searchMs: [],
      misses: [],
    };
    const miss = (text: string) => options.keepMisses && counts.misses.push(text);
    for (const q of set.questions) {
      const started = performance.now();
      const { hits } = await call('memory.search', { query: q.q, limit: 10 });
      counts.searchMs.push(performance.now() - started);
      const keys = hits.map((h) => keyOf.get(h.memory.id) ?? '?');
      if (q.kind === 'unanswerable') {
        counts.unanswerable.n++;
        if (!hits.length) counts.unanswerable.empty++;
        if (hits.every((h) => !confident(h))) counts.unanswerable.abstained++;
        else miss(`unanswerable: ${q.q} -> ${keys.slice(0, 2).join(', ')} (confident)`);
        continue;
      }
      const k = (counts.byKind[q.kind] ??= { n: 0, r5: 0, r10: 0, rr: 0 });
      k.n++;
      const found = (top: number) => q.expect.filter((e) => keys.slice(0, top).includes(e)).length / q.expect.length;
      k.r5 += found(5);
      k.r10 += found(10);
      const first = keys.findIndex((key) => q.expect.includes(key));
      k.rr += first >= 0 ? 1 / (first + 1) : 0;
      const expectedHits = hits.filter((h, i) => i < 10 && q.expect.includes(keys[i]));
      if (expectedHits.length && expectedHits.every((h) => !confident(h))) counts.answerableDoubted++;
      if (found(10) < 1 && options.keepMisses) miss(`${q.kind}: ${q.q} -> ${keys.slice(0, 3).join(', ')} (want ${q.expect.join(', ')}${await whereMissing(core, q.q, q.expect.filter((e) => !keys.slice(0, 10).includes(e)), keyOf)})`);
      if (q.kind === 'multi') {
        counts.multi.n++;
        if (found(10) === 1) counts.multi.allInTop10++;
      }
      if (q.older?.length) {
        counts.update.n++;
        const newRank = keys.indexOf(q.expect[0]);
        const oldRank = Math.min(...q.older.map((o) => (keys.includes(o) ? keys.indexOf(o) : Infinity)));
        if (newRank >= 0 && newRank < oldRank) counts.update.newerFirst++;
        else if (newRank >= 0) miss(`update order: ${q.q} -> older ${keys[oldRank]} above ${q.expect[0]}`);
        if (newRank >= 0 && oldRank !== Infinity) {
          counts.update.bothFound++;
          if (newRank < oldRank) counts.update.bothFoundNewerFirst++;
        }
      }
    }
    const lastMerge = core.db.prepare("SELECT data FROM events WHERE type = 'memory.merged' ORDER BY seq DESC LIMIT 1");
    const idOf = new Map([...keyOf].map(([id, key]) => [key, id]));
    for (const d of set.duplicates) {
      const before = (lastMerge.get() as { data: string } | undefined)?.data ?? null;
      const r = await call('memory.import', { jsonl: JSON.stringify({ text: d.text, area: set.memories.find((m) => m.key === d.of)!.area, created_at: clock.now() }) });
      const merge = (lastMerge.get() as { data: string } | undefined)?.data ?? null;
      const into = merge !== before && merge ? (JSON.parse(merge) as { memoryId: string }).memoryId : null;
      if (d.kind === 'exact') {
        counts.duplicates.exact++;
        if (r.imported === 0 && r.merged === 0 && r.deduped === 1) counts.duplicates.exactRejected++;
        else miss(`exact duplicate kept: ${d.text}`);
      } else {
        counts.duplicates.reworded++;
        if (r.merged === 1 && into === idOf.get(d.of)) counts.duplicates.rewordedMerged++;
        else if (r.merged === 1) {
          counts.duplicates.mergedIntoAnother++;
          miss(`reworded duplicate merged into ${keyOf.get(into ?? '')}, not ${d.of}: ${d.text}`);
        } else miss(`reworded duplicate not merged into ${d.of}: ${d.text}`);
      }
    }
    return { ...counts, embedder: core.memory.status().embedder };
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Where the expected memories a search missed are: their rank in a longer list of results, and in the
 * full-text and meaning lists taken as deep as the store goes (so a memory far down is told from one
 * no word of the question reaches), e.g. "; dad: #47, full text #61, meaning #10".
 */
async function whereMissing(core: Core, query: string, missing: string[], keyOf: Map<string, string>): Promise<string> {
  const longer = (await core.gateway.call('memory.search', { query, limit: 200 })).hits.map((h) => keyOf.get(h.memory.id));
  const deep = (await core.memory.search(query, { limit: 100_000, profile: { ...DEFAULT_PROFILE, candidates: 100_000 } })).hits;
  const rank = (n: number | null | undefined) => (n ? `#${n}` : 'none');
  return missing
    .map((key) => {
      const hit = deep.find((h) => keyOf.get(h.memory.id) === key);
      return `; ${key}: ${rank(longer.indexOf(key) + 1)}, full text ${rank(hit?.explain.bm25Rank)}, meaning ${rank(hit?.explain.vectorRank)}`;
    })
    .join('');
}

/** A hit the search stands behind; hits marked `confident: false` are shown apart and never prompted. */
function confident(hit: MemoryHit): boolean {
  return (hit as MemoryHit & { confident?: boolean }).confident !== false;
}
