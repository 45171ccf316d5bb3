import { z } from 'zod';
import { MessageRoleSchema, MessageStatusSchema, type AppEvent } from './events.js';
import { MemoryAreaSchema, MemorySourceSchema } from './memory.js';
import { RunStatusSchema } from './runs.js';

const base = { id: z.string(), seq: z.number(), ts: z.number(), runId: z.string().nullable() };

/** An entry of the master timeline. */
export const TimelineItemSchema = z.discriminatedUnion('kind', [
  z.object({
    ...base,
    kind: z.literal('message'),
    role: MessageRoleSchema,
    text: z.string(),
    status: MessageStatusSchema,
    model: z.string().nullable(),
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
]);
export type TimelineItem = z.infer<typeof TimelineItemSchema>;
export type MessageItem = Extract<TimelineItem, { kind: 'message' }>;
export type ToolCallItem = Extract<TimelineItem, { kind: 'tool_call' }>;
export type MemoryProposalItem = Extract<TimelineItem, { kind: 'memory_proposal' }>;

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
 * Applies one event to a timeline held in memory (the renderer's store, the CLI's printer). The core
 * keeps the same projection in SQLite; tests check the two agree. Returns the same array when the
 * event does not touch the timeline.
 */
export function applyTimelineEvent(items: TimelineItem[], index: Map<string, number>, event: AppEvent): TimelineItem[] {
  switch (event.type) {
    case 'message.created': {
      const item: TimelineItem = {
        kind: 'message',
        id: event.data.messageId,
        seq: event.seq,
        ts: event.ts,
        runId: event.runId,
        role: event.data.role,
        text: event.data.text,
        status: event.data.status,
        model: null,
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
        seq: event.seq,
        ts: event.ts,
        runId: event.runId,
        status: event.data.to,
        reason: event.data.reason ?? event.data.error,
      });
    case 'timeline.error':
      return pushItem(items, index, {
        kind: 'error',
        id: `error-${event.seq}`,
        seq: event.seq,
        ts: event.ts,
        runId: event.runId,
        code: event.data.code,
        message: event.data.message,
      });
    case 'tool.started':
      return pushItem(items, index, {
        kind: 'tool_call',
        id: `tool-${event.data.callId}`,
        seq: event.seq,
        ts: event.ts,
        runId: event.runId,
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
      const at = index.get(`tool-${event.data.callId}`);
      const current = at === undefined ? undefined : items[at];
      if (!current || current.kind !== 'tool_call') return items;
      const next = items.slice();
      next[at!] = { ...current, status: event.data.ok ? 'ok' : 'error', output: event.data.output, error: event.data.error };
      return next;
    }
    case 'memory.proposed':
      return pushItem(items, index, {
        kind: 'memory_proposal',
        id: `proposal-${event.data.proposalId}`,
        seq: event.seq,
        ts: event.ts,
        runId: event.runId,
        proposalId: event.data.proposalId,
        text: event.data.text,
        area: event.data.area,
        source: event.data.source,
        status: 'pending',
        editedText: null,
        memoryId: null,
      });
    case 'memory.proposalResolved': {
      const at = index.get(`proposal-${event.data.proposalId}`);
      const current = at === undefined ? undefined : items[at];
      // Only the first answer counts, as in the proposals table.
      if (!current || current.kind !== 'memory_proposal' || current.status !== 'pending') return items;
      const next = items.slice();
      next[at!] = { ...current, ...proposalOutcome(event.data) };
      return next;
    }
    default:
      return items;
  }
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
