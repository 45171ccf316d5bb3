import { z } from 'zod';
import type { AppEvent } from './events.js';
import { PermissionRuleSchema } from './permissions.js';
import { RunStatusSchema } from './runs.js';
import { MemoryAccessSchema } from './schedules.js';
import { ModelRefSchema } from './settings.js';

const id = z.string().min(1).max(200);

/** A role's name: what `spawn_worker` asks for and what rules scoped `worker:<name>` name. */
export const WorkerRoleNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a role name is lowercase letters, digits, - and _ (at most 40), starting with a letter');


/** What one worker of a role may spend before it is stopped `budget_exceeded`; null: no limit. */
export const WorkerBudgetSchema = z.object({
  tokens: z.number().int().min(1).nullable(),
  costUsd: z.number().min(0).nullable(),
  /** Wall time from the moment it starts running, seconds. */
  wallTimeSec: z.number().int().min(1).max(7 * 24 * 3600).nullable(),
});
export type WorkerBudget = z.infer<typeof WorkerBudgetSchema>;

/**
 * A kind of worker: its instructions, model, tools, memory access and budget. Its permission
 * envelope is the rules scoped `worker:<name>` (on top of the rules for everywhere).
 */
export const WorkerRoleSchema = z.object({
  name: WorkerRoleNameSchema,
  /** One line the spawning model reads to choose a role. */
  description: z.string().max(500),
  /** The role's instructions, added to the worker's system prompt. */
  systemPrompt: z.string().trim().min(1, 'a role needs instructions').max(20_000),
  /** The model it uses; null: the `worker` route (else the chat model). */
  model: ModelRefSchema.nullable(),
  /** The tools it is offered, by name (`spawn_worker` too, to let it delegate). */
  tools: z.array(z.string().min(1).max(200)).max(200),
  /** What it may do with memory: nothing, recall and search, or also save and forget. */
  memory: MemoryAccessSchema,
  budget: WorkerBudgetSchema,
});
export type WorkerRole = z.infer<typeof WorkerRoleSchema>;

/** How many workers work at once and how deep they may nest (a chat's worker is depth 1). */
export const WorkerPoolSettingsSchema = z.object({
  maxRunning: z.number().int().min(1).max(32),
  maxDepth: z.number().int().min(1).max(5),
});
export type WorkerPoolSettings = z.infer<typeof WorkerPoolSettingsSchema>;

/** A file a worker handed back, kept in the data folder's `artifacts/`. */
export const ArtifactSchema = z.object({
  id: z.string(),
  /** The run that made it. */
  runId: z.string(),
  name: z.string(),
  /** A media type (`text/markdown`). */
  type: z.string(),
  /** Bytes. */
  size: z.number().int().min(0),
  createdAt: z.number(),
});
export type Artifact = z.infer<typeof ArtifactSchema>;

/** One artifact as a worker's model writes it into its result: a file name and its whole text. */
export const WorkerArtifactInputSchema = z.object({
  name: z.string().trim().min(1).max(200),
  type: z.string().trim().max(100).optional(),
  content: z.string().max(1_000_000, 'an artifact holds at most 1,000,000 characters'),
});

/**
 * The result a worker's model must end with, as JSON: what it found or did, files for the user, and
 * what went wrong. Anything else is rejected and becomes the worker's error.
 */
export const WorkerEnvelopeInputSchema = z.object({
  summary: z.string().trim().min(1, 'the summary is empty').max(20_000),
  artifacts: z.array(WorkerArtifactInputSchema).max(20, 'at most 20 artifacts').default([]),
  errors: z.array(z.string().max(2000)).max(50).default([]),
});
export type WorkerEnvelopeInput = z.output<typeof WorkerEnvelopeInputSchema>;

/** A worker's result as its parent and the user get it: the summary, its artifacts (stored), errors. */
export const WorkerEnvelopeSchema = z.object({
  summary: z.string(),
  artifacts: z.array(ArtifactSchema),
  errors: z.array(z.string()),
});
export type WorkerEnvelope = z.infer<typeof WorkerEnvelopeSchema>;

/** A worker as the registry holds it: its run, role, task, where it is, what it has spent. */
export const WorkerSchema = z.object({
  /** The worker's run id. */
  id: z.string(),
  role: z.string(),
  task: z.string(),
  status: RunStatusSchema,
  /** Why it ended when not `done`: `interrupted`, `budget_exceeded`, `invalid_envelope`, `cancelled_by_user`, `parent_cancelled`, ... */
  reason: z.string().nullable(),
  error: z.string().nullable(),
  /** The run that started it (a chat turn, another worker). */
  parentRunId: z.string().nullable(),
  /** 1 for a worker started by a chat turn or a schedule, 2 for one started by a worker, ... */
  depth: z.number().int().min(1),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  /** Tokens of every kind its model calls used so far. */
  tokens: z.number().int().min(0),
  costUsd: z.number().min(0),
  /** What it is doing now (`thinking`, `writing`, `tool read_text`, `waiting for permission`); null once ended. */
  step: z.string().nullable(),
});
export type Worker = z.infer<typeof WorkerSchema>;

