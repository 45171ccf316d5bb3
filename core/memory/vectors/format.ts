import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import type { ByteOrder } from '../lexicon/format.js';
import { findSorted } from '../sorted-text.js';

/**
 * The compact word-vector file: a header, a sorted vocabulary (UTF-8 bytes with an offset table,
 * for binary search), each word's frequency rank in the source, and one int8 vector per word with
 * its scale, laid end to end in the vocabulary's order. A reader loads the vocabulary (a small part
 * of the file) and reads each vector it is asked for by its offset, so a process that embeds a
 * query reads a few hundred bytes of vectors, never the whole file.
 *
 *   u32 magic, u32 format, u32 count, u32 dims, 16 bytes source version,
 *   i32[count+1] textAt, u8 text (padded to 4), i32[count] rank, f32[count] scale, i8[count*dims] vectors
 *
 * Numbers are little-endian as built (the file is made once and shipped to every machine); the
 * magic number says the order ("ARWV" little-endian, "VWRA" big-endian) and a reader takes either.
 */
export const VECTORS_MAGIC = 0x56575241; // "ARWV" when little-endian
/** Bump when the layout or what the converter keeps changes: the file is rebuilt under a new name. */
export const VECTORS_FORMAT = 1;
const HEADER = 32;
/** Bounds a readable file's header stays within (the built file has 100 dimensions, 100,000 words). */
const MAX_DIMS = 1024;
const MAX_COUNT = 10_000_000;

export interface WordVectorEntry {
  word: string;
  /** Rank by frequency in the source (0 = most frequent). */
  rank: number;
  vector: ArrayLike<number>;
}

/** The file's bytes for `entries` (any order; each vector is stored unit length, quantised to int8), little-endian unless told. */
export function encodeWordVectors(entries: WordVectorEntry[], dims: number, sourceVersion: string, byteOrder: ByteOrder = 'LE'): Buffer {
  const sorted = entries.map((e) => ({ ...e, bytes: Buffer.from(e.word) })).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const n = sorted.length;
  const textLength = sorted.reduce((t, e) => t + e.bytes.length, 0);
  const textAt = HEADER;
  const textOffset = textAt + (n + 1) * 4;
  const rankOffset = textOffset + align(textLength);
  const scaleOffset = rankOffset + n * 4;
  const vectorOffset = scaleOffset + n * 4;
  const out = Buffer.alloc(vectorOffset + n * dims);
  const le = byteOrder === 'LE';
  const u32 = (value: number, offset: number) => (le ? out.writeUInt32LE(value, offset) : out.writeUInt32BE(value, offset));
  const i32 = (value: number, offset: number) => (le ? out.writeInt32LE(value, offset) : out.writeInt32BE(value, offset));
  u32(VECTORS_MAGIC, 0);
  u32(VECTORS_FORMAT, 4);
  u32(n, 8);
  u32(dims, 12);
  Buffer.from(sourceVersion.padEnd(16).slice(0, 16)).copy(out, 16);
  let at = 0;
  sorted.forEach((e, i) => {
    i32(at, textAt + i * 4);
    e.bytes.copy(out, textOffset + at);
    at += e.bytes.length;
    i32(e.rank, rankOffset + i * 4);
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += e.vector[d] * e.vector[d];
    norm = Math.sqrt(norm) || 1;
    let max = 0;
    for (let d = 0; d < dims; d++) max = Math.max(max, Math.abs(e.vector[d] / norm));
    const scale = max / 127 || 1;
    if (le) out.writeFloatLE(scale, scaleOffset + i * 4);
    else out.writeFloatBE(scale, scaleOffset + i * 4);
    for (let d = 0; d < dims; d++) out.writeInt8(Math.round(e.vector[d] / norm / scale), vectorOffset + i * dims + d);
  });
  i32(at, textAt + n * 4);
  return out;
}

