import { z } from 'zod';
import { ModelRefSchema, ProviderNameSchema } from './settings.js';

/** What a model is used for; each purpose has its own fallback chain. */
export const PURPOSES = ['chat', 'worker', 'compaction', 'memory', 'schedule'] as const;
export const PurposeSchema = z.enum(PURPOSES);
export type Purpose = z.infer<typeof PurposeSchema>;

/** Prices in US dollars per million tokens. Ollama models cost nothing. */
export const PriceSchema = z.object({
  input: z.number().min(0),
  output: z.number().min(0),
  cacheRead: z.number().min(0).default(0),
  cacheWrite: z.number().min(0).default(0),
});
export type Price = z.infer<typeof PriceSchema>;

/** How the agent runtime routes, spends and remembers; stored in settings. */
export const AgentSettingsSchema = z.object({
  /** Fallback chain per purpose, first choice first. An empty chain uses the chat model. */
  routes: z.partialRecord(PurposeSchema, z.array(ModelRefSchema).max(8)),
  /** Prices per model reference (`provider:model`); unknown models use the built-in table. */
  prices: z.record(z.string(), PriceSchema),
  /** Budgets per run; null means none. */
  budgets: z.object({ runTokens: z.number().int().min(1).nullable(), runCostUsd: z.number().min(0).nullable() }),
  /** Context window per model reference, tokens; unknown models use a built-in guess. */
  contextTokens: z.record(z.string(), z.number().int().min(256)),
  /** Compaction starts when the prompt would pass this share of the context window. */
  compactAt: z.number().min(0.2).max(0.95),
  /** Model turns a run may take before it stops (`turn_limit`). */
  maxTurns: z.number().int().min(1).max(100),
});
export type AgentSettings = z.infer<typeof AgentSettingsSchema>;
// A change names models the way routes do; what is already stored is read leniently so nothing saved is lost.
export const AgentSettingsPatchSchema = AgentSettingsSchema.extend({
  prices: z.record(ModelRefSchema, PriceSchema),
  contextTokens: z.record(ModelRefSchema, z.number().int().min(256)),
})
  .partial()
  .strict();
export type AgentSettingsPatch = z.infer<typeof AgentSettingsPatchSchema>;

const ToolErrorSchema = z.object({ code: z.string(), message: z.string() });

/** Agent runtime events: builders merged into `EVENT_DATA`, each built on first use. */
export const AGENT_EVENT_DATA = {
  /** The `notify` tool asks the open windows to show a notification (the run is the event's `runId`). */
  'notification.requested': () => z.object({ title: z.string(), body: z.string() }),
  /** A tool call the model made passed validation and starts (or was refused before running). */
  'tool.started': () => z.object({
    callId: z.string(),
    tool: z.string(),
    /** The arguments as JSON text, secrets redacted. */
    args: z.string(),
    capability: z.string().nullable(),
    resource: z.string(),
  }),
  /** A tool call ended: its output for the model, or a normalised error. */
  'tool.completed': () => z.object({ callId: z.string(), tool: z.string(), ok: z.boolean(), output: z.string(), error: ToolErrorSchema.nullable() }),
  /** Tokens and cost of one model response. */
  'run.usage': () => z.object({
    model: z.string(),
    purpose: PurposeSchema,
    inputTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    cacheReadTokens: z.number().int().min(0),
    cacheWriteTokens: z.number().int().min(0),
    costUsd: z.number().min(0),
    /** Set when the server reported no usage and the counts are the app's estimate. */
    estimated: z.boolean().optional(),
  }),
  /** A model call failed and will be tried again after a wait. */
  'provider.retry': () => z.object({ model: z.string(), attempt: z.number().int(), kind: z.string(), message: z.string(), delayMs: z.number() }),
  /** A model gave up; the next in the chain is tried (`to` null: none left). */
  'provider.fallback': () => z.object({ from: z.string(), to: z.string().nullable(), reason: z.string() }),
  /** A model kept failing and is skipped until `until` (epoch ms). */
  'provider.cooldown': () => z.object({ model: z.string(), until: z.number(), failures: z.number().int() }),
  /** Older turns were folded into a summary (or dropped, without a model). The raw turns stay archived. */
  'conversation.compacted': () => z.object({
    compactionId: z.string(),
    method: z.enum(['summary', 'truncation']),
    /** Timeline messages up to this seq are covered by the summary. */
    uptoSeq: z.number().int().nullable(),
    messagesCompacted: z.number().int(),
    tokensBefore: z.number().int(),
    tokensAfter: z.number().int(),
    summary: z.string().nullable(),
  }),
} as const;

