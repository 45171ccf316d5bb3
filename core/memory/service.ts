import type { Statement } from 'better-sqlite3';
import {
  AppError,
  type EmbedderConfig,
  type Memory,
  type MemoryArea,
  type MemoryHit,
  type MemorySource,
  type MemoryStatus,
} from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import { TimelineQueries } from '../timeline/index.js';
import type { Clock } from '../util/index.js';
import type { Ids } from '../util/index.js';
import type { Logger } from '../util/index.js';
import { relate } from './dedup.js';
import { wordingCosine, type Embedder } from './embedder.js';
import { memoryToJsonLine, parseMemoryJsonl, type ImportItem } from './jsonl.js';
import { LshIndex, bandKeys } from './lsh.js';
import { withoutTaskPrefixes, type EmbedPurpose } from './prefixes.js';
import { Reembedder } from './reembed.js';
import { hybridSearch, type SearchOptions } from './search.js';
import { MemoryQueries, rowToMemory, type MemoryRow } from './store.js';
import { contentWords, normalizeForDedup, stem } from './text.js';
import { VectorIndex } from './vector-index.js';
import { LexicalIndex } from './lexical.js';
import { prepareWordNet } from './wordnet.js';
import { lexiconIfLoaded } from './lexicon/index.js';

export interface MemoryServiceDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** Builds the embedder for a configuration (Ollama needs the host from settings). */
  makeEmbedder(config: EmbedderConfig): Embedder;
  /**
   * Search answers at once while WordNet loads (the app and the host, whose first start may build
   * it for seconds), from plain words; writes always wait for it, so a stored vector never depends
   * on when it was written. Otherwise (a command) search waits too.
   */
  answerBeforeWordNet?: boolean;
  /**
   * A command's core, which lives for one command: a search finds the re-embedding into a local
   * embedder's vectors (the offline embedder after a version change) running, and carries it on
   * first, for up to REEMBED_BEFORE_SEARCH of CPU time, so it answers with the new vectors rather
   * than full text alone; a store too large for that keeps what was done and goes on at the next
   * command. A running app leaves it to the background, as ever.
   */
  reembedBeforeSearch?: boolean;
}

/**
 * How much CPU time a command's search spends finishing a local re-embedding before it answers, and
 * how long it waits at most (other processes may take the CPU meanwhile): a search always answers.
 */
const REEMBED_BEFORE_SEARCH_US = 2_000_000;
const REEMBED_BEFORE_SEARCH_WALL_MS = 4_000;

export interface AddInput {
  text: string;
  area: MemoryArea;
  pinned?: boolean;
  createdAt?: number;
  updatedAt?: number;
  source?: MemorySource;
}

export type AddOutcome = { outcome: 'added' | 'duplicate' | 'merged'; memory: Memory; conflictsWith: string | null };

const IMPORT_BATCH = 500;
type NearbyRow = Pick<MemoryRow, 'rowid' | 'id' | 'area' | 'text' | 'created_at'>;

/**
 * The memory capability: writes keep the row, the full-text index, the vector index and the event
 * in one transaction; search is hybrid; the embedder can change while search keeps working.
 */
export class MemoryService {
  readonly queries: MemoryQueries;
  readonly vectors: VectorIndex;
  private readonly lsh: LshIndex;
  /** Built at the first search, then kept current by every write. */
  private lexical: LexicalIndex | null = null;
  /** Whether `lexical` was built with WordNet (two-word terms); one built before is built again once it is there. */
  private lexicalHasWordNet = false;
  private embedder: Embedder;
  private readonly reembedder: Reembedder;
  private readonly getMeta;
  private readonly setMeta;
  private readonly anyMemory: Statement;
  private readonly timeline: TimelineQueries;

