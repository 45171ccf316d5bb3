import { z } from 'zod';
import { MessageRoleSchema, MessageStatusSchema, type AppEvent } from './events.js';
import { MemoryAreaSchema, MemorySourceSchema } from './memory.js';
import { CHAT_THREAD, RunKindSchema, defaultThreadOf, RunResultStatusSchema, RunStatusSchema, resultItemId } from './runs.js';
import { AttachmentMetaSchema } from './attachments.js';

const base = {
  id: z.string(),
  seq: z.number(),
  ts: z.number(),
  runId: z.string().nullable(),
  /** The thread it belongs to: `chat` for the conversation and the results posted into it, else a schedule's or a run's. */
  threadId: z.string(),
};

/** An entry of the master timeline. */
export const TimelineItemSchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('message'),
    role: MessageRoleSchema,
    text: z.string(),
    status: MessageStatusSchema,
    model: z.string().nullable(),
    /** The result item this user message replies to. */
    replyTo: z.string().optional(),
    /** Files sent with the message; absent when none. */
    attachments: z.array(AttachmentMetaSchema).optional(),
  }),
  z.object({ ...base, kind: z.literal('run_status'), status: RunStatusSchema, reason: z.string().nullable() }),
  z.object({ ...base, kind: z.literal('error'), code: z.string(), message: z.string() }),
  /** A tool call card: collapsed, with its arguments and its result or normalised error. */
  z.object({
    ...base,
    kind: z.literal('tool_call'),
    callId: z.string(),
    tool: z.string(),
    args: z.string(),
    capability: z.string().nullable(),
    resource: z.string(),
    status: z.enum(['running', 'ok', 'error']),
    output: z.string(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  }),
  /** A memory proposed after a run, with its source, until and after the user answers it. */
  z.object({
    ...base,
    kind: z.literal('memory_proposal'),
    proposalId: z.string(),
    text: z.string(),
    area: MemoryAreaSchema,
    source: MemorySourceSchema,
    status: z.enum(['pending', 'accepted', 'edited', 'rejected']),
    /** What was saved instead of `text` when the user edited it before accepting. */
    editedText: z.string().nullable(),
    memoryId: z.string().nullable(),
  }),
  /**
   * What a background run (a schedule's, a worker's) posted into the chat thread when it ended: its
   * source, status and result in short; `sourceThreadId` holds its whole transcript. `runId` is that run.
   */
  z.object({
    ...base,
    kind: z.literal('run_result'),
    sourceKind: RunKindSchema,
    name: z.string(),
    title: z.string(),
    status: RunResultStatusSchema,
    reason: z.string().nullable(),
    summary: z.string(),
    sourceThreadId: z.string(),
  }),
  /**
   * A file a worker handed back, kept under the data folder's `artifacts/` (`path` is relative to
   * that folder; `workers.artifact` gives where it is and its text). It shows in the thread of the run
   * that started the worker (the chat's for a worker the chat started); `runId` is the worker's run,
   * `source` its role and `sourceThreadId` its whole transcript.
   */
  z.object({
    ...base,
    kind: z.literal('artifact'),
    artifactId: z.string(),
    name: z.string(),
    /** A media type (`text/markdown`). */
    type: z.string(),
    /** Bytes. */
    size: z.number().int().min(0),
    source: z.string(),
    sourceThreadId: z.string(),
    path: z.string(),
  }),
]);
export type TimelineItem = z.infer<typeof TimelineItemSchema>;
export type MessageItem = Extract<TimelineItem, { kind: 'message' }>;
export type ToolCallItem = Extract<TimelineItem, { kind: 'tool_call' }>;
export type MemoryProposalItem = Extract<TimelineItem, { kind: 'memory_proposal' }>;
export type RunResultItem = Extract<TimelineItem, { kind: 'run_result' }>;
export type ArtifactItem = Extract<TimelineItem, { kind: 'artifact' }>;