/** One line of a worker's transcript. */
export const WorkerTranscriptEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), seq: z.number(), ts: z.number(), role: z.enum(['user', 'assistant']), text: z.string(), status: z.string() }),
  z.object({
    kind: z.literal('tool_call'),
    seq: z.number(),
    ts: z.number(),
    callId: z.string(),
    tool: z.string(),
    args: z.string(),
    status: z.enum(['running', 'ok', 'error']),
    output: z.string(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  }),
  z.object({ kind: z.literal('error'), seq: z.number(), ts: z.number(), code: z.string(), message: z.string() }),
  /** A file it handed back (`workers.artifact` reads it). */
  z.object({ kind: z.literal('artifact'), seq: z.number(), ts: z.number(), artifactId: z.string(), name: z.string(), type: z.string(), size: z.number().int().min(0) }),
]);
export type WorkerTranscriptEntry = z.infer<typeof WorkerTranscriptEntrySchema>;

/** Worker events: builders merged into `EVENT_DATA`, each built on first use. The worker is the event's `runId`. */
export const WORKER_EVENT_DATA = {
  /** A worker was queued (in the transaction that creates its run). */
  'worker.spawned': () => z.object({ role: z.string(), task: z.string(), parentRunId: z.string().nullable(), depth: z.number().int().min(1) }),
  /** A worker ended with a result: its envelope, or for a worker that failed or was stopped, the errors. */
  'worker.result': () => WorkerEnvelopeSchema,
  /**
   * A file was stored in the data folder's `artifacts/`, at `path` (relative to that folder). It is
   * an item of the timeline: in `threadId`, the thread of the run that started the worker (the chat's
   * for a worker the chat started), naming its maker (`source`, the worker's role) and the worker's
   * own thread (`runThreadId`). Logs from before these three: its run's thread, source `worker`.
   */
  'artifact.created': () => ArtifactSchema.omit({ runId: true, createdAt: true }).extend({
    path: z.string(),
    source: z.string().optional(),
    threadId: z.string().optional(),
    runThreadId: z.string().optional(),
  }),
} as const;

/** Worker commands: builders merged into `COMMANDS`, each built on first use. */
export const WORKER_COMMANDS = {
  /** Workers, newest first: `active` ones not yet ended, or `all`. */
  'workers.list': () => ({
    args: z.object({ status: z.enum(['active', 'all']).default('all'), limit: z.number().int().min(1).max(1000).default(50) }).strict(),
    /** `head`: the last event the list reflects; apply only later ones to it. */
    result: z.object({ workers: z.array(WorkerSchema), head: z.number().int().min(0) }),
  }),
  /** One worker with its result and its whole transcript. */
  'workers.get': () => ({
    args: z.object({ workerId: id }).strict(),
    result: WorkerSchema.extend({ envelope: WorkerEnvelopeSchema.nullable(), transcript: z.array(WorkerTranscriptEntrySchema) }),
  }),
  /** Stops a worker (and every worker it started); nothing of it is emitted afterwards. */
  'workers.cancel': () => ({ args: z.object({ workerId: id }).strict(), result: WorkerSchema }),
  /** The roles, each with the rules scoped to it, and the pool's limits. */
  'workers.roles': () => ({
    args: z.object({}).strict(),
    result: z.object({ roles: z.array(WorkerRoleSchema.extend({ rules: z.array(PermissionRuleSchema) })), pool: WorkerPoolSettingsSchema }),
  }),
  /** Adds a role or replaces the one of that name. */
  'workers.saveRole': () => ({ args: z.object({ role: WorkerRoleSchema }).strict(), result: z.object({ role: WorkerRoleSchema }) }),
  /** Removes a role; workers of it already started go on. */
  'workers.removeRole': () => ({ args: z.object({ name: WorkerRoleNameSchema }).strict(), result: z.object({ name: z.string() }) }),
  /** Changes how many workers work at once and how deep they nest. */
  'workers.setPool': () => ({ args: WorkerPoolSettingsSchema.partial().strict(), result: WorkerPoolSettingsSchema }),
  /** One artifact and, when it is text of at most 1 MB, its content. */
  'workers.artifact': () => ({
    args: z.object({ artifactId: id }).strict(),
    result: z.object({ artifact: ArtifactSchema, path: z.string(), text: z.string().nullable() }),
  }),
} as const;

/** States of a worker that has not ended. */
export const ACTIVE_WORKER_STATUSES = ['queued', 'running', 'waiting_permission'] as const;

/**
 * What a worker is doing after `event` (one of its own run's events), or undefined when the event
 * says nothing about it. The core's registry and the renderer's panel follow the same rule.
 */
export function workerStepAfter(event: AppEvent): string | null | undefined {
  switch (event.type) {
    case 'run.status':
      if (event.data.to === 'running') return event.data.from === 'queued' ? 'starting' : 'thinking';
      if (event.data.to === 'waiting_permission') return 'waiting for permission';
      return null;
    case 'message.created':
      return event.data.role === 'assistant' ? 'thinking' : undefined;
    case 'message.delta':
      return 'writing';
    case 'tool.started':
      return `tool ${event.data.tool}`;
    case 'tool.completed':
      return 'thinking';
    default:
      return undefined;
  }
}
