import type { Statement } from 'better-sqlite3';
import type { AppEvent, EventData, UsageTotals } from '../contract/index.js';
import type { ReadableDB, WritableDB } from '../db/index.js';
import { EventQueries } from '../events/index.js';
import type { ChatMessage } from '../providers/index.js';

/** Keeps `agent_usage` in step with `run.usage` events. Days are UTC. */
export function createUsageProjector(db: WritableDB): (event: AppEvent) => void {
  const insert = db.prepare(
    'INSERT OR IGNORE INTO agent_usage (seq, run_id, ts, day, model, purpose, input, output, cache_read, cache_write, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  return (event) => {
    if (event.type !== 'run.usage' || !event.runId) return;
    const d = event.data;
    insert.run(event.seq, event.runId, event.ts, new Date(event.ts).toISOString().slice(0, 10), d.model, d.purpose, d.inputTokens, d.outputTokens, d.cacheReadTokens, d.cacheWriteTokens, d.costUsd);
  };
}

type UsageRow = { model: string; input: number; output: number; cache_read: number; cache_write: number; cost: number; responses: number };

/** Recordings, usage and compactions of runs. */
export class AgentStore {
  private readonly usageByModel: Statement;
  private readonly usageByDay: Statement;
  private readonly insertStep: Statement;
  private readonly stepsOfRun: Statement;
  private readonly countSteps: Statement;
  private readonly insertCompaction: Statement;
  private readonly latestCompaction: Statement;
  private readonly compactions: Statement;
  private readonly runsWithRecordings: Statement;
  private readonly events: EventQueries;

  constructor(db: WritableDB) {
    this.usageByModel = db.prepare(
      'SELECT model, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write, SUM(cost_usd) AS cost, COUNT(*) AS responses FROM agent_usage WHERE run_id = ? GROUP BY model ORDER BY MIN(seq)',
    );
    this.usageByDay = db.prepare(
      'SELECT day, SUM(input) AS input, SUM(output) AS output, SUM(cache_read) AS cache_read, SUM(cache_write) AS cache_write, SUM(cost_usd) AS cost, COUNT(DISTINCT run_id) AS runs FROM agent_usage WHERE day >= ? GROUP BY day ORDER BY day DESC',
    );
    this.insertStep = db.prepare('INSERT INTO agent_recordings (run_id, step, kind, call_id, data) VALUES (?, ?, ?, ?, ?)');
    this.stepsOfRun = db.prepare('SELECT step, kind, call_id, data FROM agent_recordings WHERE run_id = ? ORDER BY step');
    this.countSteps = db.prepare('SELECT COUNT(*) AS n FROM agent_recordings WHERE run_id = ?');
    this.insertCompaction = db.prepare('INSERT INTO agent_compactions (id, seq, run_id, thread_id, ts, method, upto_seq, summary, archive) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.latestCompaction = db.prepare(
      'SELECT summary, upto_seq FROM agent_compactions WHERE thread_id = ? AND upto_seq IS NOT NULL AND upto_seq < ? ORDER BY seq DESC LIMIT 1',
    );
    this.compactions = db.prepare('SELECT * FROM agent_compactions ORDER BY seq DESC LIMIT ?');
    this.runsWithRecordings = db.prepare('SELECT DISTINCT run_id FROM agent_recordings');
    this.events = new EventQueries(db);
  }

  /** A run's tokens and cost per model; `estimated` counts responses whose usage the app estimated (the server sent none). */
  usageOfRun(runId: string): { total: UsageTotals; byModel: (UsageTotals & { model: string; responses: number; estimated: number })[]; estimated: boolean } {
    const estimated = new Map<string, number>();
    for (const { data } of this.events.ofRunOfType(runId, 'run.usage')) if (data.estimated) estimated.set(data.model, (estimated.get(data.model) ?? 0) + 1);
    const byModel = (this.usageByModel.all(runId) as UsageRow[]).map((r) => ({ model: r.model, responses: r.responses, ...totals(r), estimated: estimated.get(r.model) ?? 0 }));
    const total = byModel.reduce(
      (t, m) => ({
        inputTokens: t.inputTokens + m.inputTokens,
        outputTokens: t.outputTokens + m.outputTokens,
        cacheReadTokens: t.cacheReadTokens + m.cacheReadTokens,
        cacheWriteTokens: t.cacheWriteTokens + m.cacheWriteTokens,
        costUsd: t.costUsd + m.costUsd,
      }),
      { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 },
    );
    return { total, byModel, estimated: estimated.size > 0 };
  }

