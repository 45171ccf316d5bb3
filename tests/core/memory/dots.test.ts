import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnDots, matrixCopies, pairSums, rowDots } from '../../../core/memory/dots.js';

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** The loop the WebAssembly replaces: each float widened to a double, summed in order. */
function plainDots(matrix: Float32Array, rows: number, dims: number, q: Float32Array): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0, at = 0; r < rows; r++, at += dims) {
    let sum = 0;
    for (let i = 0; i < dims; i++) sum += matrix[at + i] * q[i];
    out[r] = sum;
  }
  return out;
}

describe('row dot products', () => {
  it('are the plain loop\'s bit for bit, on small and huge values, signed zeros and a matrix used again', () => {
    const next = random(7);
    let checked = 0;
    for (let t = 0; t < 40; t++) {
      const rows = 1 + Math.floor(next() * 700);
      const dims = 1 + Math.floor(next() * 130);
      const scale = t % 5 === 0 ? 1e30 : t % 5 === 1 ? 1e-30 : 1;
      const matrix = Float32Array.from({ length: rows * dims }, () => (next() - 0.5) * scale);
      const q = Float32Array.from({ length: dims }, () => next() - 0.5);
      if (t % 7 === 0) {
        matrix[0] = -0;
        q[0] = 0;
      }
      for (const query of [q, q.map((x) => -x)]) {
        const got = rowDots(matrix, rows, dims, query);
        const want = plainDots(matrix, rows, dims, query);
        for (let r = 0; r < rows; r++) assert.ok(Object.is(got[r], want[r]), `row ${r} of ${rows} × ${dims}: ${got[r]} ≠ ${want[r]}`);
        checked += rows;
      }
    }
    assert.ok(checked > 10_000);
  });

  it('by dimension, are the plain loop\'s bit for bit, and follow vectors changed in place when told', () => {
    const next = random(11);
    for (let t = 0; t < 30; t++) {
      const count = 1 + Math.floor(next() * 500);
      const capacity = count + Math.floor(next() * 64);
      const dims = 1 + Math.floor(next() * 400);
      const data = Float32Array.from({ length: capacity * dims }, () => (next() - 0.5) * (t % 4 === 0 ? 1e20 : 1));
      const idx = Int32Array.from({ length: Math.floor(next() * dims) + 1 }, () => Math.floor(next() * dims));
      const q = Float32Array.from(idx, () => next() - 0.5);
      const plain = (vectors: Float32Array) => {
        const out = new Float64Array(count);
        for (let j = 0; j < idx.length; j++) for (let slot = 0; slot < count; slot++) out[slot] += vectors[idx[j] * capacity + slot] * q[j];
        return out;
      };
      const same = (got: Float64Array, want: Float64Array) => {
        for (let slot = 0; slot < count; slot++) assert.ok(Object.is(got[slot], want[slot]), `slot ${slot}: ${got[slot]} ≠ ${want[slot]}`);
      };
      same(columnDots(data, 0, capacity, count, idx, q, new Float64Array(capacity).fill(7)), plain(data));
      // The same array written in place: a new count of changes copies it again.
      data[idx[0] * capacity] = 3;
      same(columnDots(data, 1, capacity, count, idx, q, new Float64Array(count)), plain(data));
    }
  });

  it('of two vectors with their squares are the plain loop\'s bit for bit, beside a matrix kept for the others', () => {
    const next = random(13);
    const matrix = Float32Array.from({ length: 300 * 100 }, () => next() - 0.5);
    const q = Float32Array.from({ length: 100 }, () => next() - 0.5);
    const before = rowDots(matrix, 300, 100, q).slice();
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(next() * 400);
      const a = Float32Array.from({ length: n + (t % 3) }, () => (next() - 0.5) * (t % 5 === 0 ? 1e25 : 1));
      const b = Float32Array.from({ length: n }, () => next() - 0.5);
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let i = 0; i < n; i++) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
      }
      const got = pairSums(a, b, n);
      assert.ok(Object.is(got[0], ab) && Object.is(got[1], aa) && Object.is(got[2], bb), `${[...got]} ≠ ${[ab, aa, bb]}`);
    }
    assert.deepEqual(rowDots(matrix, 300, 100, q), before, 'the kept matrix is untouched');
  });

  it('answers for a matrix that grew into a new array, and for an empty one', () => {
    const matrix = Float32Array.of(1, 2, 3, 4);
    assert.deepEqual([...rowDots(matrix, 2, 2, Float32Array.of(1, 1))], [3, 7]);
    const grown = Float32Array.of(1, 2, 3, 4, 5, 6);
    assert.deepEqual([...rowDots(grown, 3, 2, Float32Array.of(1, 0))], [1, 3, 5]);
    assert.deepEqual([...rowDots(new Float32Array(0), 0, 2, Float32Array.of(1, 0))], []);
  });
});

