import type { Statement } from 'better-sqlite3';
import { EVENT_DATA, type AppEvent, type EventData, type EventType } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import { redactDeep } from '../secrets/index.js';
import { rowToEvent } from './queries.js';
import type { Clock } from '../util/index.js';
import type { Logger } from '../util/index.js';

export type EventListener = (event: AppEvent) => void;

/** Keeps a projection table in step: called inside the appending transaction for every event. */
export type Projector = (event: AppEvent) => void;

type Row = { seq: number; ts: number; type: string; run_id: string | null; data: string };

/**
 * The append-only event log, the source of truth. Appends happen inside `transaction`, together with
 * the projection rows they change; listeners hear of them only after the transaction commits, so a
 * rolled-back change is never seen.
 */
export class EventLog {
  private readonly insert: Statement;
  private readonly selectAfter: Statement;
  private readonly selectHead: Statement;
  /** Runs a function in a transaction, or in a savepoint inside one; made once, as making it costs more than a small transaction. */
  private readonly inTransaction: <T>(fn: () => T) => T;
  private readonly listeners = new Set<EventListener>();
  private readonly projectors: Projector[] = [];
  private pending: AppEvent[] | null = null;
  private depth = 0;
  private lastSeq: number;
  private readonly outbox: AppEvent[] = [];
  private publishing = false;

  constructor(
    private readonly db: WritableDB,
    private readonly clock: Clock,
    private readonly logger?: Logger,
    /**
     * Masks secrets in every string of every event before it is stored or published: the configured
     * keys, whatever they look like, and known key shapes. A key that reaches an event by any road
     * (a URL a tool fetched, a permission reason, a message the user pasted) never reaches the log,
     * the WAL, a backup, an export or a client.
     */
    private readonly redact?: (text: string) => string,
  ) {
    this.insert = db.prepare('INSERT INTO events (ts, type, run_id, data) VALUES (?, ?, ?, ?)');
    this.selectAfter = db.prepare('SELECT seq, ts, type, run_id, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.selectHead = db.prepare('SELECT COALESCE(MAX(seq), 0) AS head FROM events');
    this.lastSeq = (this.selectHead.get() as { head: number }).head;
    const wrapped = db.transaction((fn: () => unknown) => fn());
    this.inTransaction = <T>(fn: () => T) => wrapped(fn) as T;
  }

  /** Registers a projection; it sees every event appended from now on, in the same transaction. */
  addProjector(projector: Projector): void {
    this.projectors.push(projector);
  }

  /** The seq of the newest committed event (0 for an empty log). */
  head(): number {
    return this.lastSeq;
  }

  /**
   * Runs `fn` in one database transaction. Events appended inside are published after commit, in
   * order. Nested calls join the outer transaction.
   */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) {
      this.depth++;
      try {
        return fn();
      } finally {
        this.depth--;
      }
    }
    const collected: AppEvent[] = [];
    this.pending = collected;
    this.depth = 1;
    let result: T;
    try {
      result = this.inTransaction(fn);
    } catch (err) {
      // Keep seq in step with the database after a rollback.
      this.lastSeq = (this.selectHead.get() as { head: number }).head;
      throw err;
    } finally {
      this.pending = null;
      this.depth = 0;
    }
    for (const event of collected) this.publish(event);
    return result;
  }

  /**
   * Runs `fn` as one step of the current transaction (a savepoint): when it throws, what it wrote
   * and the events it appended are undone, the error is rethrown, and the transaction around it can
   * go on and commit the other steps. Must run inside `transaction`. Projectors keep their state in
   * the database, so undoing the savepoint undoes them too.
   */
  attempt<T>(fn: () => T): T {
    const pending = this.pending;
    if (!pending) throw new Error('attempt outside a transaction');
    const mark = pending.length;
    this.depth++;
    try {
      return this.inTransaction(fn);
    } catch (err) {
      pending.length = mark;
      this.lastSeq = (this.selectHead.get() as { head: number }).head;
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** Whether a transaction is open: `transaction` joins it, and what it appends commits or rolls back with it. */
  insideTransaction(): boolean {
    return this.pending !== null;
  }

  /**
   * Runs `fn` all or nothing: in a transaction of its own, or, inside one, as a step of it (a
   * savepoint, see `attempt`), so that when `fn` throws none of what it wrote stays, whoever opened
   * the transaction. What commits still commits (and is published) with the transaction around it.
   */
  atomic<T>(fn: () => T): T {
    return this.pending ? this.attempt(fn) : this.transaction(fn);
  }

  /** Whether storing `data` in the log would mask part of it: it carries a key, or text shaped like one. */
  masks(data: unknown): boolean {
    return !!this.redact && JSON.stringify(redactDeep(data, this.redact)) !== JSON.stringify(data);
  }

  /** Appends one event. Must run inside `transaction`. The data is checked against the contract. */
  append<T extends EventType>(type: T, data: EventData<T>, runId: string | null = null): AppEvent {
    if (!this.pending) throw new Error(`event ${type} appended outside a transaction`);
    const parsed = EVENT_DATA[type].parse(this.redact ? redactDeep(data, this.redact) : data) as EventData<T>;
    const ts = this.clock.now();
    const info = this.insert.run(ts, type, runId, JSON.stringify(parsed));
    const event = { seq: Number(info.lastInsertRowid), ts, type, runId, data: parsed } as AppEvent;
    for (const project of this.projectors) project(event);
    this.lastSeq = event.seq;
    this.pending.push(event);
    return event;
  }

  /** Events after `fromSeq`, oldest first. */
  since(fromSeq: number, limit = 1000): AppEvent[] {
    return (this.selectAfter.all(fromSeq, limit) as Row[]).map(rowToEvent);
  }

  /**
   * Delivers every event after `fromSeq` to `listener`, exactly once and in order: first the stored
   * backlog, then live events as they commit. Core is single-threaded, so nothing can commit between
   * reading the backlog and attaching the listener.
   */
  subscribe(fromSeq: number, listener: EventListener): () => void {
    let cursor = fromSeq;
    for (;;) {
      const page = this.since(cursor, 2000);
      for (const event of page) {
        listener(event);
        cursor = event.seq;
      }
      if (page.length < 2000) break;
    }
    const live: EventListener = (event) => {
      if (event.seq <= cursor) return;
      cursor = event.seq;
      listener(event);
    };
    this.listeners.add(live);
    return () => this.listeners.delete(live);
  }

  private publish(event: AppEvent): void {
    // A listener may append (an in-process client sending a command from its event handler). Its
    // events wait here until every listener has heard the current one, so all hear them in order.
    this.outbox.push(event);
    if (this.publishing) return;
    this.publishing = true;
    try {
      for (let next = this.outbox.shift(); next; next = this.outbox.shift()) {
        for (const listener of this.listeners) {
          try {
            listener(next);
          } catch (err) {
            this.logger?.log('error', 'event listener threw', { type: next.type, seq: next.seq, error: String(err) });
          }
        }
      }
    } finally {
      this.publishing = false;
    }
  }
}