  usageByDays(sinceDay: string): (UsageTotals & { day: string; runs: number })[] {
    return (this.usageByDay.all(sinceDay) as (UsageRow & { day: string; runs: number })[]).map((r) => ({ day: r.day, runs: r.runs, ...totals(r) }));
  }

  record(runId: string, step: number, kind: string, callId: string | null, data: string): void {
    this.insertStep.run(runId, step, kind, callId, data);
  }

  recording(runId: string): { step: number; kind: string; callId: string | null; data: unknown }[] {
    return (this.stepsOfRun.all(runId) as { step: number; kind: string; call_id: string | null; data: string }[]).map((r) => ({
      step: r.step,
      kind: r.kind,
      callId: r.call_id,
      data: JSON.parse(r.data) as unknown,
    }));
  }

  recordedSteps(runId: string): number {
    return (this.countSteps.get(runId) as { n: number }).n;
  }

  /** Every event of one run, oldest first. */
  eventsOfRun(runId: string): AppEvent[] {
    return this.events.ofRun(runId);
  }

  recordedRuns(): string[] {
    return (this.runsWithRecordings.all() as { run_id: string }[]).map((r) => r.run_id);
  }

  /** Stores a compaction of `threadId`'s turns with its archive; call in the transaction that appends its event. */
  saveCompaction(seq: number, ts: number, runId: string | null, threadId: string, data: EventData<'conversation.compacted'>, archive: { role: string; text: string }[]): void {
    this.insertCompaction.run(data.compactionId, seq, runId, threadId, ts, data.method, data.uptoSeq, data.summary, JSON.stringify(archive));
  }

  /**
   * Where the history of a turn of `threadId` answering a message before `beforeSeq` starts: after
   * the newest compaction of that thread (a summary, or an emergency truncation that kept the summary
   * before it), with that summary; another thread's never. A truncation is remembered too, so the
   * next turn does not try again at once.
   */
  summaryBefore(threadId: string, beforeSeq: number): { summary: string | null; uptoSeq: number } | null {
    const row = this.latestCompaction.get(threadId, beforeSeq) as { summary: string | null; upto_seq: number } | undefined;
    return row ? { summary: row.summary, uptoSeq: row.upto_seq } : null;
  }

  listCompactions(limit: number): { id: string; runId: string | null; threadId: string; ts: number; method: 'summary' | 'truncation'; uptoSeq: number | null; summary: string | null; transcript: { role: string; text: string }[] }[] {
    return (this.compactions.all(limit) as { id: string; run_id: string | null; thread_id: string; ts: number; method: 'summary' | 'truncation'; upto_seq: number | null; summary: string | null; archive: string }[]).map((r) => ({
      id: r.id,
      runId: r.run_id,
      threadId: r.thread_id,
      ts: r.ts,
      method: r.method,
      uptoSeq: r.upto_seq,
      summary: r.summary,
      transcript: JSON.parse(r.archive) as { role: string; text: string }[],
    }));
  }
}

function totals(r: UsageRow): UsageTotals {
  return { inputTokens: r.input, outputTokens: r.output, cacheReadTokens: r.cache_read, cacheWriteTokens: r.cache_write, costUsd: r.cost };
}

/** The history a run starts from, kept as plain messages with their timeline seqs. */
export interface HistoryInput {
  messages: ChatMessage[];
  seqs: (number | null)[];
  summary: string | null;
}

export type { ReadableDB };
