import { contentWords, stem } from './text.js';

/** Cosine at or above which a new memory is the same as an existing one and is merged into it. */
export const NEAR_DUPLICATE = 0.9;
/** Cosine below which two memories are about different things and never conflict. */
export const RELATED = 0.45;

// Words people use when a fact changes.
const UPDATE_CUES = new Set(['now', 'moved', 'changed', 'switched', 'longer', 'anymore', 'instead', 'new', 'since', 'updated', 'became', 'replaced', 'started', 'stopped', 'quit', 'currently', 'nowadays']);

export type Relation = 'near_duplicate' | 'conflict' | 'unrelated';

/**
 * How a new memory relates to an existing one of the same area. A conflict is the same subject with
 * a different value: most topic words shared, and either a change cue ("now", "moved", "no longer")
 * or only numbers differ. Conflicts are flagged for the user; the newer one ranks first meanwhile.
 */
export function relate(newText: string, oldText: string, cosine: number): Relation {
  if (cosine < RELATED) return 'unrelated';
  const a = new Set(contentWords(newText).map(stem));
  const b = new Set(contentWords(oldText).map(stem));
  const onlyA = [...a].filter((w) => !b.has(w));
  const onlyB = [...b].filter((w) => !a.has(w));
  // "invoice 7" and "invoice 14" are different records however alike the rest of the text is.
  const numbersDiffer = [...onlyA, ...onlyB].some((w) => /\d/.test(w));
  if (cosine >= NEAR_DUPLICATE && !numbersDiffer) return 'near_duplicate';
  if (a.size < 2 || b.size < 2) return 'unrelated';
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  if (shared / Math.min(a.size, b.size) < 0.5) return 'unrelated';
  if (!onlyA.length && !onlyB.length) return numbersDiffer ? 'unrelated' : 'near_duplicate';
  const cue = cueWords(newText).some((w) => UPDATE_CUES.has(w)) || cueWords(oldText).some((w) => UPDATE_CUES.has(w));
  // One value changed ("rent is 900" → "rent is 950"), not a different record.
  const oneNumberChanged = onlyA.length === 1 && onlyB.length === 1 && /\d/.test(onlyA[0]) && /\d/.test(onlyB[0]);
  return cue || oneNumberChanged ? 'conflict' : 'unrelated';
}

function cueWords(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u);
}
