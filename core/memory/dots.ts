/**
 * Dot products of float32 vectors computed in WebAssembly with the arithmetic of the plain
 * JavaScript loops they replace (each float widened to a double, multiplied and added in double
 * precision, in the same order), so the results are the same bit for bit: a query vector with each
 * row of a matrix (`rowDots`), and with vectors stored dimension by dimension (`columnDots`). A
 * short-lived process (`agent-blob memory search`) runs such loops over the word vectors of every
 * word of the store and over every memory's vector, before V8 has compiled them: in WebAssembly they
 * run compiled from the first element. A matrix is copied into the module's memory once and used
 * again while it is the same array; a larger one than its place holds (MAX_BYTES, MAX_COLUMN_BYTES),
 * or any call when the memory cannot grow, is left to the JavaScript loop.
 *
 * The module's memory has a fixed place for each kind of matrix kept there, so a search that scans
 * both the store's word vectors (rows) and its memories' vectors (by dimension) keeps both, instead
 * of each copy evicting the other at every search; per-call inputs and results go after both:
 *
 *   [0, MAX_COLUMN_BYTES)               vectors stored by dimension (`columnDots`)
 *   [MAX_COLUMN_BYTES, SCRATCH_AT)      a matrix of rows (`rowDots`)
 *   [SCRATCH_AT, …)                     the query, its dimensions, the results (every function)
 *
 * The memory spans the places even when one is unused, but pages never written take no physical memory.
 */

/** dots(rows, dims, matrix, q, out): out[r] = Σ_i f64(matrix[r·dims + i]) · f64(q[i]), byte offsets into memory. */
const CODE = [
  0x20, 0x02, 0x21, 0x07, // mp = matrix
  0x02, 0x40, 0x03, 0x40, // block, loop (rows)
  0x20, 0x05, 0x20, 0x00, 0x4f, 0x0d, 0x01, // if r >= rows: break
  0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0x21, 0x08, // acc = 0
  0x41, 0x00, 0x21, 0x06, // i = 0
  0x02, 0x40, 0x03, 0x40, // block, loop (dims)
  0x20, 0x06, 0x20, 0x01, 0x4f, 0x0d, 0x01, // if i >= dims: break
  0x20, 0x08, // acc
  0x20, 0x07, 0x20, 0x06, 0x41, 0x02, 0x74, 0x6a, 0x2a, 0x02, 0x00, 0xbb, // f64(f32 at mp + 4i)
  0x20, 0x03, 0x20, 0x06, 0x41, 0x02, 0x74, 0x6a, 0x2a, 0x02, 0x00, 0xbb, // f64(f32 at q + 4i)
  0xa2, 0xa0, 0x21, 0x08, // acc = acc + a * b
  0x20, 0x06, 0x41, 0x01, 0x6a, 0x21, 0x06, // i++
  0x0c, 0x00, 0x0b, 0x0b, // continue; end loop, end block
  0x20, 0x04, 0x20, 0x05, 0x41, 0x03, 0x74, 0x6a, 0x20, 0x08, 0x39, 0x03, 0x00, // f64 at out + 8r = acc
  0x20, 0x07, 0x20, 0x01, 0x41, 0x02, 0x74, 0x6a, 0x21, 0x07, // mp += 4 · dims
  0x20, 0x05, 0x41, 0x01, 0x6a, 0x21, 0x05, // r++
  0x0c, 0x00, 0x0b, 0x0b, // continue; end loop, end block
  0x0b, // end
];

/**
 * cols(n, count, capacity, data, idx, q, out): for each j < n, for each slot < count,
 * out[slot] += f64(data[idx[j] · capacity + slot]) · f64(q[j]) (byte offsets into memory).
 */
