import type { Statement } from 'better-sqlite3';
import type { WritableDB } from '../db/index.js';
import { columnDots } from './dots.js';

type Generation = { gen: number; embedder: string; dims: number; state: 'active' | 'building'; done: number };

/** Above this many vectors, nearest neighbours come from the binary index, re-ranked exactly. */
const EXACT_SCAN_LIMIT = 20_000;
/** Binary candidates per wanted neighbour before the exact re-rank. */
const OVERFETCH = 3;
const MIN_CANDIDATES = 120;

/**
 * One generation's vectors as the exact scan holds them: rowids and areas in its order, the vectors
 * dimension by dimension (`columns[dim * count + slot]`) and their lengths.
 */
export interface ExactCopy {
  gen: number;
  dims: number;
  rowids: Float64Array;
  areas: string[];
  columns: Float32Array;
  norms: Float32Array;
}

/**
 * The sqlite-vec indexes. Each embedder gets its own vec0 tables ("generation"), because the vector
 * size differs between embedders: full float vectors (cosine), and the same vectors quantised to one
 * bit a dimension (hamming), which a large store scans 6–7 times faster; its candidates are then
 * re-ranked by exact cosine. Searches read the active generation; while a new embedder fills a
 * building generation in the background, writes go to both, and the switch is one transaction.
 */
export class VectorIndex {
  private active: Generation | null = null;
  private building: Generation | null = null;
  private stmts = new Map<number, Record<'insert' | 'remove' | 'knn' | 'knnArea' | 'count' | 'putQuantized' | 'removeQuantized' | 'getQuantized' | 'hasQuantized' | 'countQuantized', Statement>>();
  // The binary index's statements, only for generations that have one (whole bytes: see hasBits).
  private bitStmts = new Map<number, Record<'insertBits' | 'removeBits' | 'coarse' | 'coarseArea', Statement>>();

  constructor(
    private readonly db: WritableDB,
    private readonly options: { exactScanLimit?: number } = {},
  ) {
    for (const g of db.prepare('SELECT gen, embedder, dims, state, done FROM memory_vec_generations').all() as Generation[]) {
      if (g.state === 'active') this.active = g;
      else this.building = g;
      this.ensureBits(g);
    }
  }

  activeGeneration(): Generation | null {
    return this.active;
  }
  buildingGeneration(): Generation | null {
    return this.building;
  }

  /** Makes an active generation for a first embedder. Only when none exists. */
  createActive(embedder: string, dims: number): Generation {
    if (this.active) throw new Error('an active vector index already exists');
    this.active = this.createGeneration(embedder, dims, 'active');
    return this.active;
  }

  /** Starts a new generation that will replace the active one; drops an unfinished earlier one. */
  createBuilding(embedder: string, dims: number): Generation {
    if (this.building) this.dropGeneration(this.building);
    this.building = this.createGeneration(embedder, dims, 'building');
    return this.building;
  }

  /** The building generation becomes active; the old one is dropped. Caller wraps in a transaction. */
  promoteBuilding(): Generation {
    const next = this.building;
    if (!next) throw new Error('no vector index is being built');
    if (this.active) this.dropGeneration(this.active);
    this.db.prepare("UPDATE memory_vec_generations SET state = 'active' WHERE gen = ?").run(next.gen);
    next.state = 'active';
    this.active = next;
    this.building = null;
    return next;
  }

  abandonBuilding(): void {
    if (this.building) this.dropGeneration(this.building);
    this.building = null;
  }

  setProgress(done: number): void {
    if (!this.building) return;
    this.building.done = done;
    this.db.prepare('UPDATE memory_vec_generations SET done = ? WHERE gen = ?').run(done, this.building.gen);
  }

  put(gen: Generation, rowid: number, area: string, vector: Float32Array): void {
    if (this.exact?.gen === gen.gen) this.exact.put(rowid, area, vector);
    const s = this.statements(gen);
    s.remove.run(BigInt(rowid));
    s.insert.run(BigInt(rowid), area, vector);
    s.putQuantized.run(rowid, quantize(vector));
    if (!hasBits(gen)) return;
    const b = this.bitStatements(gen);
    b.removeBits.run(BigInt(rowid));
    b.insertBits.run(BigInt(rowid), area, vector);
  }

