/**
 * The memory eval: every set (the original one in facts.ts/questions.ts and each JSON set in sets/),
 * each imported into a fresh data folder and asked its questions through `memory.search`. Prints
 * one JSON object: figures per set, per split (tune and held-out, every question of the split's
 * sets counted once) and side by side. Misses are listed for tune sets only, each with where the
 * wanted memory ranks in the results, the full-text list and the meaning list ("dad: #47, full text
 * #61, meaning #10"; "none" where a list does not have it): nobody tunes on a held-out set, so its
 * questions are never printed.
 *   npm run eval:memory [-- --split tune|heldout] [--set NAME[,NAME…]] [--except NAME[,NAME…]] [--report] [--ollama MODEL | --openai MODEL | --use]
 * The newest held-out sets (RESERVED) are kept for the report of the work they measure: they run only
 * with `--report` or when named with `--set`, so keep-or-drop runs of the held-out split never see them.
 * `--openai` embeds through `OPENAI_BASE_URL` (an OpenAI-compatible server) with `OPENAI_API_KEY`;
 * `--use` does the same through a loopback server of the Universal Sentence Encoder (use-server.ts),
 * a real sentence embedder that needs no network.
 */
import { distractors } from './distractors.js';
import { FACTS } from './facts.js';
import { QUESTIONS } from './questions.js';
import { ANSWERABLE, scoreSet, type SetCounts } from './score.js';
import { loadSets, type EvalSet } from './sets/validate.js';
import { USE_MODEL, startUseServer } from './use-server.js';

