import type { Statement } from 'better-sqlite3';
import type { WritableDB } from '../db/index.js';

type Generation = { gen: number; embedder: string; dims: number; state: 'active' | 'building'; done: number };

/**
 * The sqlite-vec indexes. Each embedder gets its own vec0 table ("generation"), because the vector
 * size differs between embedders. Searches read the active generation; while a new embedder fills
 * a building generation in the background, writes go to both, and the switch is one transaction.
 */
export class VectorIndex {
  private active: Generation | null = null;
  private building: Generation | null = null;
  private stmts = new Map<number, { insert: Statement; remove: Statement; get: Statement; knn: Statement; knnArea: Statement }>();

  constructor(private readonly db: WritableDB) {
    for (const g of db.prepare('SELECT gen, embedder, dims, state, done FROM memory_vec_generations').all() as Generation[]) {
      if (g.state === 'active') this.active = g;
      else this.building = g;
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
    const s = this.statements(gen);
    s.remove.run(BigInt(rowid));
    s.insert.run(BigInt(rowid), area, vector);
  }

  remove(rowid: number): void {
    for (const g of [this.active, this.building]) if (g) this.statements(g).remove.run(BigInt(rowid));
  }

  vector(gen: Generation, rowid: number): Float32Array | null {
    const row = this.statements(gen).get.get(BigInt(rowid)) as { embedding: Buffer } | undefined;
    return row ? new Float32Array(row.embedding.buffer, row.embedding.byteOffset, row.embedding.byteLength / 4) : null;
  }

  /** Nearest neighbours by cosine distance in the active generation. */
  knn(vector: Float32Array, k: number, area?: string): { rowid: number; distance: number }[] {
    if (!this.active) return [];
    const s = this.statements(this.active);
    const rows = (area ? s.knnArea.all(vector, k, area) : s.knn.all(vector, k)) as { rowid: number; distance: number }[];
    return rows;
  }

  private createGeneration(embedder: string, dims: number, state: 'active' | 'building'): Generation {
    const info = this.db.prepare('INSERT INTO memory_vec_generations (embedder, dims, state) VALUES (?, ?, ?)').run(embedder, dims, state);
    const gen = Number(info.lastInsertRowid);
    this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS memory_vec_${gen} USING vec0(area text, embedding float[${dims}] distance_metric=cosine)`);
    return { gen, embedder, dims, state, done: 0 };
  }

  private dropGeneration(g: Generation): void {
    this.db.exec(`DROP TABLE IF EXISTS memory_vec_${g.gen}`);
    this.db.prepare('DELETE FROM memory_vec_generations WHERE gen = ?').run(g.gen);
    this.stmts.delete(g.gen);
  }

  private statements(g: Generation) {
    let s = this.stmts.get(g.gen);
    if (!s) {
      const t = `memory_vec_${g.gen}`;
      s = {
        insert: this.db.prepare(`INSERT INTO ${t} (rowid, area, embedding) VALUES (?, ?, ?)`),
        remove: this.db.prepare(`DELETE FROM ${t} WHERE rowid = ?`),
        get: this.db.prepare(`SELECT embedding FROM ${t} WHERE rowid = ?`),
        knn: this.db.prepare(`SELECT rowid, distance FROM ${t} WHERE embedding MATCH ? AND k = ?`),
        knnArea: this.db.prepare(`SELECT rowid, distance FROM ${t} WHERE embedding MATCH ? AND k = ? AND area = ?`),
      };
      this.stmts.set(g.gen, s);
    }
    return s;
  }
}