/** One match of a timeline search: where the item is, and a snippet with the matching words marked. */
export const TimelineSearchHitSchema = z.object({
  id: z.string(),
  seq: z.number(),
  ts: z.number(),
  kind: z.string(),
  role: MessageRoleSchema.nullable(),
  runId: z.string().nullable(),
  snippet: z.string(),
  /** [start, end) ranges of `snippet` that match the query. */
  highlights: z.array(z.tuple([z.number(), z.number()])),
});
export type TimelineSearchHit = z.infer<typeof TimelineSearchHitSchema>;

/** Run statuses worth a line of their own in the timeline; the rest show on the message itself. */
export const TIMELINE_RUN_STATUSES = new Set(['waiting_permission', 'failed', 'cancelled']);

/**
 * Which thread a timeline held in memory shows, and the thread of each run it has heard of (from
 * `run.created` events, and for runs older than its first page from `timeline.list`'s `threads`). A
 * run it has not heard of is the chat's, as in the core's projection.
 */
export interface TimelineThreads {
  view: string;
  runs: Map<string, string>;
}

/** The threads a timeline in memory follows: `view` (the chat's by default) and the runs known so far. */
export function timelineThreads(view: string = CHAT_THREAD, runs: Record<string, string> = {}): TimelineThreads {
  return { view, runs: new Map(Object.entries(runs)) };
}

/**
 * The thread an event's item belongs to: a result goes into the chat; an artifact where it says (the
 * thread of the run that started its worker); anything else into its run's thread.
 */
export function threadOfEvent(event: AppEvent, threadOfRun: (runId: string) => string | undefined): string {
  if (event.type === 'run.result' || !event.runId) return CHAT_THREAD;
  if (event.type === 'artifact.created' && event.data.threadId) return event.data.threadId;
  return threadOfRun(event.runId) ?? CHAT_THREAD;
}

/** The thread that holds the whole transcript of the run an artifact came from. */
export function artifactRunThread(event: Extract<AppEvent, { type: 'artifact.created' }>, threadOfRun: (runId: string) => string | undefined): string {
  const runId = event.runId ?? '';
  return event.data.runThreadId ?? threadOfRun(runId) ?? defaultThreadOf('worker', runId);
}

/**
 * Applies one event to a timeline held in memory (the renderer's store, the CLI's printer), keeping
 * only the items of the thread `threads.view`. The core keeps the same projection in SQLite; tests
 * check the two agree. Returns the same array when the event does not touch the timeline shown.
 */
