import type { ReadableDB, WritableDB } from '../db/index.js';

/** The permission requests decided before `before` (pending ones never count), with their runs: the audit entries retention lets go. */
export function requestsDecidedBefore(db: ReadableDB, before: number): { id: string; runId: string | null }[] {
  return db.prepare("SELECT id, run_id AS runId FROM permission_requests WHERE status <> 'pending' AND decided_at IS NOT NULL AND decided_at < ?").all(before) as { id: string; runId: string | null }[];
}

/** Removes the audit entries `ids`; returns how many. Their events go in the same transaction (`deleteEventsByField`). */
export function deleteRequests(db: WritableDB, ids: readonly string[]): number {
  if (!ids.length) return 0;
  return db.prepare('DELETE FROM permission_requests WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids)).changes;
}