const COLUMNS = [
  0x02, 0x40, 0x03, 0x40, // block, loop (dimensions)
  0x20, 0x07, 0x20, 0x00, 0x4f, 0x0d, 0x01, // if j >= n: break
  0x20, 0x03, 0x20, 0x04, 0x20, 0x07, 0x41, 0x02, 0x74, 0x6a, 0x28, 0x02, 0x00, // data, i32 at idx + 4j
  0x20, 0x02, 0x6c, 0x41, 0x02, 0x74, 0x6a, 0x21, 0x09, // at = data + 4 · idx[j] · capacity
  0x20, 0x05, 0x20, 0x07, 0x41, 0x02, 0x74, 0x6a, 0x2a, 0x02, 0x00, 0xbb, 0x21, 0x0b, // qj = f64(f32 at q + 4j)
  0x41, 0x00, 0x21, 0x08, // slot = 0
  0x02, 0x40, 0x03, 0x40, // block, loop (slots)
  0x20, 0x08, 0x20, 0x01, 0x4f, 0x0d, 0x01, // if slot >= count: break
  0x20, 0x06, 0x20, 0x08, 0x41, 0x03, 0x74, 0x6a, 0x21, 0x0a, // addr = out + 8 · slot
  0x20, 0x0a, // (store to addr)
  0x20, 0x0a, 0x2b, 0x03, 0x00, // f64 at addr
  0x20, 0x09, 0x20, 0x08, 0x41, 0x02, 0x74, 0x6a, 0x2a, 0x02, 0x00, 0xbb, // f64(f32 at at + 4 · slot)
  0x20, 0x0b, 0xa2, 0xa0, 0x39, 0x03, 0x00, // f64 at addr = that + it · qj
  0x20, 0x08, 0x41, 0x01, 0x6a, 0x21, 0x08, // slot++
  0x0c, 0x00, 0x0b, 0x0b, // continue; end loop, end block
  0x20, 0x07, 0x41, 0x01, 0x6a, 0x21, 0x07, // j++
  0x0c, 0x00, 0x0b, 0x0b, // continue; end loop, end block
  0x0b, // end
];

/** pair(n, a, b, out): out = [Σ f64(a[i])·f64(b[i]), Σ f64(a[i])², Σ f64(b[i])²] over i < n, each summed in order. */
const PAIR = [
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x04, 0x20, 0x00, 0x4f, 0x0d, 0x01, // if i >= n: break
  0x20, 0x01, 0x20, 0x04, 0x41, 0x02, 0x74, 0x6a, 0x2a, 0x02, 0x00, 0xbb, 0x21, 0x08, // x = f64(f32 at a + 4i)
  0x20, 0x02, 0x20, 0x04, 0x41, 0x02, 0x74, 0x6a, 0x2a, 0x02, 0x00, 0xbb, 0x21, 0x09, // y = f64(f32 at b + 4i)
  0x20, 0x05, 0x20, 0x08, 0x20, 0x09, 0xa2, 0xa0, 0x21, 0x05, // ab = ab + x · y
  0x20, 0x06, 0x20, 0x08, 0x20, 0x08, 0xa2, 0xa0, 0x21, 0x06, // aa = aa + x · x
  0x20, 0x07, 0x20, 0x09, 0x20, 0x09, 0xa2, 0xa0, 0x21, 0x07, // bb = bb + y · y
  0x20, 0x04, 0x41, 0x01, 0x6a, 0x21, 0x04, // i++
  0x0c, 0x00, 0x0b, 0x0b, // continue; end loop, end block
  0x20, 0x03, 0x20, 0x05, 0x39, 0x03, 0x00, // f64 at out = ab
  0x20, 0x03, 0x20, 0x06, 0x39, 0x03, 0x08, // f64 at out + 8 = aa
  0x20, 0x03, 0x20, 0x07, 0x39, 0x03, 0x10, // f64 at out + 16 = bb
  0x0b, // end
];

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}
const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
const name = (text: string) => [text.length, ...[...text].map((c) => c.charCodeAt(0))];

