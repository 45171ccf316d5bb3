import { z } from 'zod';
import { MessageRoleSchema, MessageStatusSchema, type AppEvent } from './events.js';
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
]);
export type TimelineItem = z.infer<typeof TimelineItemSchema>;
export type MessageItem = Extract<TimelineItem, { kind: 'message' }>;

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
    default:
      return items;
  }
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
