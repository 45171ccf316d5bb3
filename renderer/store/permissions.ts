import type { AppEvent, AuditEntry, RuleInput } from '../../core/contract/index.js';
import { describeError } from './errors.js';
import type { SliceCreator } from './types.js';

export interface PermissionsSlice {
  /** Calls waiting for the person, oldest first: the approval dialog shows the first. */
  pendingPermissions: AuditEntry[];
  permissionError: string | null;
  /** Goes up with every permission event, so views showing rules or the audit know to reload. */
  permissionsVersion: number;
  /** Requests the person put aside with Esc: still waiting, not shown in the dialog until asked for. */
  hiddenApprovals: Record<string, true>;
  /** Puts the waiting requests aside (Esc); they stay pending and the chat says they wait. */
  hideApprovals(): void;
  /** Shows the approval dialog again for every waiting request. */
  reviewApprovals(): void;
  loadPendingPermissions(): Promise<void>;
  /** Answers a request; `rule` with "allow always". Returns false when the answer did not go through. */
  answerPermission(requestId: string, decision: 'allow' | 'deny', rule?: RuleInput): Promise<boolean>;
  applyPermissionEvents(events: readonly AppEvent[]): void;
}

export const createPermissionsSlice: SliceCreator<PermissionsSlice> = (set, get, client) => ({
  pendingPermissions: [],
  permissionError: null,
  permissionsVersion: 0,
  hiddenApprovals: {},

  hideApprovals() {
    set({ hiddenApprovals: Object.fromEntries(get().pendingPermissions.map((r) => [r.requestId, true as const])) });
  },

  reviewApprovals() {
    set({ hiddenApprovals: {} });
  },

  async loadPendingPermissions() {
    try {
      const { requests } = await client.call('permissions.pending', {});
      set({ pendingPermissions: requests, permissionError: null });
    } catch (err) {
      set({ permissionError: `Waiting requests could not be loaded: ${describeError(err)}` });
    }
  },

  async answerPermission(requestId, decision, rule) {
    try {
      await client.call('permissions.answer', { requestId, decision, always: Boolean(rule), rule });
      // The decision event removes it too; removing now keeps a double click from answering twice.
      set({ pendingPermissions: get().pendingPermissions.filter((r) => r.requestId !== requestId), permissionError: null });
      return true;
    } catch (err) {
      set({ permissionError: `The answer did not go through: ${describeError(err)}` });
      return false;
    }
  },

  applyPermissionEvents(events) {
    let pending = get().pendingPermissions;
    const before = pending;
    let touched = 0;
    for (const event of events) {
      if (event.type.startsWith('permission.')) touched++;
      if (event.type === 'permission.requested') {
        if (pending.some((r) => r.requestId === event.data.requestId)) continue;
        const { requestId, capability, resource, resolved, tool, argsSummary, scope, mode, reason, expiresAt } = event.data;
        pending = [
          ...pending,
          { requestId, capability, resource, resolved, tool, argsSummary, scope, mode, reason, expiresAt, seq: event.seq, ts: event.ts, runId: event.runId, status: 'pending', decision: null, decidedBy: null, ruleId: null, answer: null, decidedAt: null },
        ];
      } else if (event.type === 'permission.decided') {
        pending = pending.filter((r) => r.requestId !== event.data.requestId);
      }
    }
    if (pending !== before || touched) set({ pendingPermissions: pending, permissionsVersion: get().permissionsVersion + touched });
  },
});