  constructor(private readonly deps: MemoryServiceDeps) {
    const { db } = deps;
    this.queries = new MemoryQueries(db);
    this.vectors = new VectorIndex(db);
    this.lsh = new LshIndex(db);
    const get = db.prepare('SELECT value FROM memory_meta WHERE key = ?');
    const set = db.prepare('INSERT INTO memory_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.getMeta = (key: string): unknown => {
      const row = get.get(key) as { value: string } | undefined;
      return row ? JSON.parse(row.value) : undefined;
    };
    this.setMeta = (key: string, value: unknown) => set.run(key, JSON.stringify(value));
    this.anyMemory = db.prepare('SELECT 1 FROM memories LIMIT 1');
    this.timeline = new TimelineQueries(db);
    this.embedder = deps.makeEmbedder(this.embedderConfig());
    this.reembedder = new Reembedder({
      db,
      log: deps.log,
      vectors: this.vectors,
      logger: deps.logger,
      onFinished: (embedder, config) => {
        this.embedder = embedder;
        this.setMeta('embedder', config);
        this.setMeta('embedderTarget', null);
      },
    });
  }

  /**
   * Loads what the embedder needs (the offline embedder's WordNet) ahead of the first write, so
   * remembering something does not wait for it. Failures are logged; the first write tries again.
   */
  async prepare(): Promise<void> {
    try {
      await this.embedder.ready?.();
      // The first texts embedded fill WordNet's lookup caches; do that now, not in someone's write.
      this.embedder.embedSync?.(['my sister remembered the appointment at the dentist next week'], 'document');
    } catch (err) {
      this.deps.logger.log('warn', 'memory: preparing the embedder failed; the first memory write will try again', { error: String(err) });
    }
  }

  /**
   * Resumes a re-embedding a previous process left unfinished, or starts one when the index was
   * built by an older version of the configured embedder (the offline embedder's features change
   * between versions; a model's task prefixes were added or changed); search answers from full text
   * alone until it is done, or, for an index of the same model without task prefixes, from that
   * index, embedding queries and new memories as it was made. That holds too while a switch to
   * another embedder, left unfinished by an older version, goes on.
   */
  start(): void {
    const target = this.getMeta('embedderTarget') as EmbedderConfig | null | undefined;
    const config = this.embedderConfig();
    const configured = this.embedder;
    const outdated = this.vectors.activeGeneration() !== null && !this.vectorsMatchEmbedder();
    if (outdated) this.usePlainIndexOf(config);
    if (target) this.reembedder.start(this.deps.makeEmbedder(target), target);
    else if (outdated) this.reembedder.start(configured, config);
  }

  /**
   * Searches, and writes new memories into, an index this model made of plain text (an older
   * version's, from before task prefixes) with plain text, queries too: vectors made after a prefix
   * are not comparable with it.
   */
  private usePlainIndexOf(config: EmbedderConfig): void {
    if (config.kind === 'offline') return;
    const plain = this.deps.makeEmbedder(withoutTaskPrefixes(config));
    if (plain.name !== this.embedder.name && plain.name === this.vectors.activeGeneration()?.embedder) this.embedder = plain;
  }

  /** Whether the active vector index was made by the embedder that embeds queries now. */
  private vectorsMatchEmbedder(): boolean {
    return this.vectors.activeGeneration()?.embedder === this.embedder.name;
  }

  embedderConfig(): EmbedderConfig {
    return (this.getMeta('embedder') as EmbedderConfig | undefined) ?? { kind: 'offline' };
  }

  async add(input: AddInput, options: { lookNearby?: boolean } = {}): Promise<AddOutcome> {
    const existing = this.queries.getByNorm(normalizeForDedup(input.text));
    if (existing) return { outcome: 'duplicate', memory: rowToMemory(existing), conflictsWith: null };
    const [vector] = await this.embedActive([input.text], 'document');
    const [next] = await this.embedBuilding([input.text]);
    await this.ensureActive();
    await this.lexicalIndex();
    return this.deps.log.transaction(() => this.write(input, vector, next ?? null, options.lookNearby ?? true));
  }

