import type { AppEvent, EventType } from '../contract/index.js';
import type { ReadableDB, ReadStatement } from '../db/index.js';

type Row = { seq: number; ts: number; type: string; run_id: string | null; data: string };

/** Reads the log for other folders: a run's events, all or of one type, oldest first. */
export class EventQueries {
  private readonly ofRunStmt: ReadStatement;
  private readonly ofRunTypeStmt: ReadStatement;

  constructor(db: ReadableDB) {
    this.ofRunStmt = db.prepare('SELECT seq, ts, type, run_id, data FROM events WHERE run_id = ? ORDER BY seq');
    this.ofRunTypeStmt = db.prepare('SELECT seq, ts, type, run_id, data FROM events WHERE run_id = ? AND type = ? ORDER BY seq');
  }

  /** Every event of one run, oldest first. */
  ofRun(runId: string): AppEvent[] {
    return (this.ofRunStmt.all(runId) as Row[]).map(rowToEvent);
  }

  /** The events of one type of one run, oldest first. */
  ofRunOfType<T extends EventType>(runId: string, type: T): Extract<AppEvent, { type: T }>[] {
    return (this.ofRunTypeStmt.all(runId, type) as Row[]).map(rowToEvent) as Extract<AppEvent, { type: T }>[];
  }
}

export function rowToEvent(row: Row): AppEvent {
  return { seq: row.seq, ts: row.ts, type: row.type, runId: row.run_id, data: JSON.parse(row.data) } as AppEvent;
}