export const UsageTotalsSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  costUsd: z.number(),
});
export type UsageTotals = z.infer<typeof UsageTotalsSchema>;

const runId = z.string().min(1).max(200);

/** Agent runtime commands: builders merged into `COMMANDS`, each built on first use. */
export const AGENT_COMMANDS = {
  /** Routing, prices, budgets and limits of the agent runtime. */
  'agent.settings.get': () => ({ args: z.object({}).strict(), result: AgentSettingsSchema }),
  /** Changes agent settings; returns them whole. */
  'agent.settings.update': () => ({ args: AgentSettingsPatchSchema, result: AgentSettingsSchema }),
  /** A run with its usage per model, its tool calls and how many steps were recorded. */
  'runs.show': () => ({
    args: z.object({ runId }).strict(),
    result: z.object({
      runId: z.string(),
      status: z.string(),
      reason: z.string().nullable(),
      model: z.string().nullable(),
      usage: z.object({
        total: UsageTotalsSchema,
        /** Responses per model; `estimated` counts those whose server reported no usage (the app estimated it). */
        byModel: z.array(UsageTotalsSchema.extend({ model: z.string(), responses: z.number(), estimated: z.number() })),
        /** True when any count in this run is an estimate. */
        estimated: z.boolean(),
      }),
      toolCalls: z.array(z.object({ callId: z.string(), tool: z.string(), ok: z.boolean().nullable(), error: z.string().nullable() })),
      /** The skills listed in the run's prompt, and the ones it loaded (`load_skill`), in order. */
      skills: z.object({ offered: z.array(z.string()), loaded: z.array(z.string()) }),
      recordedSteps: z.number(),
    }),
  }),
  /** Token and cost totals per day (UTC), newest first. */
  'usage.daily': () => ({
    args: z.object({ days: z.number().int().min(1).max(366).default(30) }).strict(),
    result: z.object({ days: z.array(UsageTotalsSchema.extend({ day: z.string(), runs: z.number() })) }),
  }),
  /** Re-runs a recorded run against its recordings (no network, no side effects) and compares the events. */
  'runs.replay': () => ({
    args: z.object({ runId }).strict(),
    result: z.object({
      runId: z.string(),
      matches: z.boolean(),
      expectedEvents: z.number(),
      actualEvents: z.number(),
      firstDifference: z.object({ index: z.number(), expected: z.string().nullable(), actual: z.string().nullable() }).nullable(),
    }),
  }),
  /** A run's transcript (or the whole timeline) as a standalone HTML page, secrets redacted. */
  'runs.exportHtml': () => ({ args: z.object({ runId: runId.optional() }).strict(), result: z.object({ html: z.string(), filename: z.string() }) }),
  /** Compactions, newest first, with the raw turns each one archived. */
  'agent.compactions': () => ({
    args: z.object({ limit: z.number().int().min(1).max(100).default(20) }).strict(),
    result: z.object({
      compactions: z.array(
        z.object({
          id: z.string(),
          runId: z.string().nullable(),
          /** The thread whose turns it folded: only that thread's turns read it. */
          threadId: z.string(),
          ts: z.number(),
          method: z.enum(['summary', 'truncation']),
          uptoSeq: z.number().nullable(),
          summary: z.string().nullable(),
          transcript: z.array(z.object({ role: z.string(), text: z.string() })),
        }),
      ),
    }),
  }),
  /** Which models are cooling down after repeated failures. */
  'providers.status': () => ({
    args: z.object({}).strict(),
    result: z.object({ models: z.array(z.object({ model: z.string(), state: z.enum(['ok', 'cooldown']), failures: z.number(), until: z.number().nullable() })) }),
  }),
  /** Ends a model's cooldown now (every model's without `model`), so the next message tries it again. */
  'providers.tryNow': () => ({
    args: z.object({ model: z.string().min(1).max(300).optional() }).strict(),
    result: z.object({ models: z.array(z.object({ model: z.string(), state: z.enum(['ok', 'cooldown']), failures: z.number(), until: z.number().nullable() })) }),
  }),
  /** Checks one provider answers with the current settings (the Settings pane's "Test connection"). */
  'providers.test': () => ({
    args: z.object({ provider: ProviderNameSchema }).strict(),
    result: z.object({ ok: z.boolean(), detail: z.string() }),
  }),
} as const;
