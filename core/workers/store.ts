import { isTerminalRunStatus, workerStepAfter, type AppEvent, type RunStatus, type Worker, type WorkerEnvelope } from '../contract/index.js';
import type { ReadableDB, ReadStatement, WritableDB } from '../db/index.js';

type Row = {
  run_id: string;
  role: string;
  task: string;
  parent_run_id: string | null;
  depth: number;
  tokens: number;
  cost_usd: number;
  step: string | null;
  envelope: string | null;
  created_at: number;
  status: RunStatus;
  reason: string | null;
  error: string | null;
  started_at: number | null;
  ended_at: number | null;
};

/**
 * Keeps the worker registry in step with the log: a row at `worker.spawned`, tokens and cost from
 * each `run.usage`, the current step from the worker's own events, the result from `worker.result`.
 * Status comes from the runs projection, so a worker and its run never disagree.
 */
export function createWorkersProjector(db: WritableDB): (event: AppEvent) => void {
  const insert = db.prepare('INSERT OR IGNORE INTO workers (run_id, role, task, parent_run_id, depth, created_at, step) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const usage = db.prepare('UPDATE workers SET tokens = tokens + ?, cost_usd = cost_usd + ? WHERE run_id = ?');
  const step = db.prepare('UPDATE workers SET step = ? WHERE run_id = ?');
  const envelope = db.prepare('UPDATE workers SET envelope = ? WHERE run_id = ?');
  return (event) => {
    if (!event.runId) return;
    switch (event.type) {
      case 'worker.spawned':
        insert.run(event.runId, event.data.role, event.data.task, event.data.parentRunId, event.data.depth, event.ts, 'queued');
        return;
      case 'run.usage': {
        const d = event.data;
        usage.run(d.inputTokens + d.outputTokens + d.cacheReadTokens + d.cacheWriteTokens, d.costUsd, event.runId);
        return;
      }
      case 'worker.result':
        envelope.run(JSON.stringify(event.data), event.runId);
        return;
      default: {
        const next = event.type === 'run.status' && isTerminalRunStatus(event.data.to) ? null : workerStepAfter(event);
        if (next !== undefined) step.run(next, event.runId);
      }
    }
  };
}

const SELECT = `SELECT w.*, r.status, r.reason, r.error, r.started_at, r.ended_at FROM workers w JOIN runs r ON r.id = w.run_id`;

/** Reads the worker registry. */
export class WorkerQueries {
  private readonly byId: ReadStatement;
  private readonly newest: ReadStatement;
  private readonly active: ReadStatement;
  private readonly children: ReadStatement;
  private readonly depthOf: ReadStatement;
  private readonly envelopeOf: ReadStatement;

  constructor(db: ReadableDB) {
    this.byId = db.prepare(`${SELECT} WHERE w.run_id = ?`);
    this.newest = db.prepare(`${SELECT} ORDER BY w.created_at DESC, w.rowid DESC LIMIT ?`);
    this.active = db.prepare(`${SELECT} WHERE r.status IN ('queued', 'running', 'waiting_permission') ORDER BY w.created_at DESC, w.rowid DESC LIMIT ?`);
    this.children = db.prepare(`${SELECT} WHERE w.parent_run_id = ? ORDER BY w.rowid`);
    this.depthOf = db.prepare('SELECT depth FROM workers WHERE run_id = ?');
    this.envelopeOf = db.prepare('SELECT envelope FROM workers WHERE run_id = ?');
  }

  get(id: string): Worker | null {
    const row = this.byId.get(id) as Row | undefined;
    return row ? toWorker(row) : null;
  }

  list(status: 'active' | 'all', limit: number): Worker[] {
    return ((status === 'active' ? this.active : this.newest).all(limit) as Row[]).map(toWorker);
  }

  childrenOf(runId: string): Worker[] {
    return (this.children.all(runId) as Row[]).map(toWorker);
  }

  /** How deep a run is: 0 for a run that is not a worker (a chat turn, a schedule). */
  depth(runId: string): number {
    return (this.depthOf.get(runId) as { depth: number } | undefined)?.depth ?? 0;
  }

  envelope(id: string): WorkerEnvelope | null {
    const row = this.envelopeOf.get(id) as { envelope: string | null } | undefined;
    return row?.envelope ? (JSON.parse(row.envelope) as WorkerEnvelope) : null;
  }
}

function toWorker(row: Row): Worker {
  return {
    id: row.run_id,
    role: row.role,
    task: row.task,
    status: row.status,
    reason: row.reason,
    error: row.error,
    parentRunId: row.parent_run_id,
    depth: row.depth,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    tokens: row.tokens,
    costUsd: row.cost_usd,
    step: isTerminalRunStatus(row.status) ? null : row.step,
  };
}
