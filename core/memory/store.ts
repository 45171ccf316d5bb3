import type { AppEvent, Memory, MemoryArea } from '../contract/index.js';
import type { ReadableDB, ReadStatement, WritableDB } from '../db/index.js';
import { normalizeForDedup } from './text.js';

export type MemoryRow = {
  rowid: number;
  id: string;
  area: MemoryArea;
  text: string;
  norm: string;
  pinned: number;
  created_at: number;
  updated_at: number;
  source_kind: Memory['source']['kind'];
  source_run_id: string | null;
  source_message_id: string | null;
  embedder: string;
  supersedes: string | null;
  superseded_by: string | null;
  conflicts_with: string | null;
};

export function rowToMemory(row: MemoryRow): Memory {
  return {
    id: row.id,
    text: row.text,
    area: row.area,
    pinned: row.pinned === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    source: { kind: row.source_kind, runId: row.source_run_id, messageId: row.source_message_id },
    embedder: row.embedder,
    supersedes: row.supersedes,
    conflictsWith: row.conflicts_with,
  };
}

/**
 * The memories table kept by memory events (the full-text index follows by trigger). Vectors and
 * MinHash keys are derived indexes written by the service in the same transaction.
 */
export function createMemoryProjector(db: WritableDB): (event: AppEvent) => void {
  const insert = db.prepare(
    `INSERT INTO memories (id, area, text, norm, pinned, created_at, updated_at, source_kind, source_run_id, source_message_id, embedder, supersedes, superseded_by, conflicts_with)
     VALUES (@id, @area, @text, @norm, @pinned, @createdAt, @updatedAt, @kind, @runId, @messageId, @embedder, @supersedes, @supersededBy, @conflictsWith)`,
  );
  const markSuperseded = db.prepare('UPDATE memories SET superseded_by = ? WHERE id = ?');
  // A merge refreshes the times, and the source when the new mention points at a conversation (or the old one did not).
  const merged = db.prepare(
    `UPDATE memories SET updated_at = max(updated_at, @ts), created_at = min(created_at, @createdAt),
       source_kind = CASE WHEN @kind = 'run' OR source_kind <> 'run' THEN @kind ELSE source_kind END,
       source_run_id = CASE WHEN @kind = 'run' OR source_kind <> 'run' THEN @runId ELSE source_run_id END,
       source_message_id = CASE WHEN @kind = 'run' OR source_kind <> 'run' THEN @messageId ELSE source_message_id END
     WHERE id = @id`,
  );
  const updated = db.prepare('UPDATE memories SET text = ?, norm = ?, area = ?, updated_at = ?, conflicts_with = NULL WHERE id = ?');
  const pinned = db.prepare('UPDATE memories SET pinned = ?, updated_at = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM memories WHERE id = ?');
  const unlink = db.prepare('UPDATE memories SET supersedes = NULL WHERE supersedes = ?');
  const unlinkBy = db.prepare('UPDATE memories SET superseded_by = NULL WHERE superseded_by = ?');
  const unconflict = db.prepare('UPDATE memories SET conflicts_with = NULL WHERE conflicts_with = ?');
  return (event) => {
    switch (event.type) {
      case 'memory.added': {
        const d = event.data;
        const supersededBy = d.conflictsWith && !d.supersedes ? d.conflictsWith : null;
        insert.run({
          id: d.memoryId,
          area: d.area,
          text: d.text,
          norm: normalizeForDedup(d.text),
          pinned: d.pinned ? 1 : 0,
          createdAt: d.createdAt,
          updatedAt: Math.max(d.updatedAt ?? d.createdAt, d.createdAt),
          kind: d.source.kind,
          runId: d.source.runId,
          messageId: d.source.messageId,
          embedder: d.embedder,
          supersedes: d.supersedes,
          supersededBy,
          conflictsWith: d.conflictsWith,
        });
        if (d.supersedes) markSuperseded.run(d.memoryId, d.supersedes);
        break;
      }
      case 'memory.merged':
        merged.run({ ts: event.ts, createdAt: event.data.createdAt, kind: event.data.source.kind, runId: event.data.source.runId, messageId: event.data.source.messageId, id: event.data.memoryId });
        break;
      case 'memory.updated':
        updated.run(event.data.text, normalizeForDedup(event.data.text), event.data.area, event.ts, event.data.memoryId);
        break;
      case 'memory.pinned':
        pinned.run(event.data.pinned ? 1 : 0, event.ts, event.data.memoryId);
        break;
      case 'memory.forgotten':
        for (const id of event.data.memoryIds) {
          remove.run(id);
          unlink.run(id);
          unlinkBy.run(id);
          unconflict.run(id);
        }
        break;
      default:
        break;
    }
  };
}

/** Read paths over the memories table and its full-text index. */
export class MemoryQueries {
  private readonly byId: ReadStatement;
  private readonly byNorm: ReadStatement;
  private readonly byRowids = new Map<number, ReadStatement>();
  private readonly bm25: ReadStatement;
  private readonly bm25Area: ReadStatement;