  remove(rowid: number): void {
    this.exact?.remove(rowid);
    for (const g of [this.active, this.building]) {
      if (!g) continue;
      this.statements(g).remove.run(BigInt(rowid));
      this.statements(g).removeQuantized.run(rowid);
      if (hasBits(g)) this.bitStatements(g).removeBits.run(BigInt(rowid));
    }
  }

  /**
   * A memory's vector, unit length, from the int8 copy: reading one vector out of a vec0 table reads
   * its whole chunk (a megabyte), while this is one B-tree lookup. Cosines agree to about 0.01.
   */
  vector(gen: Generation, rowid: number): Float32Array | null {
    const row = this.statements(gen).getQuantized.get(rowid) as { q: Buffer } | undefined;
    return row ? dequantize(row.q) : null;
  }

  /** Whether a generation holds a memory's vector. */
  has(gen: Generation, rowid: number): boolean {
    return this.statements(gen).hasQuantized.get(rowid) !== undefined;
  }

  /** How many vectors a generation holds. */
  count(gen: Generation): number {
    return (this.statements(gen).countQuantized.get() as { n: number }).n;
  }

  /** Nearest neighbours by cosine distance in the active generation. */
  knn(vector: Float32Array, k: number, area?: string): { rowid: number; distance: number }[] {
    if (!this.active) return [];
    const gen = this.active;
    const s = this.statements(gen);
    this.size ??= (s.count.get() as { n: number }).n;
    if (this.size <= (this.options.exactScanLimit ?? EXACT_SCAN_LIMIT) || !hasBits(gen)) {
      // A store this size keeps its vectors in memory (1 KiB each at 256 dimensions): scanning them
      // here is several times faster than vec0's scan of its chunks.
      // Another connection (another process on the same data folder) may have written: reload then.
      const version = this.db.pragma('data_version', { simple: true }) as number;
      if (!this.exact || this.exact.gen !== gen.gen || this.exact.version !== version) this.exact = ExactVectors.load(this.db, gen, version);
      return this.exact.knn(vector, k, area);
    }
    const wanted = Math.max(k * OVERFETCH, MIN_CANDIDATES);
    const b = this.bitStatements(gen);
    const coarse = (area ? b.coarseArea.all(vector, wanted, area) : b.coarse.all(vector, wanted)) as { rowid: number }[];
    const exact: { rowid: number; distance: number }[] = [];
    for (const c of coarse) {
      const v = this.vector(gen, c.rowid);
      if (!v) continue;
      let d = 0;
      for (let i = 0; i < v.length; i++) d += v[i] * vector[i];
      exact.push({ rowid: c.rowid, distance: 1 - d });
    }
    return exact.sort((a, b) => a.distance - b.distance).slice(0, k);
  }

  /**
   * The active generation's vectors as the exact scan holds them (in its order), once a search has
   * read them; null before, or for a store searched through the binary index. A short-lived process
   * keeps them in its data folder's cache (search-cache.ts) instead of reading vec0 at every start.
   */
  exactCopy(): ExactCopy | null {
    const e = this.exact;
    if (!e || !this.active || e.gen !== this.active.gen) return null;
    return e.copy();
  }

  /**
   * Searches the active generation with `copy` (taken by `exactCopy` from the same vectors) instead
   * of reading them from vec0; ignored when it is of another generation or size.
   */
  useExactCopy(copy: ExactCopy): boolean {
    const gen = this.active;
    if (!gen || copy.gen !== gen.gen || copy.dims !== gen.dims || copy.columns.length !== copy.rowids.length * copy.dims || copy.norms.length !== copy.rowids.length || copy.areas.length !== copy.rowids.length) return false;
    if (copy.rowids.length > (this.options.exactScanLimit ?? EXACT_SCAN_LIMIT)) return false;
    this.exact = ExactVectors.fromCopy(copy, this.db.pragma('data_version', { simple: true }) as number);
    return true;
  }

  /** Forgets the cached vector count (after writes), which picks exact or binary scans. */
  invalidateSize(): void {
    this.size = null;
  }

  private size: number | null = null;
  /** The active generation's vectors in memory, for stores small enough to scan exactly. */
  private exact: ExactVectors | null = null;

