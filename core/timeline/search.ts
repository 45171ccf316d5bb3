import type { TimelineItem, TimelineSearchHit } from '../contract/index.js';

/** The words of a search as FTS5 tokenizes them: letters and digits, lower case, at most 16. */
export function searchWords(query: string): string[] {
  return (query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []).slice(0, 16);
}

/** How much text a hit shows around its first match. */
const SNIPPET_BEFORE = 60;
const SNIPPET_LENGTH = 220;

/**
 * A search result: the item's place (id, seq, time, kind) and a short snippet of its text around the
 * first matching word, with the matching words marked as [start, end) ranges of the snippet.
 */
export function searchHit(item: TimelineItem, text: string, words: readonly string[]): TimelineSearchHit {
  const lower = text.toLowerCase();
  let first = -1;
  for (const word of words) {
    const at = findWord(lower, word);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  const start = first <= SNIPPET_BEFORE ? 0 : text.lastIndexOf(' ', first - SNIPPET_BEFORE) + 1 || first - SNIPPET_BEFORE;
  const end = Math.min(text.length, start + SNIPPET_LENGTH);
  const body = text.slice(start, end).replace(/\s+/g, ' ');
  const snippet = `${start > 0 ? '…' : ''}${body}${end < text.length ? '…' : ''}`;
  const highlights: [number, number][] = [];
  const snippetLower = snippet.toLowerCase();
  for (const word of words) {
    for (let at = findWord(snippetLower, word); at >= 0; at = findWord(snippetLower, word, at + word.length)) {
      let stop = at + word.length;
      while (stop < snippet.length && /[\p{L}\p{N}_]/u.test(snippet[stop])) stop++;
      highlights.push([at, stop]);
    }
  }
  highlights.sort((a, b) => a[0] - b[0]);
  return {
    id: item.id,
    seq: item.seq,
    ts: item.ts,
    kind: item.kind,
    role: item.kind === 'message' ? item.role : null,
    runId: item.runId,
    snippet,
    highlights: merge(highlights),
  };
}

/** Where `word` starts a word of `text` (case already folded), from `from`; -1 when it does not. */
function findWord(text: string, word: string, from = 0): number {
  for (let at = text.indexOf(word, from); at >= 0; at = text.indexOf(word, at + 1)) {
    if (at === 0 || !/[\p{L}\p{N}_]/u.test(text[at - 1])) return at;
  }
  return -1;
}

function merge(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const range of ranges) {
    const last = out[out.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else out.push([...range]);
  }
  return out;
}