  /** The memory that already says `text` (the same after normalising, or a near duplicate), if any. */
  async alreadyRemembered(text: string, area: MemoryArea): Promise<Memory | null> {
    const exact = this.queries.getByNorm(normalizeForDedup(text));
    if (exact) return rowToMemory(exact);
    let vector: Float32Array;
    try {
      [vector] = await this.embedActive([text], 'document');
    } catch {
      return null; // the embedder is down: only the exact text can be recognised
    }
    const lexical = await this.lexicalIndex();
    for (const c of this.nearby(area, text, vector, bandKeys(text), true)) if (relate(text, c.row.text, c.cosine, (s) => lexical.idf(s)) === 'near_duplicate') return this.get(c.row.id);
    return null;
  }

  /** Imports JSONL: exact duplicates skipped, near duplicates merged, bad lines reported by number. */
  async importJsonl(jsonl: string, firstLine = 1): Promise<{ imported: number; deduped: number; merged: number; errors: { line: number; message: string }[] }> {
    const parsed = parseMemoryJsonl(jsonl);
    const items = parsed.items;
    const errors = parsed.errors.map((e) => ({ ...e, line: e.line + firstLine - 1 }));
    let imported = 0;
    let deduped = 0;
    let merged = 0;
    await this.ensureActive();
    await this.lexicalIndex();
    for (let i = 0; i < items.length; i += IMPORT_BATCH) {
      const batch = items.slice(i, i + IMPORT_BATCH);
      const vectors = await this.embedActive(batch.map((b) => b.text), 'document');
      const next = await this.embedBuilding(batch.map((b) => b.text));
      this.deps.log.transaction(() => {
        batch.forEach((item: ImportItem, j) => {
          const input: AddInput = {
            text: item.text,
            area: item.area,
            pinned: item.pinned,
            createdAt: item.createdAt ?? undefined,
            updatedAt: item.updatedAt ?? undefined,
            source: { kind: 'import', runId: null, messageId: null },
          };
          // Bulk import looks for near duplicates through MinHash bands and the full-text index, not a vector scan per line.
          const r = this.queries.getByNorm(normalizeForDedup(item.text)) ? null : this.write(input, vectors[j], next[j] ?? null, false);
          if (!r || r.outcome === 'duplicate') deduped++;
          else if (r.outcome === 'merged') merged++;
          else imported++;
        });
      });
      // A big import must not freeze every other client: let them in between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { imported, deduped: deduped + merged, merged, errors };
  }

  exportJsonl(): { jsonl: string; count: number } {
    const lines: string[] = [];
    for (const row of this.queries.all()) lines.push(memoryToJsonLine(rowToMemory(row)));
    lines.sort((a, b) => (JSON.parse(a).created_at < JSON.parse(b).created_at ? -1 : 1));
    return { jsonl: lines.length ? lines.join('\n') + '\n' : '', count: lines.length };
  }

  async search(query: string, options: Omit<SearchOptions, 'profile'> & Pick<SearchOptions, 'profile'>): Promise<{ hits: MemoryHit[]; tookMs: number }> {
    const started = performance.now();
    let vector: Float32Array | null = null;
    const now = this.deps.answerBeforeWordNet === true;
    if (this.deps.reembedBeforeSearch && this.reembedder.target()?.embedSync) {
      const from = process.cpuUsage();
      await this.reembedder.whileNot(() => {
        const used = process.cpuUsage(from);
        return used.user + used.system >= REEMBED_BEFORE_SEARCH_US;
      }, REEMBED_BEFORE_SEARCH_WALL_MS);
    }
    try {
      if (this.vectorsMatchEmbedder()) [vector] = now && this.embedder.embedSync ? this.embedder.embedSync([query], 'query') : await this.embedActive([query], 'query');
    } catch (err) {
      // Full-text search still answers when the embedder is down; the hits show no vector rank.
      this.deps.logger.log('warn', 'memory search without vectors: the embedder failed', { error: String(err) });
    }
    const lexical = await this.lexicalIndex(!now);
    const hits = hybridSearch({ queries: this.queries, vectors: this.vectors, lexical, now: this.deps.clock.now() }, query, vector, options);
    return { hits, tookMs: performance.now() - started };
  }

  list(filter: { area?: MemoryArea; pinned?: boolean }, limit: number, offset: number): { memories: Memory[]; total: number } {
    const { rows, total } = this.queries.list(filter, limit, offset);
    return { memories: rows.map(rowToMemory), total };
  }

  get(id: string): Memory {
    return rowToMemory(this.row(id));
  }

  async update(id: string, patch: { text?: string; area?: MemoryArea }): Promise<Memory> {
    const row = this.row(id);
    const text = patch.text ?? row.text;
    const area = patch.area ?? row.area;
    const clash = this.queries.getByNorm(normalizeForDedup(text));
    if (clash && clash.id !== id) throw new AppError('conflict', `another memory (${clash.id}) already says this`);
    const [vector] = await this.embedActive([text], 'document');
    const [next] = await this.embedBuilding([text]);
    return this.deps.log.transaction(() => {
      const current = this.row(id);
      this.deps.log.append('memory.updated', { memoryId: id, text, area });
      this.index(current.rowid, text, area, vector, next ?? null);
      return this.get(id);
    });
  }

  pin(id: string, pinned: boolean): Memory {
    return this.deps.log.transaction(() => {
      const row = this.row(id);
      if ((row.pinned === 1) !== pinned) this.deps.log.append('memory.pinned', { memoryId: id, pinned });
      return this.get(id);
    });
  }

  /** Removes memories from the table, the full-text index and every vector index. */
  forget(ids: string[]): number {
    const unique = [...new Set(ids)];
    return this.deps.log.transaction(() => {
      const rows = unique.map((id) => this.queries.get(id));
      const missing = unique.filter((_, i) => !rows[i]);
      if (missing.length) throw new AppError('not_found', `no memory ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
      this.deps.log.append('memory.forgotten', { memoryIds: unique });
      for (const row of rows as MemoryRow[]) {
        this.vectors.remove(row.rowid);
        this.lsh.delete(row.rowid);
        this.lexical?.remove(row.rowid);
      }
      this.vectors.invalidateSize();
      this.queries.invalidateTermCounts();
      return unique.length;
    });
  }

  status(): MemoryStatus {
    const counts = this.queries.counts();
    return {
      ...counts,
      embedder: this.embedder.name,
      reembed: this.reembedder.progress(),
      autoAcceptProposals: this.getMeta('autoAcceptProposals') === true,
      extractAfterRuns: this.extractAfterRuns(),
    };
  }

  extractAfterRuns(): boolean {
    return this.getMeta('extractAfterRuns') === true;
  }

  /** Changes the embedder (re-embeds in the background), auto-accept and extraction after runs. */
  async configure(patch: { embedder?: EmbedderConfig; autoAcceptProposals?: boolean; extractAfterRuns?: boolean }): Promise<MemoryStatus> {
    if (patch.autoAcceptProposals !== undefined || patch.extractAfterRuns !== undefined) {
      const autoAcceptProposals = patch.autoAcceptProposals ?? this.getMeta('autoAcceptProposals') === true;
      const extractAfterRuns = patch.extractAfterRuns ?? this.extractAfterRuns();
      this.deps.log.transaction(() => {
        this.setMeta('autoAcceptProposals', autoAcceptProposals);
        this.setMeta('extractAfterRuns', extractAfterRuns);
        this.deps.log.append('memory.configured', { autoAcceptProposals, extractAfterRuns });
      });
    }
    if (patch.embedder) {
      const target = this.deps.makeEmbedder(patch.embedder);
      // Fail now, with a readable message, if the embedder cannot answer at all.
      await target.dims();
      if (target.name === this.embedder.name && !this.reembedder.progress()) {
        this.setMeta('embedder', patch.embedder);
      } else {
        this.setMeta('embedderTarget', patch.embedder);
        this.reembedder.start(target, patch.embedder);
      }
    }
    return this.status();
  }

  /**
   * The memories most relevant to `query`, as lines for the prompt, within `budgetTokens` (about 4
   * characters a token). Pinned memories come first; only confident hits count, so an unrelated
   * question brings nothing in.
   */
  async recallForPrompt(query: string, budgetTokens: number): Promise<string | null> {
    if (!query.trim() || budgetTokens <= 0) return null;
    // Nothing to recall: answer without loading the embedder (the first chat turn stays fast).
    if (!this.anyMemory.get()) return null;
    const { hits } = await this.search(query.slice(0, 2000), { limit: 20 });
    // Long shots stay out: an unrelated message brings nothing into the prompt.
    const relevant = hits.filter((h) => h.confident);
    relevant.sort((a, b) => Number(b.memory.pinned) - Number(a.memory.pinned));
    const lines: string[] = [];
    let used = 0;
    for (const h of relevant) {
      const line = `- (${h.memory.area}, ${new Date(h.memory.createdAt).toISOString().slice(0, 10)}) ${h.memory.text.replace(/\s+/g, ' ')}`;
      const cost = Math.ceil(line.length / 4) + 1;
      if (used + cost > budgetTokens) continue;
      lines.push(line);
      used += cost;
    }
    return lines.length ? lines.join('\n') : null;
  }

  /** The database, for the memory capability's own helpers (consolidation). */
  db(): WritableDB {
    return this.deps.db;
  }

  /** The first message of a run (the user's), so a memory saved by the agent can point at it. */
  firstMessageOfRun(runId: string): string | null {
    return this.timeline.firstMessageOfRun(runId);
  }

  /** Resolves when a background re-embedding (if any) has ended. */
  whenReembedded(): Promise<void> {
    return this.reembedder.idle();
  }

  /** Why the last re-embedding failed (the previous index stays in use), or null. */
  reembedFailure(): { embedder: string; error: string } | null {
    return this.reembedder.failure();
  }

  async close(): Promise<void> {
    await this.reembedder.stop();
  }

  private write(input: AddInput, vector: Float32Array, next: Float32Array | null, lookNearby: boolean): AddOutcome {
    const { log, clock, ids } = this.deps;
    const now = clock.now();
    const createdAt = input.createdAt ?? now;
    const source = input.source ?? { kind: 'user', runId: null, messageId: null };
    const existing = this.queries.getByNorm(normalizeForDedup(input.text));
    if (existing) return { outcome: 'duplicate', memory: rowToMemory(existing), conflictsWith: null };
    const keys = bandKeys(input.text);
    const related = this.nearby(input.area, input.text, vector, keys, lookNearby);
    let conflict: { row: NearbyRow; cosine: number } | null = null;
    for (const c of related) {
      const lexical = this.lexical;
      const relation = relate(input.text, c.row.text, c.cosine, lexical ? (s) => lexical.idf(s) : undefined);
      if (relation === 'near_duplicate') {
        log.append('memory.merged', { memoryId: c.row.id, text: input.text, similarity: c.cosine, source, createdAt });
        return { outcome: 'merged', memory: this.get(c.row.id), conflictsWith: null };
      }
      // Fragments are snippets of conversation, not statements of fact: snippets about the same
      // kind of thing ("asked about the new gym", "asked about the new bakery") are not a changed fact.
      if (relation === 'conflict' && input.area !== 'fragments' && (!conflict || c.cosine > conflict.cosine)) conflict = c;
    }
    const memoryId = ids.next('mem');
    const newer = conflict ? createdAt >= conflict.row.created_at : false;
    log.append('memory.added', {
      memoryId,
      text: input.text,
      area: input.area,
      pinned: input.pinned ?? false,
      createdAt,
      ...(input.updatedAt !== undefined ? { updatedAt: input.updatedAt } : {}),
      source,
      embedder: this.embedder.name,
      supersedes: conflict && newer ? conflict.row.id : null,
      conflictsWith: conflict ? conflict.row.id : null,
    });
    const row = this.row(memoryId);
    this.index(row.rowid, input.text, input.area, vector, next, keys);
    return { outcome: 'added', memory: rowToMemory(row), conflictsWith: conflict?.row.id ?? null };
  }

  /** Existing memories of the same area that might duplicate or contradict a new one, best first. */
  private nearby(area: MemoryArea, text: string, vector: Float32Array, keys: number[], useVectors: boolean): { row: NearbyRow; cosine: number }[] {
    const gen = this.vectors.activeGeneration();
    if (!gen || !this.vectorsMatchEmbedder()) return [];
    const fromVectors = new Set(useVectors ? this.vectors.knn(vector, 5, area).map((n) => n.rowid) : []);
    // The memories sharing the most rare words: a reworded duplicate keeps its names and things.
    for (const rowid of this.lexical?.similar(text, 3, area) ?? []) fromVectors.add(rowid);
    const rowids = new Set([...this.lsh.candidates(keys, 8), ...fromVectors]);
    const stems = new Set(contentWords(text).map(stem));
    const cosine = wordingCosine(gen.embedder);
    const out: { row: NearbyRow; cosine: number }[] = [];
    for (const row of this.queries.getLight([...rowids])) {
      if (row.area !== area) continue;
      // Band candidates must share half their topic words before a vector is read (the expensive part).
      if (!fromVectors.has(row.rowid) && overlap(stems, row.text) < 0.5) continue;
      const v = this.vectors.vector(gen, row.rowid);
      if (v) out.push({ row, cosine: cosine(v, vector) });
    }
    return out.sort((a, b) => b.cosine - a.cosine);
  }

  private index(rowid: number, text: string, area: MemoryArea, vector: Float32Array, next: Float32Array | null, keys = bandKeys(text)): void {
    const active = this.vectors.activeGeneration();
    if (active) this.vectors.put(active, rowid, area, vector);
    const building = this.vectors.buildingGeneration();
    if (building && next) this.vectors.put(building, rowid, area, next);
    this.lsh.put(rowid, keys);
    this.lexical?.put(rowid, text, area);
    this.vectors.invalidateSize();
    this.queries.invalidateTermCounts();
  }

  /**
   * The in-memory full-text index, read from the table once WordNet is there (it finds two-word
   * terms). Without `waitForWordNet`, an index of plain words answers while WordNet loads, and is
   * read again once it has.
   */
  private async lexicalIndex(waitForWordNet = true): Promise<LexicalIndex> {
    const current = () => (this.lexical && (this.lexicalHasWordNet || !lexiconIfLoaded()) ? this.lexical : null);
    if (current()) return this.lexical!;
    if (waitForWordNet) await prepareWordNet();
    else
      void prepareWordNet().catch((err: unknown) => {
        this.deps.logger.log('warn', 'memory: loading WordNet failed; search uses plain words', { error: String(err) });
      });
    if (current()) return this.lexical!;
    const index = new LexicalIndex();
    const hasWordNet = lexiconIfLoaded() !== null;
    for (const row of this.queries.all()) index.put(row.rowid, row.text, row.area);
    this.lexical = index;
    this.lexicalHasWordNet = hasWordNet;
    return index;
  }

  private row(id: string): MemoryRow {
    const row = this.queries.get(id);
    if (!row) throw new AppError('not_found', `no memory ${id}`);
    return row;
  }

  private async ensureActive(): Promise<void> {
    if (this.vectors.activeGeneration()) return;
    const dims = await this.embedder.dims();
    if (!this.vectors.activeGeneration()) this.deps.log.transaction(() => this.vectors.createActive(this.embedder.name, dims));
  }

  /** Vectors of the embedder whose index search uses now: of memories (`document`) or of a query. */
  private async embedActive(texts: string[], purpose: EmbedPurpose): Promise<Float32Array[]> {
    await this.embedder.ready?.();
    return this.embedder.embedSync ? this.embedder.embedSync(texts, purpose) : this.embedder.embed(texts, purpose);
  }

  /** Memories' vectors for the index being built by a re-embedding, if one is running. */
  private async embedBuilding(texts: string[]): Promise<(Float32Array | undefined)[]> {
    const target = this.reembedder.target();
    if (!target) return [];
    await target.ready?.();
    return target.embedSync ? target.embedSync(texts, 'document') : target.embed(texts, 'document');
  }
}

function overlap(stems: Set<string>, text: string): number {
  const other = new Set(contentWords(text).map(stem));
  if (!stems.size || !other.size) return 0;
  let shared = 0;
  for (const w of other) if (stems.has(w)) shared++;
  return shared / Math.min(stems.size, other.size);
}
