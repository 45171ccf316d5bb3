import { CHAT_THREAD, defaultThreadOf, type AppEvent, type Run, type RunKind, type RunStatus } from '../contract/index.js';
import type { ReadableDB, ReadStatement, WritableDB } from '../db/index.js';

type Row = {
  id: string;
  kind: RunKind;
  status: RunStatus;
  reason: string | null;
  error: string | null;
  title: string;
  parent_run_id: string | null;
  thread_id: string;
  model: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  ended_at: number | null;
};

export { defaultThreadOf };

/** The runs projection: one row per run, kept by the event log. */
export function createRunsProjector(db: WritableDB): (event: AppEvent) => void {
  const insert = db.prepare(
    `INSERT INTO runs (id, kind, status, title, parent_run_id, thread_id, created_at, updated_at)
     VALUES (?, ?, 'queued', ?, ?, ?, ?, ?)`,
  );
  const setStatus = db.prepare(
    `UPDATE runs SET status = @to, reason = @reason, error = @error, updated_at = @ts,
       started_at = CASE WHEN @to = 'running' AND started_at IS NULL THEN @ts ELSE started_at END,
       ended_at = CASE WHEN @to IN ('done', 'failed', 'cancelled') THEN @ts ELSE ended_at END
     WHERE id = @id`,
  );
  const setModel = db.prepare('UPDATE runs SET model = ?, updated_at = ? WHERE id = ?');
  return (event) => {
    if (!event.runId) return;
    switch (event.type) {
      case 'run.created':
        insert.run(event.runId, event.data.kind, event.data.title, event.data.parentRunId, event.data.threadId ?? defaultThreadOf(event.data.kind, event.runId), event.ts, event.ts);
        break;
      case 'run.status':
        setStatus.run({ id: event.runId, to: event.data.to, reason: event.data.reason, error: event.data.error, ts: event.ts });
        break;
      case 'run.model':
        setModel.run(event.data.model, event.ts, event.runId);
        break;
      default:
        break;
    }
  };
}

export class RunQueries {
  private readonly byId: ReadStatement;
  private readonly byIds: ReadStatement;
  private readonly newest: ReadStatement;
  private readonly newestWithStatus: ReadStatement;
  private readonly unfinished: ReadStatement;
  private readonly unfinishedChildren: ReadStatement;
  private readonly threadById: ReadStatement;
  private readonly kindById: ReadStatement;
  private readonly endedAmong: ReadStatement;

  constructor(db: ReadableDB) {
    this.byId = db.prepare('SELECT * FROM runs WHERE id = ?');
    this.byIds = db.prepare('SELECT * FROM runs WHERE id IN (SELECT value FROM json_each(?))');
    this.newest = db.prepare('SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?');
    this.newestWithStatus = db.prepare('SELECT * FROM runs WHERE status = ? ORDER BY created_at DESC, rowid DESC LIMIT ?');
    // Read at every start: through the status index (left alone, SQLite walks every run ever made in rowid order).
    this.unfinished = db.prepare("SELECT * FROM runs INDEXED BY runs_status WHERE status IN ('queued', 'running', 'waiting_permission') ORDER BY rowid");
    this.threadById = db.prepare('SELECT thread_id FROM runs WHERE id = ?').pluck();
    this.kindById = db.prepare('SELECT kind FROM runs WHERE id = ?').pluck();
    this.endedAmong = db.prepare('SELECT id FROM runs WHERE id IN (SELECT value FROM json_each(?)) AND ended_at IS NOT NULL AND ended_at < ?').pluck();
    this.unfinishedChildren = db.prepare("SELECT * FROM runs WHERE parent_run_id = ? AND status IN ('queued', 'running', 'waiting_permission') ORDER BY rowid");
  }

  get(id: string): Run | null {
    const row = this.byId.get(id) as Row | undefined;
    return row ? rowToRun(row) : null;
  }

  /** The runs of `ids` it knows, in one read, in no particular order. */
  getMany(ids: readonly string[]): Run[] {
    return ids.length ? (this.byIds.all(JSON.stringify(ids)) as Row[]).map(rowToRun) : [];
  }

  list(limit: number, status?: RunStatus): Run[] {
    const rows = (status ? this.newestWithStatus.all(status, limit) : this.newest.all(limit)) as Row[];
    return rows.map(rowToRun);
  }

  listUnfinished(): Run[] {
    return (this.unfinished.all() as Row[]).map(rowToRun);
  }

  /** The thread a run reads and writes; `chat` for a run it does not know. */
  threadOf(runId: string): string {
    return (this.threadById.get(runId) as string | undefined) ?? CHAT_THREAD;
  }

  /** A run's kind, or null for a run it does not know. */
  kindOf(runId: string): RunKind | null {
    return (this.kindById.get(runId) as RunKind | undefined) ?? null;
  }

  /** Those of `ids` that ended before `before` (what retention may let go of). */
  endedBefore(ids: readonly string[], before: number): string[] {
    return ids.length ? (this.endedAmong.all(JSON.stringify(ids), before) as string[]) : [];
  }

  /** The unfinished runs `runId` started, oldest first. */
  unfinishedChildrenOf(runId: string): Run[] {
    return (this.unfinishedChildren.all(runId) as Row[]).map(rowToRun);
  }
}

function rowToRun(row: Row): Run {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    reason: row.reason,
    error: row.error,
    title: row.title,
    parentRunId: row.parent_run_id,
    threadId: row.thread_id,
    model: row.model,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}