function align(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** A word's vector (unit length, within int8 rounding) and its frequency rank in the source. */
export interface WordVector {
  vector: Float32Array;
  rank: number;
}

/**
 * Lazy reads of a file made by `encodeWordVectors`: `open` reads the header and the vocabulary;
 * `get` reads one word's rank, scale and vector (108 bytes for 100 dimensions) by offset.
 */
export class WordVectorFile {
  private readonly cache = new Map<string, WordVector | null>();
  private constructor(
    private fd: number | null,
    readonly count: number,
    readonly dims: number,
    private readonly textAt: Int32Array,
    private readonly text: Uint8Array,
    private readonly offsets: { rank: number; scale: number; vectors: number },
    private readonly order: ByteOrder,
  ) {}

  /** The file at `path` if it is one of this format made from `sourceVersion`, else null (missing, older, damaged). */
  static open(path: string, sourceVersion: string): WordVectorFile | null {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return null;
    }
    try {
      const header = Buffer.alloc(HEADER);
      if (readSync(fd, header, 0, HEADER, 0) !== HEADER) throw new Error('short');
      const order: ByteOrder | null = header.readUInt32LE(0) === VECTORS_MAGIC ? 'LE' : header.readUInt32BE(0) === VECTORS_MAGIC ? 'BE' : null;
      if (!order) throw new Error('format');
      const u32 = (offset: number) => (order === 'LE' ? header.readUInt32LE(offset) : header.readUInt32BE(offset));
      if (u32(4) !== VECTORS_FORMAT) throw new Error('format');
      if (header.subarray(16, 32).toString() !== sourceVersion.padEnd(16).slice(0, 16)) throw new Error('version');
      const count = u32(8);
      const dims = u32(12);
      // A damaged header must not make a reader allocate or read gigabytes: sizes are checked
      // against the bounds and the file's length before anything is read by them.
      if (dims < 1 || dims > MAX_DIMS || count < 1 || count > MAX_COUNT) throw new Error('header');
      const size = fstatSync(fd).size;
      const textOffset = HEADER + (count + 1) * 4;
      if (size < textOffset) throw new Error('short');
      const textAt = new Int32Array(count + 1);
      const atBytes = Buffer.from(textAt.buffer);
      if (readSync(fd, atBytes, 0, atBytes.length, HEADER) !== atBytes.length) throw new Error('short');
      if (order !== endianness()) atBytes.swap32();
      const textLength = textAt[count];
      const rank = textOffset + align(textLength);
      // The layout's size exactly: a truncated file would otherwise read as zero vectors.
      if (textLength < 0 || rank + count * (8 + dims) !== size) throw new Error('size');
      if (textAt[0] !== 0) throw new Error('offsets');
      for (let i = 0; i < count; i++) if (textAt[i + 1] <= textAt[i]) throw new Error('offsets');
      const text = new Uint8Array(textLength);
      if (readSync(fd, text, 0, textLength, textOffset) !== textLength) throw new Error('short');
      return new WordVectorFile(fd, count, dims, textAt, text, { rank, scale: rank + count * 4, vectors: rank + count * 8 }, order);
    } catch {
      closeSync(fd);
      return null;
    }
  }

  /** The word's vector and rank, or null when the file does not have the word. Read once per word. */
  get(word: string): WordVector | null {
    const hit = this.cache.get(word);
    if (hit !== undefined) return hit;
    const i = this.indexOf(word);
    let value: WordVector | null = null;
    if (i >= 0 && this.fd !== null) {
      const meta = Buffer.alloc(4);
      readSync(this.fd, meta, 0, 4, this.offsets.rank + i * 4);
      const rank = this.order === 'LE' ? meta.readInt32LE(0) : meta.readInt32BE(0);
      readSync(this.fd, meta, 0, 4, this.offsets.scale + i * 4);
      const scale = this.order === 'LE' ? meta.readFloatLE(0) : meta.readFloatBE(0);
      const q = new Int8Array(this.dims);
      readSync(this.fd, q, 0, this.dims, this.offsets.vectors + i * this.dims);
      const vector = new Float32Array(this.dims);
      for (let d = 0; d < this.dims; d++) vector[d] = q[d] * scale;
      value = { vector, rank };
    }
    if (this.cache.size >= 50_000) this.cache.clear();
    this.cache.set(word, value);
    return value;
  }

  /** The vocabulary, in sorted order (the converter's tests and tools). */
  *words(): Generator<string> {
    for (let i = 0; i < this.count; i++) yield decoder.decode(this.text.subarray(this.textAt[i], this.textAt[i + 1]));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private indexOf(word: string): number {
    return findSorted(this.text, this.textAt, encoder.encode(word));
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
