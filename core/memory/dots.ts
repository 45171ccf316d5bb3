/**
 * Dot products of one float32 vector with each row of a float32 matrix, computed in WebAssembly with
 * the arithmetic of the plain JavaScript loop (`sum += row[i] * q[i]`: each float widened to a
 * double, multiplied and added in double precision, in the same order), so the results are the same
 * bit for bit. A short-lived process (`agent-blob memory search`) runs such a loop over the word
 * vectors of every word of the store once per query word, before V8 has compiled it: in WebAssembly
 * it runs compiled from the first row. A matrix is copied into the module's memory once and used
 * again while it is the same array; one larger than MAX_BYTES is left to the JavaScript loop.
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
  // Locals after the five i32 parameters: r, i, mp (i32), acc (f64).
  const body = [0x02, 0x03, 0x7f, 0x01, 0x7c, ...CODE];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, 0x00, 0x01]),
    ...section(7, [0x02, ...name('dots'), 0x00, 0x00, ...name('memory'), 0x02, 0x00]),
    ...section(10, [0x01, ...uleb(body.length), ...body]),
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

/** Matrices above this size stay with the JavaScript loop rather than being copied (the app's large stores). */
const MAX_BYTES = 16 << 20;

let wasm: { dots: (rows: number, dims: number, matrix: number, q: number, out: number) => void; memory: WasmMemory } | null | undefined;
let resident: { matrix: Float32Array; length: number } | null = null;

function instance() {
  if (wasm === undefined) {
    try {
      const exports = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes())).exports;
      wasm = { dots: exports.dots as never, memory: exports.memory as WasmMemory };
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
  if (!w) {
    for (let r = 0, at = 0; r < rows; r++, at += dims) {
      let sum = 0;
      for (let i = 0; i < dims; i++) sum += matrix[at + i] * q[i];
      out[r] = sum;
    }
    return out;
  }
  // Laid out as: the matrix, the query, the results.
  const qAt = align8(matrixBytes);
  const outAt = align8(qAt + dims * 4);
  const need = outAt + rows * 8;
  if (w.memory.buffer.byteLength < need) {
    w.memory.grow(Math.ceil((need - w.memory.buffer.byteLength) / 65536));
    resident = null;
  }
  const buffer = w.memory.buffer;
  if (resident?.matrix !== matrix || resident.length !== rows * dims) {
    new Float32Array(buffer, 0, rows * dims).set(matrix.subarray(0, rows * dims));
    resident = { matrix, length: rows * dims };
  }
  new Float32Array(buffer, qAt, dims).set(q.subarray(0, dims));
  w.dots(rows, dims, 0, qAt, outAt);
  out.set(new Float64Array(buffer, outAt, rows));
  return out;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
