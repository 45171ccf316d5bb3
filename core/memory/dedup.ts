import { contentWords, stem } from './text.js';

/** Cosine at or above which a new memory is the same as an existing one and is merged into it. */
export const NEAR_DUPLICATE = 0.9;
/** Cosine below which two memories are about different things and never conflict. */
export const RELATED = 0.45;

// Words people use when a fact changes.
const UPDATE_CUES = new Set(['now', 'moved', 'changed', 'switched', 'longer', 'anymore', 'instead', 'new', 'since', 'updated', 'became', 'replaced', 'started', 'stopped', 'quit', 'currently', 'nowadays']);

/**
 * A reworded duplicate: at this cosine or more, the same record when the words that say something
 * (weighted by how rare they are in the store) overlap at least `REWORDED_OVERLAP` and no number changed.
 */
export const REWORDED_COSINE = 0.55;
export const REWORDED_OVERLAP = 0.5;

export type Relation = 'near_duplicate' | 'conflict' | 'unrelated';

// Numbers people write out, compared as digits ("two puffs" is "2 puffs"); not "one", which is
// as often a pronoun ("the second one").
const NUMBER_WORDS = new Map(['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'].map((w, i) => [w, String(i + 2)]));

function topicStems(text: string): Set<string> {
  return new Set(contentWords(text).map((w) => NUMBER_WORDS.get(w) ?? stem(w)));
}

/**
 * How a new memory relates to an existing one of the same area. A conflict is the same subject with
 * a different value: most topic words shared, and either a change cue ("now", "moved", "no longer")
 * or only numbers differ. Conflicts are flagged for the user; the newer one ranks first meanwhile.
 */
export function relate(newText: string, oldText: string, cosine: number, idf?: (stem: string) => number): Relation {
  if (cosine < RELATED) return 'unrelated';
  const a = topicStems(newText);
  const b = topicStems(oldText);
  const onlyA = [...a].filter((w) => !b.has(w));
  const onlyB = [...b].filter((w) => !a.has(w));
  const numbersDiffer = [...onlyA, ...onlyB].some((w) => /\d/.test(w));
  const sameRecord = !otherRecord(newText, oldText, numbersDiffer);
  if (cosine >= NEAR_DUPLICATE && sameRecord) return 'near_duplicate';
  if (idf && cosine >= REWORDED_COSINE && sameRecord && weightedJaccard(a, b, idf) >= REWORDED_OVERLAP) return 'near_duplicate';
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

/**
 * Whether two alike texts are different records: "invoice 7" and "invoice 14" however alike the rest
 * is, and "Ravi recommended The Overstory" / "Ravi recommended Piranesi" (the same sentence with
 * another name, place or day in a slot is another record, or a changed value), however alike the vectors.
 */
export function otherRecord(a: string, b: string, numbersDiffer = numbersDifferIn(a, b)): boolean {
  return numbersDiffer || slotChanged(a, b);
}

function numbersDifferIn(x: string, y: string): boolean {
  const a = topicStems(x);
  const b = topicStems(y);
  return [...a].some((w) => !b.has(w) && /\d/.test(w)) || [...b].some((w) => !a.has(w) && /\d/.test(w));
}

/**
 * The same topic words in the same order but for one or two replaced by others:
 * a word-level edit distance that has words only in the one text and words only in the other.
 */
function slotChanged(a: string, b: string): boolean {
  const x = contentWords(a).map(stem);
  const y = contentWords(b).map(stem);
  const limit = 2;
  if (Math.abs(x.length - y.length) > limit) return false;
  const ys = new Set(y);
  const xs = new Set(x);
  if (!x.some((w) => !ys.has(w)) || !y.some((w) => !xs.has(w))) return false;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length] <= limit;
}

/** Shared words' weight over all the words' weight, each word weighing its IDF. */
function weightedJaccard(a: Set<string>, b: Set<string>, idf: (stem: string) => number): number {
  let shared = 0;
  let all = 0;
  for (const w of a) {
    all += idf(w);
    if (b.has(w)) shared += idf(w);
  }
  for (const w of b) if (!a.has(w)) all += idf(w);
  return all ? shared / all : 0;
}

function cueWords(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u);
}
