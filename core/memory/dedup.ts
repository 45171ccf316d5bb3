import { contentWords, stem } from './text.js';

/** Cosine at or above which a new memory is the same as an existing one and is merged into it. */
export const NEAR_DUPLICATE = 0.9;
/** Cosine below which two memories are about different things and never conflict. */
export const RELATED = 0.45;

// Words people use when a fact changes.
const UPDATE_CUES = new Set(['now', 'moved', 'changed', 'switched', 'longer', 'anymore', 'instead', 'new', 'since', 'updated', 'became', 'became', 'replaced', 'started', 'stopped', 'quit', 'currently', 'nowadays']);

export type Relation = 'near_duplicate' | 'conflict' | 'unrelated';

/**
 * How a new memory relates to an existing one of the same area. A conflict is the same subject with
 * a different value: most topic words shared, and either a change cue ("now", "moved", "no longer")
 * or only numbers differ. Conflicts are flagged for the user; the newer one ranks first meanwhile.
 */
export function relate(newText: string, oldText: string, cosine: number): Relation {
  if (cosine >= NEAR_DUPLICATE) return 'near_duplicate';
  if (cosine < RELATED) return 'unrelated';
  const a = new Set(contentWords(newText).map(stem));
  const b = new Set(contentWords(oldText).map(stem));
  if (a.size < 2 || b.size < 2) return 'unrelated';
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  if (shared / Math.min(a.size, b.size) < 0.5) return 'unrelated';
  const onlyA = [...a].filter((w) => !b.has(w));
  const onlyB = [...b].filter((w) => !a.has(w));
  if (!onlyA.length && !onlyB.length) return 'near_duplicate';
  const cue = contentWordsWithCues(newText).some((w) => UPDATE_CUES.has(w)) || contentWordsWithCues(oldText).some((w) => UPDATE_CUES.has(w));
  const numeric = onlyA.length > 0 && onlyB.length > 0 && [...onlyA, ...onlyB].every((w) => /\d/.test(w));
  return cue || numeric ? 'conflict' : 'unrelated';
}

function contentWordsWithCues(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u);
}