function moduleBytes(): Uint8Array {
  // Locals after the parameters: dots: r, i, mp (i32), acc (f64); cols: j, slot, at, addr (i32), qj (f64);
  // pair: i (i32), ab, aa, bb, x, y (f64).
  const dots = [0x02, 0x03, 0x7f, 0x01, 0x7c, ...CODE];
  const cols = [0x02, 0x04, 0x7f, 0x01, 0x7c, ...COLUMNS];
  const pair = [0x02, 0x01, 0x7f, 0x05, 0x7c, ...PAIR];
  const i32s = (n: number) => [0x60, n, ...Array<number>(n).fill(0x7f), 0x00];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x03, ...i32s(5), ...i32s(7), ...i32s(4)]),
    ...section(3, [0x03, 0x00, 0x01, 0x02]),
    ...section(5, [0x01, 0x00, 0x01]),
    ...section(7, [0x04, ...name('dots'), 0x00, 0x00, ...name('cols'), 0x00, 0x01, ...name('pair'), 0x00, 0x02, ...name('memory'), 0x02, 0x00]),
    ...section(10, [0x03, ...uleb(dots.length), ...dots, ...uleb(cols.length), ...cols, ...uleb(pair.length), ...pair]),
  ]);
}

// Node has WebAssembly; core's type settings (no DOM library) do not declare it.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

/**
 * Matrices above this size stay with the JavaScript loop rather than being copied (the app's large
 * stores): a process that searches once pays for the copy into fresh pages, which for 16 MB costs
 * about as much CPU as the JavaScript loop over it.
 */
const MAX_BYTES = 16 << 20;
/** The same for vectors stored by dimension, which a running app changes in place as memories are written. */
const MAX_COLUMN_BYTES = 4 << 20;

let wasm: {
  dots: (rows: number, dims: number, matrix: number, q: number, out: number) => void;
  cols: (n: number, count: number, capacity: number, data: number, idx: number, q: number, out: number) => void;
  pair: (n: number, a: number, b: number, out: number) => void;
  memory: WasmMemory;
} | null | undefined;
/** Where each kind of kept matrix starts, and where per-call data starts (see the layout above). */
const COLUMNS_AT = 0;
const ROWS_AT = MAX_COLUMN_BYTES;
const SCRATCH_AT = MAX_COLUMN_BYTES + MAX_BYTES;

interface Kept {
  matrix: Float32Array;
  length: number;
  changes: number;
}
/** The matrix each place holds now, if any. */
const kept: { rows: Kept | null; columns: Kept | null } = { rows: null, columns: null };
let copies = 0;

/** How many times a matrix has been copied into the module's memory (a matrix kept there is not copied again). */
export function matrixCopies(): number {
  return copies;
}

function instance() {
  if (wasm === undefined) {
    try {
      const exports = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes())).exports;
      wasm = { dots: exports.dots as never, cols: exports.cols as never, pair: exports.pair as never, memory: exports.memory as WasmMemory };
    } catch {
      wasm = null;
    }
  }
  return wasm;
}

/** `out[r]` = the dot product of row `r` of `matrix` (`rows` × `dims`, row after row) with `q`. */
export function rowDots(matrix: Float32Array, rows: number, dims: number, q: Float32Array, out: Float64Array = new Float64Array(rows)): Float64Array {
  const matrixBytes = rows * dims * 4;
  const w = matrixBytes <= MAX_BYTES && q.length >= dims ? instance() : null;
  // After the kept matrices: the query, the results.
  const qAt = SCRATCH_AT;
  const outAt = align8(qAt + dims * 4);
  const buffer = w && place(w, 'rows', matrix, rows * dims, outAt + rows * 8);
  if (!buffer) return jsRowDots(matrix, rows, dims, q, out);
  new Float32Array(buffer, qAt, dims).set(q.subarray(0, dims));
  w.dots(rows, dims, ROWS_AT, qAt, outAt);
  out.set(new Float64Array(buffer, outAt, rows));
  return out;
}

function jsRowDots(matrix: Float32Array, rows: number, dims: number, q: Float32Array, out: Float64Array): Float64Array {
  for (let r = 0, at = 0; r < rows; r++, at += dims) {
    let sum = 0;
    for (let i = 0; i < dims; i++) sum += matrix[at + i] * q[i];
    out[r] = sum;
  }
  return out;
}

