import { clearCompactionArchives, deleteRecordings, recordedRunIds } from '../agent/index.js';
import type { Retention } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import { deleteEventsByField, deleteFinishedDeltas, type EventLog } from '../events/index.js';
import { deleteRequests, requestsDecidedBefore } from '../permissions/index.js';
import { RunQueries } from '../runs/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Streamed text of a message finished at least this long ago is folded away: clients that were
 * following the log have long had it, and the finished message holds the whole text.
 */
export const DELTA_GRACE_MS = 10 * 60 * 1000;

export interface PruneCounts {
  deltaEvents: number;
  recordingSteps: number;
  transcripts: number;
  auditRequests: number;
  auditEvents: number;
}

/**
 * Removes what the retention settings no longer keep, in one transaction with a `maintenance.pruned`
 * event. Only by-products go: the streamed pieces of finished messages, replay recordings of runs
 * ended long ago, raw turns archived by compaction, decided permission requests. Runs, messages,
 * tool calls, memories, rules and schedules stay, so every projection still rebuilds from the log.
 */
export function pruneByRetention(db: WritableDB, log: EventLog, retention: Retention, now: number, trigger: 'command' | 'daily'): PruneCounts {
  const cutoff = (days: number | null) => (days === null ? null : now - days * DAY_MS);
  return log.transaction(() => {
    // Each table's rows go through the folder that owns it; this pass only decides what is old.
    const deltaEvents = deleteFinishedDeltas(db, now - DELTA_GRACE_MS);
    const recordingsBefore = cutoff(retention.recordingsDays);
    const recordingSteps = recordingsBefore === null ? 0 : deleteRecordings(db, new RunQueries(db).endedBefore(recordedRunIds(db), recordingsBefore));
    const transcriptsBefore = cutoff(retention.transcriptsDays);
    const transcripts = transcriptsBefore === null ? 0 : clearCompactionArchives(db, transcriptsBefore);
    const auditBefore = cutoff(retention.auditDays);
    const pruned = auditBefore === null ? [] : requestsDecidedBefore(db, auditBefore);
    // A request's events are logged with its run.
    const auditEvents = deleteEventsByField(db, ['permission.requested', 'permission.decided'], 'requestId', pruned.map((r) => ({ runId: r.runId, value: r.id })));
    const auditRequests = deleteRequests(db, pruned.map((r) => r.id));
    const counts = { deltaEvents, recordingSteps, transcripts, auditRequests, auditEvents };
    if (Object.values(counts).some((n) => n > 0)) log.append('maintenance.pruned', { ...counts, trigger });
    return counts;
  });
}
