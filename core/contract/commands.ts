import { z } from 'zod';
import { AppEventSchema } from './events.js';
import { RunSchema, RunStatusSchema } from './runs.js';
import { SettingsPatchSchema, SettingsSchema, ModelRefSchema } from './settings.js';
import { TimelineItemSchema, TimelineSearchHitSchema } from './timeline.js';
import { PERMISSION_COMMANDS } from './permissions.js';
import { MEMORY_COMMANDS } from './memory.js';
import { PathSchema } from './paths.js';
import { AGENT_COMMANDS } from './agent.js';
import { PROVIDER_COMMANDS } from './providers.js';
import { SCHEDULE_COMMANDS } from './schedules.js';
import { WORKER_COMMANDS } from './workers.js';
import { MCP_COMMANDS } from './mcp.js';
import { SKILLS_COMMANDS } from './skills.js';
import { MAINTENANCE_COMMANDS } from './maintenance.js';
import { ATTACHMENT_COMMANDS, ATTACHMENT_LIMITS, AttachmentInputSchema } from './attachments.js';
import { lazyEntries } from './lazy.js';

const seq = z.number().int().min(0);
const id = z.string().min(1).max(200);

export const HealthCheckSchema = z.object({
  name: z.string(),
  status: z.enum(['ok', 'warn', 'fail']),
  detail: z.string(),
});
export type HealthCheck = z.infer<typeof HealthCheckSchema>;

/**
 * Every command a client can send: its arguments and its result. The gateway parses arguments with
 * these schemas before any handler runs. Add a capability's commands here first. Each entry is
 * built on its first use (`lazyEntries`): a process that never calls a command never builds its schemas.
 */
export const COMMANDS = lazyEntries({
  /** Sends a message to the master conversation; the reply streams as events of the returned run. */
  'chat.send': () => ({
    args: z
      .object({
        text: z.string().trim().min(1, 'a message needs some text').max(100_000),
        model: ModelRefSchema.optional(),
        /** The id of a result item (a schedule's or a worker's) this message replies to: that result enters the chat's context. */
        replyTo: id.optional(),
        /** Images and text files for the model, checked against `ATTACHMENT_LIMITS` and their types. */
        attachments: z.array(AttachmentInputSchema).max(ATTACHMENT_LIMITS.maxCount, `at most ${ATTACHMENT_LIMITS.maxCount} files a message`).optional(),
      })
      .strict(),
    /** `notice`: set when a key in the text was stored masked. */
    result: z.object({ runId: z.string(), messageId: z.string(), notice: z.string().optional() }),
  }),
  /** Lists runs, newest first. */
  'runs.list': () => ({
    args: z.object({ status: RunStatusSchema.optional(), limit: z.number().int().min(1).max(1000).default(50) }).strict(),
    result: z.object({ runs: z.array(RunSchema) }),
  }),
  /** One run. */
  'runs.get': () => ({ args: z.object({ runId: id }).strict(), result: RunSchema }),
  /** Cancels a run: its model stream stops at once and nothing of it is emitted afterwards. */
  'runs.cancel': () => ({ args: z.object({ runId: id }).strict(), result: RunSchema }),
  /** A page of one thread of the timeline (the master timeline: the chat's), oldest first, ending before `beforeSeq` (or at the head). */
  'timeline.list': () => ({
    /** `threadId`: the thread to read (default `chat`: the conversation with the results posted into it). */
    args: z.object({ beforeSeq: seq.optional(), limit: z.number().int().min(1).max(20_000).default(500), threadId: id.optional() }).strict(),
    result: z.object({
      items: z.array(TimelineItemSchema),
      head: seq,
      hasMore: z.boolean(),
      /** The thread of every run that has not ended, so a client following the log knows where their next items go. */
      threads: z.record(z.string(), z.string()),
    }),
  }),
  /** Full-text search over one thread (default the chat's: finished messages, errors, proposals, results), newest first; every word must match, the last as a prefix. */
  'timeline.search': () => ({
    args: z.object({ query: z.string().trim().min(1, 'type something to search for').max(500), beforeSeq: seq.optional(), limit: z.number().int().min(1).max(200).default(50), threadId: id.optional() }).strict(),
    result: z.object({ hits: z.array(TimelineSearchHitSchema), hasMore: z.boolean() }),
  }),
  /** Events after `fromSeq`, oldest first, at most `limit`. */
  'events.since': () => ({
    args: z.object({ fromSeq: seq, limit: z.number().int().min(1).max(10_000).default(1000) }).strict(),
    result: z.object({ events: z.array(AppEventSchema), head: seq }),
  }),
  /** Starts pushing every event after `fromSeq` on this connection, exactly once and in order. Replaces an earlier subscription. */
  'events.subscribe': () => ({ args: z.object({ fromSeq: seq }).strict(), result: z.object({ head: seq }) }),
  /** Stops pushing events on this connection. */
  'events.unsubscribe': () => ({ args: z.object({}).strict(), result: z.object({}) }),
  /** Says what this connection's window can do (`notifications`: it shows `notification.requested`); lasts until it closes. */
  'client.hello': () => ({ args: z.object({ capabilities: z.array(z.enum(['notifications'])).max(10) }).strict(), result: z.object({}) }),
  /** Current settings (secrets only as "set" or not). */
  'settings.get': () => ({ args: z.object({}).strict(), result: SettingsSchema }),
  /** Changes settings; returns the new settings. */
  'settings.update': () => ({ args: SettingsPatchSchema, result: SettingsSchema }),
  /** Health of the database, its extensions and the configured providers. */
  'system.doctor': () => ({
    args: z.object({ probeProviders: z.boolean().default(true) }).strict(),
    result: z.object({ ok: z.boolean(), checks: z.array(HealthCheckSchema) }),
  }),
  /** Does nothing; measures the round trip. */
  'system.ping': () => ({ args: z.object({}).strict(), result: z.object({ now: z.number() }) }),
  /** Which app answers and where its data lives. */
  'system.info': () => ({
    args: z.object({}).strict(),
    result: z.object({ version: z.string(), dataDir: z.string(), pid: z.number(), startedAt: z.number(), head: seq }),
  }),
  /** Copies the database to an absolute path while the app runs (SQLite online backup), checked before it is kept. */
  'system.backup': () => ({
    args: z.object({ path: PathSchema }).strict(),
    /** `compressed`: the path ends in `.gz` and the checked copy was gzip-compressed. */
    result: z.object({ path: z.string(), bytes: z.number(), schemaVersion: z.number(), integrity: z.string(), compressed: z.boolean() }),
  }),
  ...PERMISSION_COMMANDS,
  ...MEMORY_COMMANDS,
  ...AGENT_COMMANDS,
  ...PROVIDER_COMMANDS,
  ...SCHEDULE_COMMANDS,
  ...WORKER_COMMANDS,
  ...MCP_COMMANDS,
  ...SKILLS_COMMANDS,
  ...MAINTENANCE_COMMANDS,
  ...ATTACHMENT_COMMANDS,
});

export type CommandName = keyof typeof COMMANDS;
export type CommandArgs<N extends CommandName> = z.input<(typeof COMMANDS)[N]['args']>;
export type ParsedArgs<N extends CommandName> = z.output<(typeof COMMANDS)[N]['args']>;
export type CommandResult<N extends CommandName> = z.infer<(typeof COMMANDS)[N]['result']>;
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(COMMANDS, name);
}
