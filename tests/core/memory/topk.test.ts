import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { MemoryArea } from '../../../core/contract/index.js';
import { openDatabase } from '../../../core/db/index.js';
import { LexicalIndex, VectorIndex } from '../../../core/memory/index.js';
import { B, K1, type QueryGroup } from '../../../core/memory/lexical.js';
import { stem } from '../../../core/memory/text.js';

const AREAS: MemoryArea[] = ['main', 'fragments', 'solutions', 'instruments'];
const VOCAB = 'dentist invoice garden train laptop recipe passport cat boiler tyre kyoto heron basil monitor roof ticket battery folder desk plan'.split(' ');

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Texts with a skewed vocabulary, so some words are in most memories and some in few. */
function texts(n: number, seed: number): string[] {
  const rand = random(seed);
  return Array.from({ length: n }, () => Array.from({ length: 3 + Math.floor(rand() * 9) }, () => VOCAB[Math.floor(VOCAB.length * rand() ** 2)]).join(' '));
}

/** BM25 as the index defines it, every posting scored: the reference the early exit must match. */
function reference(docs: Map<number, { text: string; area: MemoryArea }>, groups: QueryGroup[], limit: number, area?: MemoryArea) {
  const tf = new Map([...docs].map(([rowid, d]) => [rowid, d.text.split(' ').map(stem)]));
  const avg = [...tf.values()].reduce((t, ws) => t + ws.length, 0) / tf.size;
  const dfs = new Map<string, number>();
  for (const ws of tf.values()) for (const s of new Set(ws)) dfs.set(s, (dfs.get(s) ?? 0) + 1);
  const df = (s: string) => dfs.get(s) ?? 0;
  const idf = (s: string) => Math.log(1 + (tf.size - df(s) + 0.5) / (df(s) + 0.5));
  const out: { rowid: number; score: number; words: string[] }[] = [];
  for (const [rowid, ws] of tf) {
    if (area && docs.get(rowid)!.area !== area) continue;
    let score = 0;
    const words: string[] = [];
    for (const g of groups) {
      const cap = g.terms.get(stem(g.query))?.relation === 'word' ? idf(stem(g.query)) : Infinity;
      let best = 0;
      let word = '';
      for (const [s, t] of g.terms) {
        const n = ws.filter((w) => w === s).length;
        if (!n) continue;
        const v = g.weight * t.weight * Math.min(idf(s), cap) * ((n * (K1 + 1)) / (n + K1 * (1 - B + (B * ws.length) / avg)));
        if (v > best) [best, word] = [v, t.word];
      }
      if (best) [score, words.length] = [score + best, words.push(word)];
    }
    if (score > 0) out.push({ rowid, score, words });
  }
  return out.sort((a, b) => b.score - a.score || b.rowid - a.rowid).slice(0, limit);
}

function group(query: string, related: [string, number][] = []): QueryGroup {
  const terms: QueryGroup['terms'] = new Map([[stem(query), { weight: 1, relation: 'word', word: query }]]);
  for (const [w, weight] of related) terms.set(stem(w), { weight, relation: 'synonym', word: w });
  return { query, weight: 1, terms };
}

describe('search answers its top results without scoring every memory', () => {
  it('the early-exit full-text top k is the same memories, scores and matched words as scoring every posting', () => {
    const index = new LexicalIndex();
    const docs = new Map<number, { text: string; area: MemoryArea }>();
    texts(3000, 7).forEach((text, i) => {
      docs.set(i + 1, { text, area: AREAS[i % 4] });
      index.put(i + 1, text, AREAS[i % 4]);
    });
    // Forgotten and rewritten memories leave freed places that later memories reuse.
    for (let rowid = 3; rowid <= 3000; rowid += 11) {
      index.remove(rowid);
      docs.delete(rowid);
    }
    texts(200, 8).forEach((text, i) => {
      docs.set(5000 + i, { text, area: AREAS[i % 4] });
      index.put(5000 + i, text, AREAS[i % 4]);
    });
    const queries: QueryGroup[][] = [
      [group('dentist'), group('invoice')],
      [group('garden', [['basil', 0.9]]), group('train'), group('laptop'), group('plan')],
      [group('desk'), group('folder', [['invoice', 0.5], ['passport', 0.75]]), group('roof')],
      [group('dentist'), group('invoice'), group('garden'), group('train'), group('laptop'), group('recipe')],
      [group('qwertyuiop')],
    ];
    let compared = 0;
    for (const groups of queries)
      for (const limit of [1, 10, 60])
        for (const area of [undefined, 'solutions' as const]) {
          const want = reference(docs, groups, limit, area);
          const got = index.search(groups, { limit, area });
          assert.deepEqual(got.map((h) => h.rowid), want.map((h) => h.rowid), `${groups.map((g) => g.query).join(' ')} limit ${limit} ${area ?? ''}`);
          got.forEach((h, i) => {
            assert.ok(Math.abs(h.score - want[i].score) < 1e-9);
            assert.deepEqual(h.matches.map((m) => m.word), want[i].words);
          });
          compared += got.length;
        }
    assert.ok(compared > 300, `compared ${compared} results`);
  });

  it('the in-memory vector scan finds what the vec0 index finds and follows writes, removals and other connections', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-blob-vec-'));
    const file = join(dir, 'test.db');
    const { db } = openDatabase({ file });
    try {
      const index = new VectorIndex(db);
      const gen = index.createActive('test', 16);
      const rand = random(3);
      const vector = () => Float32Array.from({ length: 16 }, () => (rand() < 0.5 ? 0 : rand() - 0.3));
      db.transaction(() => {
        for (let rowid = 1; rowid <= 400; rowid++) index.put(gen, rowid, AREAS[rowid % 4], vector());
      })();
      const vec0 = db.prepare(`SELECT rowid, distance FROM memory_vec_${gen.gen} WHERE embedding MATCH ? AND k = ?`);
      const vec0Area = db.prepare(`SELECT rowid, distance FROM memory_vec_${gen.gen} WHERE embedding MATCH ? AND k = ? AND area = ?`);
      for (let i = 0; i < 20; i++) {
        const q = vector();
        const want = vec0.all(q, 10) as { rowid: number; distance: number }[];
        const got = index.knn(q, 10);
        assert.deepEqual(got.map((n) => n.rowid), want.map((n) => n.rowid));
        got.forEach((n, j) => assert.ok(Math.abs(n.distance - want[j].distance) < 1e-5));
        assert.deepEqual(index.knn(q, 5, 'main').map((n) => n.rowid), (vec0Area.all(q, 5, 'main') as { rowid: number }[]).map((n) => n.rowid));
      }
      const q = vector();
      const nearest = index.knn(q, 1)[0].rowid;
      db.transaction(() => index.remove(nearest))();
      assert.ok(!index.knn(q, 10).some((n) => n.rowid === nearest), 'a removed vector is not found');
      db.transaction(() => index.put(gen, 999, 'main', q))();
      assert.equal(index.knn(q, 1)[0].rowid, 999, 'a new vector is found at once');
      assert.ok(index.knn(q, 1)[0].distance < 1e-6);
      // Another process on the same data folder writes through its own connection.
      const other = openDatabase({ file });
      try {
        const theirs = new VectorIndex(other.db);
        other.db.transaction(() => theirs.remove(999))();
      } finally {
        other.db.close();
      }
      assert.notEqual(index.knn(q, 1)[0].rowid, 999, 'a vector another connection removed is not found');
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