describe('matrices kept in the WebAssembly memory', () => {
  it('a matrix of rows and vectors by dimension are both kept while unchanged, neither copied again because the other was used', () => {
    const next = random(17);
    const matrix = Float32Array.from({ length: 500 * 100 }, () => next() - 0.5);
    const q = Float32Array.from({ length: 100 }, () => next() - 0.5);
    const capacity = 600;
    const data = Float32Array.from({ length: capacity * 360 }, () => next() - 0.5);
    const idx = Int32Array.of(3, 40, 41, 200, 359);
    const qc = Float32Array.from(idx, () => next() - 0.5);
    const plainColumns = () => {
      const out = new Float64Array(550);
      for (let j = 0; j < idx.length; j++) for (let slot = 0; slot < 550; slot++) out[slot] += data[idx[j] * capacity + slot] * qc[j];
      return out;
    };
    const before = matrixCopies();
    for (let search = 0; search < 3; search++) {
      assert.deepEqual(rowDots(matrix, 500, 100, q), plainDots(matrix, 500, 100, q));
      assert.deepEqual(columnDots(data, 1, capacity, 550, idx, qc, new Float64Array(550)), plainColumns());
      pairSums(matrix, q, 100);
    }
    assert.equal(matrixCopies() - before, 2, 'each copied once over three searches');
  });

  it('give the plain loop\'s sums bit for bit at sizes around and above the largest kept, each kind used in turn with the others', () => {
    const next = random(19);
    // 16 MB of rows is 41,943 rows of 100 floats; 4 MB by dimension is 2,912 slots of 360.
    const rowSizes = [41_942, 41_943, 41_944, 60_000];
    const slotSizes = [2_911, 2_912, 2_913, 6_000];
    for (let t = 0; t < 4; t++) {
      const rows = rowSizes[t];
      const matrix = Float32Array.from({ length: rows * 100 }, () => next() - 0.5);
      const q = Float32Array.from({ length: 100 }, () => next() - 0.5);
      const capacity = slotSizes[t];
      const data = Float32Array.from({ length: capacity * 360 }, () => next() - 0.5);
      const idx = Int32Array.from({ length: 40 }, () => Math.floor(next() * 360));
      const qc = Float32Array.from(idx, () => next() - 0.5);
      const wantColumns = new Float64Array(capacity);
      for (let j = 0; j < idx.length; j++) for (let slot = 0; slot < capacity; slot++) wantColumns[slot] += data[idx[j] * capacity + slot] * qc[j];
      const wantRows = plainDots(matrix, rows, 100, q);
      for (let round = 0; round < 2; round++) {
        const gotColumns = columnDots(data, 0, capacity, capacity, idx, qc, new Float64Array(capacity));
        const a = data.subarray(0, 5000);
        const b = data.subarray(5000, 10_000);
        let ab = 0;
        for (let i = 0; i < 5000; i++) ab += a[i] * b[i];
        assert.ok(Object.is(pairSums(a, b, 5000)[0], ab), `pair after ${capacity} slots`);
        const gotRows = rowDots(matrix, rows, 100, q);
        for (let r = 0; r < rows; r++) assert.ok(Object.is(gotRows[r], wantRows[r]), `row ${r} of ${rows}: ${gotRows[r]} ≠ ${wantRows[r]}`);
        for (let slot = 0; slot < capacity; slot++) assert.ok(Object.is(gotColumns[slot], wantColumns[slot]), `slot ${slot} of ${capacity}`);
      }
    }
  });
});