  // Generations made before the binary index existed get one, filled from their float vectors.
  private ensureBits(g: Generation): void {
    const exists = this.db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(`memory_vecbits_${g.gen}`);
    if (!exists && hasBits(g)) {
      this.db.exec(`CREATE VIRTUAL TABLE memory_vecbits_${g.gen} USING vec0(area text, embedding bit[${g.dims}])`);
      this.db.exec(`INSERT INTO memory_vecbits_${g.gen} (rowid, area, embedding) SELECT rowid, area, vec_quantize_binary(embedding) FROM memory_vec_${g.gen}`);
    }
    if (this.db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(`memory_vecq_${g.gen}`)) return;
    this.db.exec(`CREATE TABLE memory_vecq_${g.gen} (rowid INTEGER PRIMARY KEY, q BLOB NOT NULL)`);
    const put = this.db.prepare(`INSERT INTO memory_vecq_${g.gen} (rowid, q) VALUES (?, ?)`);
    const page = this.db.prepare(`SELECT rowid, embedding FROM memory_vec_${g.gen} WHERE rowid > ? ORDER BY rowid LIMIT 2000`);
    this.db.transaction(() => {
      for (let after = 0; ; ) {
        const rows = page.all(after) as { rowid: number; embedding: Buffer }[];
        if (!rows.length) break;
        for (const r of rows) put.run(r.rowid, quantize(new Float32Array(r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.embedding.byteLength))));
        after = rows[rows.length - 1].rowid;
      }
    })();
  }

  private createGeneration(embedder: string, dims: number, state: 'active' | 'building'): Generation {
    const info = this.db.prepare('INSERT INTO memory_vec_generations (embedder, dims, state) VALUES (?, ?, ?)').run(embedder, dims, state);
    const gen = Number(info.lastInsertRowid);
    this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS memory_vec_${gen} USING vec0(area text, embedding float[${dims}] distance_metric=cosine)`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS memory_vecq_${gen} (rowid INTEGER PRIMARY KEY, q BLOB NOT NULL)`);
    if (dims % 8 === 0) this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS memory_vecbits_${gen} USING vec0(area text, embedding bit[${dims}])`);
    return { gen, embedder, dims, state, done: 0 };
  }

  private dropGeneration(g: Generation): void {
    if (this.exact?.gen === g.gen) this.exact = null;
    this.db.exec(`DROP TABLE IF EXISTS memory_vec_${g.gen}`);
    this.db.exec(`DROP TABLE IF EXISTS memory_vecbits_${g.gen}`);
    this.db.exec(`DROP TABLE IF EXISTS memory_vecq_${g.gen}`);
    this.db.prepare('DELETE FROM memory_vec_generations WHERE gen = ?').run(g.gen);
    this.stmts.delete(g.gen);
    this.bitStmts.delete(g.gen);
  }

  // Each statement is prepared at its first use: a search that reads its vectors from elsewhere (a
  // cached copy) prepares none of vec0's, and needs no sqlite-vec loaded.
  private statements(g: Generation) {
    let s = this.stmts.get(g.gen);
    if (!s) {
      const t = `memory_vec_${g.gen}`;
      s = lazyStatements(this.db, {
        insert: `INSERT INTO ${t} (rowid, area, embedding) VALUES (?, ?, ?)`,
        remove: `DELETE FROM ${t} WHERE rowid = ?`,
        knn: `SELECT rowid, distance FROM ${t} WHERE embedding MATCH ? AND k = ?`,
        knnArea: `SELECT rowid, distance FROM ${t} WHERE embedding MATCH ? AND k = ? AND area = ?`,
        count: `SELECT count(*) AS n FROM memories`,
        putQuantized: `INSERT OR REPLACE INTO memory_vecq_${g.gen} (rowid, q) VALUES (?, ?)`,
        removeQuantized: `DELETE FROM memory_vecq_${g.gen} WHERE rowid = ?`,
        getQuantized: `SELECT q FROM memory_vecq_${g.gen} WHERE rowid = ?`,
        hasQuantized: `SELECT 1 FROM memory_vecq_${g.gen} WHERE rowid = ?`,
        countQuantized: `SELECT count(*) AS n FROM memory_vecq_${g.gen}`,
      });
      this.stmts.set(g.gen, s);
    }
    return s;
  }

  private bitStatements(g: Generation) {
    let b = this.bitStmts.get(g.gen);
    if (!b) {
      const t = `memory_vecbits_${g.gen}`;
      b = lazyStatements(this.db, {
        insertBits: `INSERT INTO ${t} (rowid, area, embedding) VALUES (?, ?, vec_quantize_binary(?))`,
        removeBits: `DELETE FROM ${t} WHERE rowid = ?`,
        coarse: `SELECT rowid FROM ${t} WHERE embedding MATCH vec_quantize_binary(?) AND k = ?`,
        coarseArea: `SELECT rowid FROM ${t} WHERE embedding MATCH vec_quantize_binary(?) AND k = ? AND area = ?`,
      });
      this.bitStmts.set(g.gen, b);
    }
    return b;
  }
}

/** Statements by name, each prepared when first read. */
function lazyStatements<K extends string>(db: WritableDB, sql: Record<K, string>): Record<K, Statement> {
  const out = {} as Record<K, Statement>;
  for (const name of Object.keys(sql) as K[]) {
    Object.defineProperty(out, name, {
      configurable: true,
      enumerable: true,
      get() {
        const statement = db.prepare(sql[name]);
        Object.defineProperty(out, name, { value: statement, enumerable: true });
        return statement;
      },
    });
  }
  return out;
}

// The binary index stores whole bytes.
function hasBits(g: { dims: number }): boolean {
  return g.dims % 8 === 0;
}

/** int8 per dimension, scaled so the largest component is ±127 (direction is all cosine needs). */
function quantize(v: Float32Array): Buffer {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  const q = new Int8Array(v.length);
  if (max > 0) for (let i = 0; i < v.length; i++) q[i] = Math.round((v[i] / max) * 127);
  return Buffer.from(q.buffer);
}

function dequantize(b: Buffer): Float32Array {
  const q = new Int8Array(b.buffer, b.byteOffset, b.byteLength);
  const v = new Float32Array(q.length);
  let norm = 0;
  for (let i = 0; i < q.length; i++) {
    v[i] = q[i];
    norm += q[i] * q[i];
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/**
 * One generation's vectors as one float array, scanned for the nearest by cosine. Read from the vec0
 * table at the first search and kept current by every write through the index.
 */
class ExactVectors {
  /**
   * Dimension by dimension (`data[dim * capacity + slot]`): a search reads only the query's non-zero
   * dimensions, each a contiguous run, instead of a few floats scattered over every vector.
   */
  private data: Float32Array;
  private norms: Float32Array;
  private capacity: number;
  /** Each vector's dot product with the query, reused between searches. */
  private dots = new Float64Array(0);
  private rowids: number[] = [];
  private areas: string[] = [];
  private readonly slotOf = new Map<number, number>();
  /** Counts the writes to `data` (columnDots keeps a copy of it while this stays the same). */
  private changes = 0;

  private constructor(
    readonly gen: number,
    readonly version: number,
    private readonly dims: number,
    capacity: number,
  ) {
    this.capacity = Math.max(64, capacity);
    this.data = new Float32Array(this.capacity * dims);
    this.norms = new Float32Array(this.capacity);
  }

  static load(db: WritableDB, gen: Generation, version: number): ExactVectors {
    const count = (db.prepare(`SELECT count(*) AS n FROM memory_vec_${gen.gen}`).get() as { n: number }).n;
    const out = new ExactVectors(gen.gen, version, gen.dims, count + 64);
    for (const row of db.prepare(`SELECT rowid, area, embedding FROM memory_vec_${gen.gen}`).iterate() as Iterable<{ rowid: number; area: string; embedding: Buffer }>) {
      out.put(row.rowid, row.area, new Float32Array(row.embedding.buffer.slice(row.embedding.byteOffset, row.embedding.byteOffset + row.embedding.byteLength)));
    }
    return out;
  }

  static fromCopy(copy: ExactCopy, version: number): ExactVectors {
    const count = copy.rowids.length;
    const out = new ExactVectors(copy.gen, version, copy.dims, count);
    // Dimension by dimension, as `data` keeps them.
    if (out.capacity === count) out.data.set(copy.columns);
    else for (let i = 0; i < copy.dims; i++) out.data.set(copy.columns.subarray(i * count, (i + 1) * count), i * out.capacity);
    out.norms.set(copy.norms);
    for (let slot = 0; slot < count; slot++) {
      out.rowids.push(copy.rowids[slot]);
      out.areas.push(copy.areas[slot]);
      out.slotOf.set(copy.rowids[slot], slot);
    }
    return out;
  }

  copy(): ExactCopy {
    const count = this.rowids.length;
    const columns = new Float32Array(count * this.dims);
    for (let i = 0; i < this.dims; i++) columns.set(this.data.subarray(i * this.capacity, i * this.capacity + count), i * count);
    return { gen: this.gen, dims: this.dims, rowids: Float64Array.from(this.rowids), areas: [...this.areas], columns, norms: this.norms.slice(0, count) };
  }

  put(rowid: number, area: string, vector: Float32Array): void {
    this.changes++;
    let slot = this.slotOf.get(rowid);
    if (slot === undefined) {
      slot = this.rowids.length;
      if (slot >= this.capacity) this.grow();
      this.rowids.push(rowid);
      this.areas.push(area);
      this.slotOf.set(rowid, slot);
    }
    this.areas[slot] = area;
    let norm = 0;
    for (let i = 0; i < this.dims; i++) {
      const x = vector[i] ?? 0;
      this.data[i * this.capacity + slot] = x;
      norm += x * x;
    }
    this.norms[slot] = Math.sqrt(norm);
  }

  remove(rowid: number): void {
    const slot = this.slotOf.get(rowid);
    if (slot === undefined) return;
    this.changes++;
    // The last vector moves into the freed place.
    const last = this.rowids.length - 1;
    if (slot !== last) {
      for (let i = 0; i < this.dims; i++) this.data[i * this.capacity + slot] = this.data[i * this.capacity + last];
      this.norms[slot] = this.norms[last];
      this.rowids[slot] = this.rowids[last];
      this.areas[slot] = this.areas[last];
      this.slotOf.set(this.rowids[slot], slot);
    }
    this.rowids.pop();
    this.areas.pop();
    this.slotOf.delete(rowid);
  }

  /** The k nearest by cosine distance (1 − cosine), as vec0 reports it. */
  knn(query: Float32Array, k: number, area?: string): { rowid: number; distance: number }[] {
    const dims = this.dims;
    let qn = 0;
    for (let i = 0; i < dims; i++) qn += query[i] * query[i];
    qn = Math.sqrt(qn);
    if (!qn || k <= 0) return [];
    // The best k so far, worst first in `worst`: a sorted insert into a short array.
    const topSim: number[] = [];
    const topSlot: number[] = [];
    const data = this.data;
    // Only the query's non-zero dimensions count (a hashed offline vector has a few dozen).
    const nonZero: number[] = [];
    for (let i = 0; i < dims; i++) if (query[i] !== 0) nonZero.push(i);
    const idx = Int32Array.from(nonZero);
    const q = Float32Array.from(nonZero, (i) => query[i]);
    const count = this.rowids.length;
    if (this.dots.length < count) this.dots = new Float64Array(this.capacity);
    // Each vector's sum is taken in the same order of dimensions as one vector at a time would.
    const dots = columnDots(data, this.changes, this.capacity, count, idx, q, this.dots);
    for (let slot = 0; slot < count; slot++) {
      if (area !== undefined && this.areas[slot] !== area) continue;
      const norm = this.norms[slot];
      if (!norm) continue;
      const sim = dots[slot] / (norm * qn);
      if (topSim.length === k && sim <= topSim[k - 1]) continue;
      let j = topSim.length < k ? topSim.length : k - 1;
      while (j > 0 && topSim[j - 1] < sim) {
        topSim[j] = topSim[j - 1];
        topSlot[j] = topSlot[j - 1];
        j--;
      }
      topSim[j] = sim;
      topSlot[j] = slot;
    }
    return topSlot.map((slot, i) => ({ rowid: this.rowids[slot], distance: 1 - topSim[i] }));
  }

  private grow(): void {
    const capacity = this.capacity * 2;
    const data = new Float32Array(capacity * this.dims);
    for (let i = 0; i < this.dims; i++) data.set(this.data.subarray(i * this.capacity, (i + 1) * this.capacity), i * capacity);
    this.data = data;
    this.capacity = capacity;
    const norms = new Float32Array(this.norms.length * 2);
    norms.set(this.norms);
    this.norms = norms;
  }
}
