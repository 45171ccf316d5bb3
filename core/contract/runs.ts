import { z } from 'zod';

/** Where a run is in its life. */
export const RUN_STATUSES = ['queued', 'running', 'waiting_permission', 'done', 'failed', 'cancelled'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['done', 'failed', 'cancelled'];
export function isTerminalRunStatus(status: RunStatus): boolean {
  return TERMINAL_RUN_STATUSES.includes(status);
}

/** The transitions a run may take; any other is a bug. */
export const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  queued: ['running', 'failed', 'cancelled'],
  running: ['waiting_permission', 'done', 'failed', 'cancelled'],
  waiting_permission: ['running', 'failed', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

/**
 * What kind of work a run is: a chat turn, a scheduled prompt, a worker's task, or the memory model
 * reading a finished chat turn. Every kind goes through the one run queue; a new kind is a new name
 * here and, if one at a time is not right for it, a limit in `DEFAULT_RUN_LIMITS`.
 */
export const RUN_KINDS = ['chat', 'schedule', 'worker', 'memory'] as const;
export const RunKindSchema = z.enum(RUN_KINDS);
export type RunKind = z.infer<typeof RunKindSchema>;

/** One piece of agent work, as the runs projection holds it. */
export const RunSchema = z.object({
  id: z.string(),
  kind: RunKindSchema,
  status: RunStatusSchema,
  /** Why it ended when it did not end `done`: `interrupted`, `cancelled_by_user`, `provider_error`, ... */
  reason: z.string().nullable(),
  /** The readable error for a failed run. */
  error: z.string().nullable(),
  title: z.string(),
  parentRunId: z.string().nullable(),
  /** The thread it reads its history from and writes into: `chat`, `schedule:<id>`, `worker:<runId>`, ... */
  threadId: z.string(),
  /** The model that actually answered (`provider:model`), once one did. */
  model: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
});
export type Run = z.infer<typeof RunSchema>;

/** The chat's thread: the conversation the user has with the assistant. Other runs have threads of their own. */
export const CHAT_THREAD = 'chat';

/** A run's thread when its creator names none: the chat for a chat run, a thread of its own otherwise. */
export function defaultThreadOf(kind: RunKind, runId: string): string {
  return kind === 'chat' ? CHAT_THREAD : `${kind}:${runId}`;
}

/** How a background run ended, as its result item says: `interrupted` is a run the app stopped with (failed, reason `interrupted`). */
export const RunResultStatusSchema = z.enum(['done', 'failed', 'cancelled', 'interrupted']);
export type RunResultStatus = z.infer<typeof RunResultStatusSchema>;

/** The item id a run's result has in the master timeline. */
export function resultItemId(runId: string): string {
  return `result-${runId}`;
}