/** The first eval: one person's facts among templated filler, no duplicates. Tuned on since it was written. */
export function originalSet(): EvalSet {
  const facts = [...FACTS, ...distractors(260)];
  const seen = new Set<string>();
  return {
    name: 'original',
    split: 'tune',
    description: 'The first eval: a product engineer in Lisbon, with templated filler memories.',
    memories: facts.filter(([, , , text]) => !seen.has(text.toLowerCase()) && seen.add(text.toLowerCase())).map(([key, area, daysAgo, text]) => ({ key, area, daysAgo, text })),
    questions: QUESTIONS,
    duplicates: [],
  };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const rate = (a: number, b: number) => (b ? round(a / b) : null);

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Counts of several sets added up. */
function add(a: SetCounts, b: SetCounts): SetCounts {
  const byKind: Record<string, { n: number; r5: number; r10: number; rr: number }> = structuredClone(a.byKind);
  for (const [k, v] of Object.entries(b.byKind)) {
    const t = (byKind[k] ??= { n: 0, r5: 0, r10: 0, rr: 0 });
    t.n += v.n;
    t.r5 += v.r5;
    t.r10 += v.r10;
    t.rr += v.rr;
  }
  const sum = <T extends Record<string, number>>(x: T, y: T) => Object.fromEntries(Object.keys(x).map((k) => [k, x[k] + y[k]])) as T;
  return {
    memories: a.memories + b.memories,
    questions: a.questions + b.questions,
    byKind,
    update: sum(a.update, b.update),
    multi: sum(a.multi, b.multi),
    unanswerable: sum(a.unanswerable, b.unanswerable),
    answerableDoubted: a.answerableDoubted + b.answerableDoubted,
    duplicates: sum(a.duplicates, b.duplicates),
    mergedAtImport: a.mergedAtImport + b.mergedAtImport,
    updatesMerged: a.updatesMerged + b.updatesMerged,
    searchMs: [...a.searchMs, ...b.searchMs],
    misses: [...a.misses, ...b.misses],
  };
}

/** Rates from counts: the figures the acceptance names. */
export function figures(c: SetCounts): Record<string, unknown> {
  const all = ANSWERABLE.map((k) => c.byKind[k]).filter(Boolean).reduce((t, v) => ({ n: t.n + v.n, r5: t.r5 + v.r5, r10: t.r10 + v.r10, rr: t.rr + v.rr }), { n: 0, r5: 0, r10: 0, rr: 0 });
  const byKind = Object.fromEntries(ANSWERABLE.filter((k) => c.byKind[k]).map((k) => [k, { questions: c.byKind[k].n, recallAt5: rate(c.byKind[k].r5, c.byKind[k].n), recallAt10: rate(c.byKind[k].r10, c.byKind[k].n), mrr: rate(c.byKind[k].rr, c.byKind[k].n) }]));
  return {
    memories: c.memories,
    questions: c.questions,
    recallAt5: rate(all.r5, all.n),
    recallAt10: rate(all.r10, all.n),
    mrr: rate(all.rr, all.n),
    byKind,
    updateOrder: rate(c.update.newerFirst, c.update.n),
    updateNewerFirstWhenBothFound: `${c.update.bothFoundNewerFirst}/${c.update.bothFound}`,
    multiAllInTop10: rate(c.multi.allInTop10, c.multi.n),
    unanswerableAbstained: rate(c.unanswerable.abstained, c.unanswerable.n),
    unanswerableEmpty: rate(c.unanswerable.empty, c.unanswerable.n),
    answerableWithExpectedOnlyDoubted: rate(c.answerableDoubted, all.n),
    exactDuplicatesRejected: rate(c.duplicates.exactRejected, c.duplicates.exact),
    rewordedDuplicatesMerged: rate(c.duplicates.rewordedMerged, c.duplicates.reworded),
    rewordedMergedIntoAnother: c.duplicates.mergedIntoAnother,
    memoriesMergedAtImport: c.mergedAtImport,
    knowledgeUpdatesMerged: c.updatesMerged,
    medianSearchMs: round(median(c.searchMs)),
  };
}

/** Held-out sets that run only with `--report` or `--set`. */
export const RESERVED = new Set(['njeri-logistics-nairobi', 'marisol-paramedic-phoenix', 'tomek-warehouse-dublin']);

const SIDE_BY_SIDE = ['recallAt10', 'recallAt5', 'mrr', 'updateOrder', 'multiAllInTop10', 'unanswerableAbstained', 'exactDuplicatesRejected', 'rewordedDuplicatesMerged', 'knowledgeUpdatesMerged'];

/**
 * The sets a run scores: those of `split` (every split when none), then those named in `set`, else all
 * but the RESERVED ones unless `report`, less those named in `except` (names comma-separated).
 */
export function chooseSets<S extends { name: string; split: string }>(sets: readonly S[], options: { split?: string; set?: string; except?: string; report?: boolean }): S[] {
  const names = (list?: string) => (list ? new Set(list.split(',').map((n) => n.trim())) : null);
  const only = names(options.set);
  const except = names(options.except);
  return sets.filter((s) => (!options.split || s.split === options.split) && (only ? only.has(s.name) : options.report || !RESERVED.has(s.name)) && !except?.has(s.name));
}

export async function runMemoryEval(options: { ollamaModel?: string; openaiModel?: string; env?: NodeJS.ProcessEnv; split?: string; set?: string; except?: string; report?: boolean } = {}): Promise<Record<string, unknown>> {
  const sets = chooseSets([originalSet(), ...loadSets()], options);
  const perSet: Record<string, unknown> = {};
  const bySplit = new Map<string, { names: string[]; counts: SetCounts }>();
  let embedder = '';
  for (const set of sets) {
    const { embedder: used, ...counts } = await scoreSet(set, { ollamaModel: options.ollamaModel, openaiModel: options.openaiModel, env: options.env, keepMisses: set.split === 'tune' });
    embedder = used;
    perSet[set.name] = { split: set.split, ...figures(counts), ...(set.split === 'tune' ? { misses: counts.misses } : {}) };
    const split = bySplit.get(set.split);
    bySplit.set(set.split, split ? { names: [...split.names, set.name], counts: add(split.counts, counts) } : { names: [set.name], counts });
  }
  const splits = Object.fromEntries([...bySplit].map(([name, s]) => [name, { sets: s.names, ...figures(s.counts) }]));
  const sideBySide = Object.fromEntries(
    SIDE_BY_SIDE.map((m) => [m, Object.fromEntries([...bySplit.keys()].map((split) => [split, (splits[split] as Record<string, unknown>)[m]]))]),
  );
  const paraphrase = Object.fromEntries([...bySplit.keys()].map((split) => [split, (splits[split] as unknown as { byKind: Record<string, unknown> }).byKind.paraphrase ?? null]));
  return { embedder, sideBySide: { ...sideBySide, paraphrase }, splits, sets: perSet };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const use = process.argv.includes('--use') ? await startUseServer() : null;
  try {
    const options = use ? { openaiModel: USE_MODEL, env: { OPENAI_BASE_URL: use.baseUrl, OPENAI_API_KEY: 'sk-local-use-server' } } : { ollamaModel: flag('ollama'), openaiModel: flag('openai') };
    const result = await runMemoryEval({ ...options, split: flag('split'), set: flag('set'), except: flag('except'), report: process.argv.includes('--report') });
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await use?.close();
  }
}
