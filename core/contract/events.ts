import { z } from 'zod';
import { RunKindSchema, RunResultStatusSchema, RunStatusSchema } from './runs.js';
import { PERMISSION_EVENTS } from './permissions.js';
import { MEMORY_EVENT_DATA } from './memory.js';
import { AGENT_EVENT_DATA } from './agent.js';
import { SCHEDULE_EVENT_DATA } from './schedules.js';
import { WORKER_EVENT_DATA } from './workers.js';
import { MCP_EVENT_DATA } from './mcp.js';
import { SKILLS_EVENT_DATA } from './skills.js';
import { MAINTENANCE_EVENT_DATA } from './maintenance.js';
import { AttachmentMetaSchema } from './attachments.js';
import { lazyEntries } from './lazy.js';

export const MessageRoleSchema = z.enum(['user', 'assistant']);
export type MessageRole = z.infer<typeof MessageRoleSchema>;

/** How a message ended: whole, cut short by a cancel, by a failure, or by the process dying. */
export const MessageStatusSchema = z.enum(['streaming', 'done', 'cancelled', 'failed', 'interrupted']);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

/**
 * The data of every event type. An event is a state change; the log holds them in order and every
 * projection (runs, timeline, ...) is derived from them. New capabilities add their types here.
 * Each schema is built on its first use (`lazyEntries`).
 */
export const EVENT_DATA = lazyEntries({
  /** A run was created and queued. */
  'run.created': () => z.object({
    kind: RunKindSchema,
    title: z.string(),
    parentRunId: z.string().nullable(),
    /** The thread the run reads its history from and writes into (absent in logs from before threads: `chat` for a chat run, else `<kind>:<runId>`). */
    threadId: z.string().optional(),
  }),
  /** A run moved to a new status. */
  'run.status': () => z.object({
    from: RunStatusSchema,
    to: RunStatusSchema,
    reason: z.string().nullable(),
    error: z.string().nullable(),
  }),
  /** The model that answered a run's turn. */
  'run.model': () => z.object({ model: z.string() }),
  /** A message was added to the master timeline; assistant messages start empty and `streaming`. */
  'message.created': () => z.object({
    messageId: z.string(),
    role: MessageRoleSchema,
    text: z.string(),
    status: MessageStatusSchema,
    /** The result item (`run.result`) a user's message replies to: that result enters the chat's context with it. */
    replyTo: z.string().optional(),
    /** Files sent with a user's message (their bytes are kept apart, see `attachments.get`). */
    attachments: z.array(AttachmentMetaSchema).optional(),
  }),
  /** Coalesced streamed text appended to an assistant message. */
  'message.delta': () => z.object({ messageId: z.string(), text: z.string() }),
  /** A message is finished; `text` is the whole text, whatever deltas came before. */
  'message.completed': () => z.object({
    messageId: z.string(),
    text: z.string(),
    status: MessageStatusSchema.exclude(['streaming']),
    model: z.string().nullable(),
  }),
  /**
   * A background run (a schedule's, or a worker the chat started) ended: its outcome, posted into the
   * chat thread of the master timeline as one item (`result-<runId>`). The event belongs to no run
   * (nothing of a run is emitted after it ended); `runId` names the run, whose whole transcript stays
   * in its own thread. It enters the chat's context only when the user replies to it (`chat.send`
   * with `replyTo`).
   */
  'run.result': () => z.object({
    /** The run that ended. */
    runId: z.string(),
    /** The kind of run that posted it: `schedule`, `worker`. */
    kind: RunKindSchema,
    /** Its source as the user knows it: the schedule's name, the worker's role. */
    name: z.string(),
    /** What it was doing: the schedule's prompt, the worker's task (one line). */
    title: z.string(),
    status: RunResultStatusSchema,
    /** Why it did not end `done` (`budget_exceeded`, `cancelled_by_user`, ...). */
    reason: z.string().nullable(),
    /** The result in short: the run's final answer or the worker's summary, or what went wrong. */
    summary: z.string(),
    /** The thread that holds the run's whole transcript. */
    threadId: z.string(),
  }),
  /** A readable error shown in the timeline (provider failures, bad configuration, ...). */
  'timeline.error': () => z.object({ code: z.string(), message: z.string() }),
  /**
   * Settings changed: `keys` names what changed; `values` holds the new value of each settings row
   * written (null: the row was removed), so the rows can be rebuilt from the log. Keys (API keys)
   * are never here: they live in the secret store, and only their names appear in `keys`. Older
   * logs have no `values`.
   */
  'settings.changed': () => z.object({ keys: z.array(z.string()), values: z.record(z.string(), z.unknown()).optional() }),
  ...PERMISSION_EVENTS,
  ...MEMORY_EVENT_DATA,
  ...AGENT_EVENT_DATA,
  ...SCHEDULE_EVENT_DATA,
  ...WORKER_EVENT_DATA,
  ...MCP_EVENT_DATA,
  ...SKILLS_EVENT_DATA,
  ...MAINTENANCE_EVENT_DATA,
});

export type EventType = keyof typeof EVENT_DATA;
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];

/** One entry of the event log. `seq` increases by one per event and never repeats. */
export type EventOf<T extends EventType> = {
  seq: number;
  ts: number;
  type: T;
  runId: string | null;
  data: EventData<T>;
};
export type AppEvent = { [T in EventType]: EventOf<T> }[EventType];

const envelope = { seq: z.number().int().positive(), ts: z.number(), runId: z.string().nullable() };

/** Schema of any event, discriminated on `type`; built on its first use (it holds every event's schema). */
export const AppEventSchema = z.lazy(() =>
  z.discriminatedUnion(
    'type',
    EVENT_TYPES.map((type) => z.object({ ...envelope, type: z.literal(type), data: EVENT_DATA[type] })) as unknown as [
      z.ZodObject<{ type: z.ZodLiteral<EventType> }>,
      ...z.ZodObject<{ type: z.ZodLiteral<EventType> }>[],
    ],
  ),
) as unknown as z.ZodType<AppEvent>;
