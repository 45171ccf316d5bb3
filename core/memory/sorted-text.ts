/**
 * Binary search over a sorted list of UTF-8 strings laid end to end: `text` holds them in byte
 * order and `at` (one longer than the list) where each starts. The WordNet index and the word-vector
 * file both keep their vocabularies this way, so a lookup decodes nothing.
 */
export function findSorted(text: Uint8Array, at: Int32Array, key: Uint8Array): number {
  let lo = 0;
  let hi = at.length - 2;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = compare(text, at[mid], at[mid + 1], key);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function compare(text: Uint8Array, start: number, end: number, key: Uint8Array): number {
  const n = Math.min(end - start, key.length);
  for (let i = 0; i < n; i++) {
    const d = text[start + i] - key[i];
    if (d) return d;
  }
  return end - start - key.length;
}
