import type { Retention } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';

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
    const deltaEvents = db
      .prepare(
        `DELETE FROM events WHERE type = 'message.delta' AND json_extract(data, '$.messageId') IN
           (SELECT json_extract(data, '$.messageId') FROM events WHERE type = 'message.completed' AND ts < ?)`,
      )
      .run(now - DELTA_GRACE_MS).changes;
    const recordingsBefore = cutoff(retention.recordingsDays);
    const recordingSteps =
      recordingsBefore === null
        ? 0
        : db.prepare('DELETE FROM agent_recordings WHERE run_id IN (SELECT id FROM runs WHERE ended_at IS NOT NULL AND ended_at < ?)').run(recordingsBefore).changes;
    const transcriptsBefore = cutoff(retention.transcriptsDays);
    const transcripts = transcriptsBefore === null ? 0 : db.prepare("UPDATE agent_compactions SET archive = '[]' WHERE ts < ? AND archive <> '[]'").run(transcriptsBefore).changes;
    const auditBefore = cutoff(retention.auditDays);
    let auditRequests = 0;
    let auditEvents = 0;
    if (auditBefore !== null) {
      db.exec('CREATE TEMP TABLE IF NOT EXISTS pruned_requests (id TEXT PRIMARY KEY); DELETE FROM temp.pruned_requests;');
      db.prepare("INSERT INTO temp.pruned_requests SELECT id FROM permission_requests WHERE status <> 'pending' AND decided_at IS NOT NULL AND decided_at < ?").run(auditBefore);
      auditEvents = db
        .prepare("DELETE FROM events WHERE type IN ('permission.requested', 'permission.decided') AND json_extract(data, '$.requestId') IN (SELECT id FROM temp.pruned_requests)")
        .run().changes;
      auditRequests = db.prepare('DELETE FROM permission_requests WHERE id IN (SELECT id FROM temp.pruned_requests)').run().changes;
      db.exec('DELETE FROM temp.pruned_requests');
    }
    const counts = { deltaEvents, recordingSteps, transcripts, auditRequests, auditEvents };
    if (Object.values(counts).some((n) => n > 0)) log.append('maintenance.pruned', { ...counts, trigger });
    return counts;
  });
}
