import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../../core/db/index.js';
import { VectorIndex, bruteForceTopK, createOfflineEmbedder } from '../../../core/memory/index.js';

describe('memory indexes for large stores', () => {
  it('the binary index with exact re-ranking finds what a brute-force scan finds', async () => {
    const { db } = openDatabase({ file: ':memory:' });
    try {
      const index = new VectorIndex(db, { exactScanLimit: 0 });
      const embed = createOfflineEmbedder({ wordnet: false });
      const texts = Array.from({ length: 600 }, (_, i) => `note ${i}: ${['invoice', 'garden', 'train', 'dentist', 'laptop', 'recipe'][i % 6]} ${['red', 'blue', 'green', 'amber', 'grey'][i % 5]} item ${i % 37} for ${['Ana', 'Bo', 'Cy', 'Di'][i % 4]}`);
      const vectors = embed.embedSync!(texts, 'document');
      const gen = index.createActive(embed.name, await embed.dims());
      db.transaction(() => vectors.forEach((v, i) => index.put(gen, i + 1, 'main', v)))();
      db.prepare('INSERT INTO memories (id, area, text, norm, pinned, created_at, updated_at, source_kind, embedder) SELECT ?, ?, ?, ?, 0, 0, 0, ?, ?').run('m', 'main', 'x', 'x', 'user', 'e');
      // The count of memories picks the path; both indexes read the same generation.
      const exact = new VectorIndex(db, { exactScanLimit: Infinity });
      let found = 0;
      const queries = embed.embedSync!(['garden blue item 3', 'dentist for Bo', 'laptop amber', 'train red item 12 for Cy', 'recipe grey'], 'query');
      for (const q of queries) {
        const truth = new Set(bruteForceTopK(vectors, q, 10).map((i) => i + 1));
        const got = index.knn(q, 10).map((n) => n.rowid);
        assert.deepEqual(exact.knn(q, 10).map((n) => n.rowid).sort(), [...truth].sort(), 'the exact vec0 scan is exact');
        found += got.filter((r) => truth.has(r)).length;
      }
      assert.ok(found / 50 >= 0.8, `binary index + re-rank found ${found} of 50 true neighbours`);
      const [v] = vectors;
      const back = index.vector(gen, 1)!;
      assert.ok(v.reduce((s, x, i) => s + x * back[i], 0) > 0.99, 'the int8 copy keeps the direction');
      const nearest = index.knn(queries[0], 1)[0].rowid;
      db.transaction(() => index.remove(nearest))();
      assert.ok(!index.knn(queries[0], 10).some((n) => n.rowid === nearest), 'a removed vector is gone from the binary path');
      assert.ok(!new VectorIndex(db, { exactScanLimit: Infinity }).knn(queries[0], 10).some((n) => n.rowid === nearest), 'and from the exact path');
      assert.equal(index.vector(gen, nearest), null);
    } finally {
      db.close();
    }
  });

  it('an embedder whose dimensions are not whole bytes (e.g. 12) stores, finds and removes vectors without a binary index', () => {
    const { db } = openDatabase({ file: ':memory:' });
    try {
      // A store above the exact-scan limit still answers: without a binary copy it scans exactly.
      const index = new VectorIndex(db, { exactScanLimit: 0 });
      const gen = index.createActive('model-with-12-dims', 12);
      const unit = (i: number) => {
        const v = new Float32Array(12);
        v[i % 12] = 1;
        v[(i + 1) % 12] = 0.5;
        return v;
      };
      db.transaction(() => {
        for (let i = 0; i < 24; i++) index.put(gen, i + 1, 'main', unit(i));
      })();
      db.prepare('INSERT INTO memories (id, area, text, norm, pinned, created_at, updated_at, source_kind, embedder) SELECT ?, ?, ?, ?, 0, 0, 0, ?, ?').run('m', 'main', 'x', 'x', 'user', 'e');
      assert.equal((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'memory_vecbits_%'").get() as { n: number }).n, 0, 'no binary index for 12 dimensions');
      const hits = index.knn(unit(3), 2).map((n) => n.rowid);
      assert.deepEqual(hits.sort((a, b) => a - b), [4, 16], 'both vectors equal to the query come first');
      db.transaction(() => index.remove(4))();
      assert.ok(!index.knn(unit(3), 5).some((n) => n.rowid === 4), 'a removed vector is gone');
      assert.ok(index.knn(unit(3), 1)[0].rowid === 16);
    } finally {
      db.close();
    }
  });
});
