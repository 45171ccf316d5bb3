import type { EmbedderConfig } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { Logger } from '../util/index.js';
import type { Embedder } from './embedder.js';
import type { VectorIndex } from './vector-index.js';

const BATCH = 256;
const PROGRESS_EVERY = 2048;

/**
 * Fills a new vector index with a new embedder in the background, a batch at a time, yielding to
 * the event loop between batches. Searches keep using the old index and the old embedder until the
 * new index is complete; then both switch in one transaction.
 */
export class Reembedder {
  private running: { embedder: Embedder; done: number; total: number; stopped: boolean; promise: Promise<void>; afterBatch: Set<() => void> } | null = null;
  private failed: { embedder: string; error: string } | null = null;

  constructor(
    private readonly deps: {
      db: WritableDB;
      log: EventLog;
      vectors: VectorIndex;
      logger: Logger;
      onFinished(embedder: Embedder, config: EmbedderConfig): void;
    },
  ) {}

  target(): Embedder | null {
    return this.running?.embedder ?? null;
  }

  progress(): { embedder: string; done: number; total: number } | null {
    return this.running ? { embedder: this.running.embedder.name, done: this.running.done, total: this.running.total } : null;
  }

  /** Why the last re-embedding ended without finishing (the previous index stays in use), until another starts. */
  failure(): { embedder: string; error: string } | null {
    return this.failed;
  }

  start(embedder: Embedder, config: EmbedderConfig): void {
    this.failed = null;
    if (this.running) this.running.stopped = true;
    const state = { embedder, done: 0, total: 0, stopped: false, promise: Promise.resolve(), afterBatch: new Set<() => void>() };
    const previous = this.running?.promise ?? Promise.resolve();
    this.running = state;
    state.promise = previous.then(() => this.run(state, config));
  }

  async idle(): Promise<void> {
    while (this.running) await this.running.promise;
  }

  /**
   * Resolves when the running re-embedding (if any) has ended, or once a batch it committed leaves
   * `spent()` true: a caller that waits for the new vectors, within a budget, without stopping the
   * re-embedding or losing what it did (every batch is committed as it goes; the next process resumes).
   * Resolves after `wallMs` at the latest, however long a batch takes.
   */
  async whileNot(spent: () => boolean, wallMs = Infinity): Promise<void> {
    const state = this.running;
    if (!state) return;
    await new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const done = () => {
        if (timer) clearTimeout(timer);
        state.afterBatch.delete(check);
        resolve();
      };
      const check = () => {
        if (spent()) done();
      };
      state.afterBatch.add(check);
      if (Number.isFinite(wallMs)) timer = setTimeout(done, wallMs);
      state.promise.then(done, done);
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running.stopped = true;
    await this.running.promise;
  }

  private async run(state: NonNullable<Reembedder['running']>, config: EmbedderConfig): Promise<void> {
    const { db, log, vectors } = this.deps;
    const page = db.prepare('SELECT rowid, text, area FROM memories WHERE rowid > ? ORDER BY rowid LIMIT ?');
    const count = db.prepare('SELECT count(*) AS n FROM memories');
    const current = db.prepare('SELECT area, text FROM memories WHERE rowid = ?');
    try {
      if (state.stopped) return;
      const dims = await state.embedder.dims();
      state.total = (count.get() as { n: number }).n;
      // A re-embedding an earlier process left unfinished, for this same embedder, goes on where it
      // stopped: every write since went to its index too (see MemoryService.index), so the memories it
      // holds are current. A short-lived command that starts the core would otherwise begin again each
      // time and, on a large store, never finish.
      const unfinished = vectors.buildingGeneration();
      const resume = unfinished !== null && unfinished.embedder === state.embedder.name && unfinished.dims === dims;
      log.transaction(() => {
        if (resume) state.done = vectors.count(unfinished);
        else vectors.createBuilding(state.embedder.name, dims);
        log.append('memory.embedder', { embedder: state.embedder.name, state: 'started', done: state.done, total: state.total, error: null });
      });
      let after = 0;
      let reported = state.done;
      for (;;) {
        if (state.stopped) return;
        const gen = vectors.buildingGeneration();
        if (!gen) throw new Error('the vector index being built disappeared');
        const read = page.all(after, BATCH) as { rowid: number; text: string; area: string }[];
        if (!read.length) break;
        after = read[read.length - 1].rowid;
        // Memories written since the index was started already have their vector in it.
        const rows = read.filter((r) => !vectors.has(gen, r.rowid));
        if (!rows.length) continue;
        const vecs = await state.embedder.embed(rows.map((r) => r.text), 'document');
        if (state.stopped) return;
        log.transaction(() => {
          if (vectors.buildingGeneration()?.gen !== gen.gen) throw new Error('the vector index being built disappeared');
          rows.forEach((r, i) => {
            // A memory forgotten while this batch was embedding stays out; one edited meanwhile keeps
            // the vector its edit wrote.
            const now = current.get(r.rowid) as { area: string; text: string } | undefined;
            if (now && now.text === r.text) vectors.put(gen, r.rowid, now.area, vecs[i]);
          });
          state.done = vectors.count(gen);
          state.total = Math.max(state.total, state.done);
          vectors.setProgress(state.done);
          if (state.done - reported >= PROGRESS_EVERY) {
            reported = state.done;
            log.append('memory.embedder', { embedder: state.embedder.name, state: 'progress', done: state.done, total: state.total, error: null });
          }
        });
        for (const check of [...state.afterBatch]) check();
        await new Promise((resolve) => setImmediate(resolve));
      }
      log.transaction(() => {
        vectors.promoteBuilding();
        db.prepare('UPDATE memories SET embedder = ?').run(state.embedder.name);
        log.append('memory.embedder', { embedder: state.embedder.name, state: 'finished', done: state.done, total: state.done, error: null });
        this.deps.onFinished(state.embedder, config);
      });
    } catch (err) {
      const error = (err as Error).message ?? String(err);
      this.failed = { embedder: state.embedder.name, error };
      this.deps.logger.log('warn', 'memory re-embedding failed; the previous index stays in use', { embedder: state.embedder.name, error: String(err) });
      try {
        log.transaction(() => {
          vectors.abandonBuilding();
          log.append('memory.embedder', { embedder: state.embedder.name, state: 'failed', done: state.done, total: state.total, error });
        });
      } catch (again) {
        // A full disk or an I/O error fails this too: the half-built index stays (the next start
        // resumes or replaces it) and the failure is reported by failure() (doctor's memory checks).
        this.deps.logger.log('warn', 'memory re-embedding failed and could not be recorded', { embedder: state.embedder.name, error: String(again) });
      }
    } finally {
      if (this.running === state) this.running = null;
    }
  }
}