/**
 * `out[slot]` = Σ_j data[idx[j] · capacity + slot] · q[j] for each slot < `count`, summed over j in
 * order from 0: the dot products of a query (its non-zero dimensions `idx`, values `q`) with vectors
 * stored dimension by dimension (`data`, `capacity` slots a dimension). `data` may change in place:
 * `changes` (counted by its owner) says when it did, and it is copied again.
 */
export function columnDots(data: Float32Array, changes: number, capacity: number, count: number, idx: Int32Array, q: Float32Array, out: Float64Array): Float64Array {
  const n = idx.length;
  const w = data.length * 4 <= MAX_COLUMN_BYTES && q.length >= n ? instance() : null;
  // After the kept matrices: the dimensions, their values, the results.
  const idxAt = SCRATCH_AT;
  const qAt = align8(idxAt + n * 4);
  const outAt = align8(qAt + n * 4);
  const buffer = w && place(w, 'columns', data, data.length, outAt + count * 8, changes);
  if (!buffer) {
    out.fill(0, 0, count);
    for (let j = 0; j < n; j++) {
      const at = idx[j] * capacity;
      const qj = q[j];
      for (let slot = 0; slot < count; slot++) out[slot] += data[at + slot] * qj;
    }
    return out;
  }
  new Int32Array(buffer, idxAt, n).set(idx);
  new Float32Array(buffer, qAt, n).set(q.subarray(0, n));
  new Float64Array(buffer, outAt, count).fill(0);
  w.cols(n, count, capacity, COLUMNS_AT, idxAt, qAt, outAt);
  out.set(new Float64Array(buffer, outAt, count));
  return out;
}

/**
 * The dot product of the first `n` floats of `a` and `b` and the squares of each, as
 * `[a·b, a·a, b·b]` (one array, reused: read it before the next call).
 */
export function pairSums(a: Float32Array, b: Float32Array, n: number): Float64Array {
  const w = a.length >= n && b.length >= n ? instance() : null;
  // After the kept matrices.
  const aAt = SCRATCH_AT;
  const bAt = align8(aAt + n * 4);
  const outAt = align8(bAt + n * 4);
  const buffer = w && room(w, outAt + 24);
  if (!buffer) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = 0; i < n; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    sums[0] = ab;
    sums[1] = aa;
    sums[2] = bb;
    return sums;
  }
  new Float32Array(buffer, aAt, n).set(a.subarray(0, n));
  new Float32Array(buffer, bAt, n).set(b.subarray(0, n));
  w.pair(n, aAt, bAt, outAt);
  sums.set(new Float64Array(buffer, outAt, 3));
  return sums;
}
const sums = new Float64Array(3);

/**
 * The module's memory with at least `need` bytes and `matrix` (its first `length` floats, as of
 * `changes`) in the place for its kind; null when the memory cannot grow that far.
 */
function place(w: NonNullable<typeof wasm>, kind: 'rows' | 'columns', matrix: Float32Array, length: number, need: number, changes = 0): ArrayBuffer | null {
  const buffer = room(w, need);
  if (!buffer) return null;
  const now = kept[kind];
  if (now?.matrix !== matrix || now.length !== length || now.changes !== changes) {
    new Float32Array(buffer, kind === 'rows' ? ROWS_AT : COLUMNS_AT, length).set(matrix.subarray(0, length));
    kept[kind] = { matrix, length, changes };
    copies++;
  }
  return buffer;
}

/** The module's memory grown to at least `need` bytes (growing keeps what it holds), or null if it cannot be. */
function room(w: NonNullable<typeof wasm>, need: number): ArrayBuffer | null {
  const have = w.memory.buffer.byteLength;
  if (have < need) {
    try {
      w.memory.grow(Math.ceil((need - have) / 65536));
    } catch {
      return null;
    }
  }
  return w.memory.buffer;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