export function applyTimelineEvent(items: TimelineItem[], index: Map<string, number>, event: AppEvent, threads: TimelineThreads): TimelineItem[] {
  if (event.type === 'run.created') {
    if (event.runId) threads.runs.set(event.runId, event.data.threadId ?? defaultThreadOf(event.data.kind, event.runId));
    return items;
  }
  const threadId = threadOfEvent(event, (runId) => threads.runs.get(runId));
  if (threadId !== threads.view) return items;
  const at = { seq: event.seq, ts: event.ts, runId: event.runId, threadId };
  switch (event.type) {
    case 'message.created': {
      const item: TimelineItem = {
        kind: 'message',
        id: event.data.messageId,
        ...at,
        role: event.data.role,
        text: event.data.text,
        status: event.data.status,
        model: null,
        ...(event.data.replyTo ? { replyTo: event.data.replyTo } : {}),
        ...(event.data.attachments?.length ? { attachments: event.data.attachments } : {}),
      };
      return pushItem(items, index, item);
    }
    case 'message.delta':
      return updateMessage(items, index, event.data.messageId, (m) => ({ ...m, text: m.text + event.data.text }));
    case 'message.completed':
      return updateMessage(items, index, event.data.messageId, (m) => ({
        ...m,
        text: event.data.text,
        status: event.data.status,
        model: event.data.model,
      }));
    case 'run.status':
      if (!TIMELINE_RUN_STATUSES.has(event.data.to)) return items;
      return pushItem(items, index, {
        kind: 'run_status',
        id: `status-${event.seq}`,
        ...at,
        status: event.data.to,
        reason: event.data.reason ?? event.data.error,
      });
    case 'timeline.error':
      return pushItem(items, index, {
        kind: 'error',
        id: `error-${event.seq}`,
        ...at,
        code: event.data.code,
        message: event.data.message,
      });
    case 'tool.started':
      return pushItem(items, index, {
        kind: 'tool_call',
        id: `tool-${event.data.callId}`,
        ...at,
        callId: event.data.callId,
        tool: event.data.tool,
        args: event.data.args,
        capability: event.data.capability,
        resource: event.data.resource,
        status: 'running',
        output: '',
        error: null,
      });
    case 'tool.completed': {
      const pos = index.get(`tool-${event.data.callId}`);
      const current = pos === undefined ? undefined : items[pos];
      if (!current || current.kind !== 'tool_call') return items;
      const next = items.slice();
      next[pos!] = { ...current, status: event.data.ok ? 'ok' : 'error', output: event.data.output, error: event.data.error };
      return next;
    }
    case 'memory.proposed':
      return pushItem(items, index, {
        kind: 'memory_proposal',
        id: `proposal-${event.data.proposalId}`,
        ...at,
        proposalId: event.data.proposalId,
        text: event.data.text,
        area: event.data.area,
        source: event.data.source,
        status: 'pending',
        editedText: null,
        memoryId: null,
      });
    case 'memory.proposalResolved': {
      const pos = index.get(`proposal-${event.data.proposalId}`);
      const current = pos === undefined ? undefined : items[pos];
      // Only the first answer counts, as in the proposals table.
      if (!current || current.kind !== 'memory_proposal' || current.status !== 'pending') return items;
      const next = items.slice();
      next[pos!] = { ...current, ...proposalOutcome(event.data) };
      return next;
    }
    case 'artifact.created':
      return pushItem(items, index, {
        kind: 'artifact',
        id: artifactItemId(event.data.id),
        ...at,
        artifactId: event.data.id,
        name: event.data.name,
        type: event.data.type,
        size: event.data.size,
        source: event.data.source ?? 'worker',
        sourceThreadId: artifactRunThread(event, (runId) => threads.runs.get(runId)),
        path: event.data.path,
      });
    case 'run.result':
      return pushItem(items, index, {
        kind: 'run_result',
        id: resultItemId(event.data.runId),
        ...at,
        runId: event.data.runId,
        sourceKind: event.data.kind,
        name: event.data.name,
        title: event.data.title,
        status: event.data.status,
        reason: event.data.reason,
        summary: event.data.summary,
        sourceThreadId: event.data.threadId,
      });
    default:
      return items;
  }
}

/** The timeline item of an artifact. */
export function artifactItemId(artifactId: string): string {
  return `artifact-${artifactId}`;
}

/** The status, edited text and memory a proposal has once answered (shared with the SQL projection). */
export function proposalOutcome(data: { action: 'accept' | 'reject'; memoryId: string | null; editedText?: string }): Pick<MemoryProposalItem, 'status' | 'editedText' | 'memoryId'> {
  if (data.action === 'reject') return { status: 'rejected', editedText: null, memoryId: null };
  return { status: data.editedText !== undefined ? 'edited' : 'accepted', editedText: data.editedText ?? null, memoryId: data.memoryId };
}

function pushItem(items: TimelineItem[], index: Map<string, number>, item: TimelineItem): TimelineItem[] {
  if (index.has(item.id)) return items;
  index.set(item.id, items.length);
  return [...items, item];
}

function updateMessage(
  items: TimelineItem[],
  index: Map<string, number>,
  messageId: string,
  update: (m: MessageItem) => MessageItem,
): TimelineItem[] {
  const at = index.get(messageId);
  if (at === undefined) return items;
  const current = items[at];
  if (current.kind !== 'message') return items;
  const next = items.slice();
  next[at] = update(current);
  return next;
}

/** Rebuilds the index for a list of items (after loading a page from the core). */
export function indexTimeline(items: readonly TimelineItem[]): Map<string, number> {
  return new Map(items.map((item, i) => [item.id, i]));
}