  constructor(private readonly db: ReadableDB) {
    this.byId = db.prepare('SELECT * FROM memories WHERE id = ?');
    this.byNorm = db.prepare('SELECT * FROM memories WHERE norm = ?');
    this.bm25 = db.prepare('SELECT rowid, bm25(memories_fts) AS score FROM memories_fts WHERE memories_fts MATCH ? ORDER BY score LIMIT ?');
    this.bm25Area = db.prepare(
      'SELECT f.rowid, bm25(memories_fts) AS score FROM memories_fts f JOIN memories m ON m.rowid = f.rowid WHERE memories_fts MATCH ? AND m.area = ? ORDER BY score LIMIT ?',
    );
  }

  get(id: string): MemoryRow | undefined {
    return this.byId.get(id) as MemoryRow | undefined;
  }

  getByNorm(norm: string): MemoryRow | undefined {
    return this.byNorm.get(norm) as MemoryRow | undefined;
  }

  /** What dedup needs of candidate rows (not the whole row), in no particular order. */
  getLight(rowids: number[]): Pick<MemoryRow, 'rowid' | 'id' | 'area' | 'text' | 'created_at'>[] {
    if (!rowids.length) return [];
    let stmt = this.light.get(rowids.length);
    if (!stmt) {
      stmt = this.db.prepare(`SELECT rowid, id, area, text, created_at FROM memories WHERE rowid IN (${rowids.map(() => '?').join(',')})`);
      this.light.set(rowids.length, stmt);
    }
    return stmt.all(...rowids) as Pick<MemoryRow, 'rowid' | 'id' | 'area' | 'text' | 'created_at'>[];
  }

  private readonly light = new Map<number, ReadStatement>();

  /** Rows for rowids, in no particular order. */
  getMany(rowids: number[]): MemoryRow[] {
    const out: MemoryRow[] = [];
    for (let i = 0; i < rowids.length; i += 100) {
      const chunk = rowids.slice(i, i + 100);
      let stmt = this.byRowids.get(chunk.length);
      if (!stmt) {
        stmt = this.db.prepare(`SELECT * FROM memories WHERE rowid IN (${chunk.map(() => '?').join(',')})`);
        this.byRowids.set(chunk.length, stmt);
      }
      out.push(...(stmt.all(...chunk) as MemoryRow[]));
    }
    return out;
  }

  /**
   * How many memories contain each (stemmed) term, from the full-text index's vocabulary. Cached
   * until the next write.
   */
  termCounts(stems: string[]): Map<string, number> {
    // The vocabulary table is part of the schema (migration 0140): a reader only selects from it.
    this.vocab ??= this.db.prepare('SELECT doc FROM memories_vocab WHERE term = ?');
    const out = new Map<string, number>();
    for (const s of stems) {
      let n = this.termCache.get(s);
      if (n === undefined) {
        n = (this.vocab.get(s) as { doc: number } | undefined)?.doc ?? 0;
        this.termCache.set(s, n);
      }
      out.set(s, n);
    }
    return out;
  }

  /** Number of memories, cached until the next write. */
  size(): number {
    this.count ??= (this.db.prepare('SELECT count(*) AS n FROM memories').get() as { n: number }).n;
    return this.count;
  }

  invalidateTermCounts(): void {
    this.termCache.clear();
    this.count = null;
  }

  private vocab: ReadStatement | null = null;
  private readonly termCache = new Map<string, number>();
  private count: number | null = null;

  /** Best BM25 matches (lower score is better in SQLite's bm25). */
  fullText(match: string, limit: number, area?: MemoryArea): { rowid: number; score: number }[] {
    if (!match) return [];
    return (area ? this.bm25Area.all(match, area, limit) : this.bm25.all(match, limit)) as { rowid: number; score: number }[];
  }

  list(filter: { area?: MemoryArea; pinned?: boolean }, limit: number, offset: number): { rows: MemoryRow[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.area) {
      where.push('area = ?');
      params.push(filter.area);
    }
    if (filter.pinned !== undefined) {
      where.push('pinned = ?');
      params.push(filter.pinned ? 1 : 0);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db.prepare(`SELECT * FROM memories ${clause} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`).all(...params, limit, offset) as MemoryRow[];
    const total = (this.db.prepare(`SELECT count(*) AS n FROM memories ${clause}`).get(...params) as { n: number }).n;
    return { rows, total };
  }

  /** Every row, oldest first, a page at a time. */
  *all(): Generator<MemoryRow> {
    const page = this.db.prepare('SELECT * FROM memories WHERE rowid > ? ORDER BY rowid LIMIT 1000');
    let after = 0;
    for (;;) {
      const rows = page.all(after) as MemoryRow[];
      if (!rows.length) return;
      yield* rows;
      after = rows[rows.length - 1].rowid;
    }
  }

  counts(): { total: number; byArea: Record<string, number>; pinned: number; conflicts: number } {
    const byArea: Record<string, number> = {};
    let total = 0;
    for (const r of this.db.prepare('SELECT area, count(*) AS n FROM memories GROUP BY area').all() as { area: string; n: number }[]) {
      byArea[r.area] = r.n;
      total += r.n;
    }
    const pinned = (this.db.prepare('SELECT count(*) AS n FROM memories WHERE pinned = 1').get() as { n: number }).n;
    const conflicts = (this.db.prepare('SELECT count(*) AS n FROM memories WHERE conflicts_with IS NOT NULL').get() as { n: number }).n;
    return { total, byArea, pinned, conflicts };
  }
}
