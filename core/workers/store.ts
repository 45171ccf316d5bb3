import { isTerminalRunStatus, workerStepAfter, type AppEvent, type Run, type Worker, type WorkerEnvelope } from '../contract/index.js';
import type { ReadableDB, ReadStatement, WritableDB } from '../db/index.js';
import { RunQueries } from '../runs/index.js';

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

/** Reads the worker registry. A worker's status is its run's, read from the runs folder in one batch per call. */
export class WorkerQueries {
  private readonly runs: RunQueries;
  private readonly byId: ReadStatement;
  private readonly newest: ReadStatement;
  private readonly newestAmong: ReadStatement;
  private readonly children: ReadStatement;
  private readonly depthOf: ReadStatement;
  private readonly envelopeOf: ReadStatement;

  constructor(db: ReadableDB) {
    this.runs = new RunQueries(db);
    this.byId = db.prepare('SELECT * FROM workers WHERE run_id = ?');
    this.newest = db.prepare('SELECT * FROM workers ORDER BY created_at DESC, rowid DESC LIMIT ?');
    this.newestAmong = db.prepare('SELECT * FROM workers WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY created_at DESC, rowid DESC LIMIT ?');
    this.children = db.prepare('SELECT * FROM workers WHERE parent_run_id = ? ORDER BY rowid');
    this.depthOf = db.prepare('SELECT depth FROM workers WHERE run_id = ?');
    this.envelopeOf = db.prepare('SELECT envelope FROM workers WHERE run_id = ?');
  }

  get(id: string): Worker | null {
    const row = this.byId.get(id) as Row | undefined;
    const run = row ? this.runs.get(id) : null;
    return row && run ? toWorker(row, run) : null;
  }

  list(status: 'active' | 'all', limit: number): Worker[] {
    if (status === 'all') return this.withRuns(this.newest.all(limit) as Row[]);
    const unfinished = this.runs.listUnfinished().filter((r) => r.kind === 'worker');
    if (!unfinished.length) return [];
    const rows = this.newestAmong.all(JSON.stringify(unfinished.map((r) => r.id)), limit) as Row[];
    return this.withRuns(rows, new Map(unfinished.map((r) => [r.id, r])));
  }

  childrenOf(runId: string): Worker[] {
    return this.withRuns(this.children.all(runId) as Row[]);
  }

  /** How deep a run is: 0 for a run that is not a worker (a chat turn, a schedule). */
  depth(runId: string): number {
    return (this.depthOf.get(runId) as { depth: number } | undefined)?.depth ?? 0;
  }

  envelope(id: string): WorkerEnvelope | null {
    const row = this.envelopeOf.get(id) as { envelope: string | null } | undefined;
    return row?.envelope ? (JSON.parse(row.envelope) as WorkerEnvelope) : null;
  }

  /** Each row with its run's status, in the rows' order; a row whose run is unknown is left out. */
  private withRuns(rows: Row[], known?: Map<string, Run>): Worker[] {
    if (!rows.length) return [];
    const runs = known ?? new Map(this.runs.getMany(rows.map((r) => r.run_id)).map((r) => [r.id, r]));
    return rows.flatMap((row) => {
      const run = runs.get(row.run_id);
      return run ? [toWorker(row, run)] : [];
    });
  }
}

function toWorker(row: Row, run: Run): Worker {
  return {
    id: row.run_id,
    role: row.role,
    task: row.task,
    status: run.status,
    reason: run.reason,
    error: run.error,
    parentRunId: row.parent_run_id,
    depth: row.depth,
    createdAt: row.created_at,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    tokens: row.tokens,
    costUsd: row.cost_usd,
    step: isTerminalRunStatus(run.status) ? null : row.step,
  };
}
