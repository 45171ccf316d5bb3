import type { AgentSettings, Purpose } from '../contract/index.js';
import { DeltaCoalescer, type EventLog } from '../events/index.js';
import type { PermissionGate } from '../permissions/index.js';
import { ProviderError, contextWindowOf, type ProviderErrorKind, routeStream, type ChatMessage, type CircuitBreaker, type ModelProvider, type ProviderId, type RoutedEvent } from '../providers/index.js';
import type { RunExecutor, RunOutcome } from '../runs/index.js';
import type { TimelineQueries } from '../timeline/index.js';
import { normalizeToolError, recordedToolSpec, type AnyTool, type Notifier, type ToolContext } from '../tools/index.js';
import type { Clock } from '../util/index.js';
import { createStreamRedactor } from '../secrets/index.js';
import { runAgent } from './loop.js';
import { conversationFromTimeline } from './history.js';
import type { Conversation } from './compaction.js';
import type { AgentStore } from './store.js';
import type { AgentDeps, AgentEvent, AgentInput, ModelCaller, ToolCallResult, ToolSeams } from './types.js';

/**
 * The run a system prompt section is built for. What the section records about it (the skills it
 * offers) goes through `record`: it commits with the run's recorded input and its first message.
 */
export interface SectionRun {
  runId: string;
  record(write: () => void): void;
}

/** Retrieved memory for a prompt: the memory capability fills this slot. */
export type RecallForPrompt = (query: string, budgetTokens: number) => Promise<string | null> | string | null;

/** What every agent run shares: built once in the composition root. */
export interface AgentRuntime {
  log: EventLog;
  timeline: TimelineQueries;
  /** A file sent with a message, with its bytes (null when it is gone). */
  attachment?: (id: string) => { name: string; mediaType: string; bytes: Buffer } | null;
  store: AgentStore;
  providers: { get(id: ProviderId): ModelProvider };
  breaker: CircuitBreaker;
  clock: Clock;
  redact: (text: string) => string;
  tools: () => readonly AnyTool[];
  gate: PermissionGate;
  notifier: () => Notifier | null;
  /** The environment commands run with, scrubbed of keys. */
  commandEnv: Readonly<Record<string, string>>;
  timeZone: string;
  deltaWindowMs: number;
  settings: () => AgentSettings;
  chatModel: () => string;
  /** Folders file and shell tools may touch (the permission settings own them). */
  roots: () => readonly string[];
  recallForPrompt?: RecallForPrompt;
  /** The system prompt's sections from other capabilities, for the run starting now. */
  systemSections?: (run: SectionRun) => { title: string; body: string }[];
  /** The skills a run follows so far (loaded with `load_skill`), with their `allowed-tools`, for the permission gate. */
  skillsInUse?: (runId: string) => { name: string; allowedTools: readonly string[] | null }[];
  maxTokens: number;
  historyLimit: number;
  /** The thread a run reads its history from and writes into (the runs capability knows). */
  threadOf: (runId: string) => string;
}

export interface AgentRunInput {
  purpose: Purpose;
  /** Seq of the user message this run answers; history is read up to and including it. */
  userMessageSeq: number;
  /** A model chosen for this message only; otherwise the purpose's chain. */
  model?: string;
  /**
   * A conversation of its own instead of the master timeline's (a worker's task, a scheduled
   * prompt): it must start with a user message. `userMessageSeq` is then ignored.
   */
  messages?: ChatMessage[];
  /** Only these tools (a worker role's); default all. */
  allowedTools?: readonly string[];
  /** More system prompt sections (a worker role's instructions). */
  sections?: { title: string; body: string }[];
  /** Where the run comes from (its schedule, its worker role), so permission rules scoped to it apply. */
  scope?: { scheduleId?: string; workerRole?: string };
  /** False: no retrieved memory in the prompt (a schedule without memory access). */
  recall?: boolean;
  /** Keeps only the tools this accepts (a schedule's memory access drops memory tools). */
  toolFilter?: (tool: AnyTool) => boolean;
  /** This run's own token and cost budget instead of the settings' (a schedule's). */
  budget?: { tokens: number | null; costUsd: number | null };
}

/**
 * What ends a model turn (its usage, the model that answered, the finished message) commits with the
 * run's next write: the turn's first tool call, or the run's end. One transaction for a turn's end
 * instead of four (with the text still coalescing and the model step's recording).
 */
const ENDS_A_TURN: ReadonlySet<string> = new Set(['run.usage', 'run.model', 'message.completed']);

/**
 * A model step's failure as recorded for replay. A provider's own error keeps its provider and kind;
 * anything else is labelled with the provider of the model that was being tried (not a guess) and
 * `kind: null`, so replay throws it again as the same plain error the loop saw live.
 */
function recordedError(err: unknown, model: string | null): { provider: ProviderId | null; kind: ProviderErrorKind | null; message: string; status: number | null } {
  if (err instanceof ProviderError) return { provider: err.provider, kind: err.kind, message: err.message, status: err.status };
  const provider = model === null ? null : model.slice(0, Math.max(0, model.indexOf(':'))) || null;
  return { provider, kind: null, message: String((err as Error)?.message ?? err), status: null };
}

/**
 * The loop stopped as cancelled. Cancelled through the run manager, the run has ended already and
 * this is not read; otherwise nothing here cancelled it: the provider ended its request as cancelled
 * (the server cut the stream, the SDK aborted it), and the run says so instead of ending `done`.
 */
function cancelledOutcome(signal: AbortSignal): RunOutcome {
  if (signal.aborted) return { status: 'cancelled', reason: 'cancelled', error: null };
  return { status: 'cancelled', reason: 'provider_cancelled', error: 'the model provider ended the request as cancelled before the answer was complete' };
}

/** The chain of models for a purpose: settings' route, else the chat model. */
export function chainFor(rt: AgentRuntime, purpose: Purpose, explicit?: string): string[] {
  if (explicit) return [explicit];
  const route = rt.settings().routes[purpose];
  if (route?.length) return [...route];
  const chat = rt.settings().routes.chat;
  return chat?.length ? [...chat] : [rt.chatModel()];
}

/**
 * A run of the agent loop inside the run manager: history from the timeline, everything the run
 * sees from outside recorded for replay, text coalesced before it reaches the log.
 */
export function agentExecutor(rt: AgentRuntime, input: AgentRunInput): RunExecutor {
  return async (ctx) => {
    const settings = rt.settings();
    const chain = chainFor(rt, input.purpose, input.model);
    const compactionChain = settings.routes.compaction?.length ? [...settings.routes.compaction] : chain;
    const threadId = rt.threadOf(ctx.runId);
    let conversation: Conversation;
    let query: string;
    if (input.messages) {
      conversation = { summary: null, messages: [...input.messages], seqs: input.messages.map(() => null) };
      const lastUser = input.messages.filter((m) => m.role === 'user').at(-1);
      query = typeof lastUser?.content === 'string' ? lastUser.content : '';
    } else {
      // The run's own thread only: its summary and its messages, never another thread's.
      const summary = rt.store.summaryBefore(threadId, input.userMessageSeq + 1);
      const messages = rt.timeline.recentMessages(input.userMessageSeq + 1, rt.historyLimit, threadId).filter((m) => !summary || m.seq > summary.uptoSeq);
      conversation = conversationFromTimeline(messages, summary?.summary ?? null, (itemId) => rt.timeline.result(itemId), rt.attachment);
      query = messages.filter((m) => m.role === 'user').at(-1)?.text ?? '';
    }
    const window = contextWindowOf(chain[0], settings.contextTokens);
    let memory: string | null = null;
    try {
      memory = input.recall === false ? null : (await rt.recallForPrompt?.(query, Math.min(2000, Math.floor(window * 0.1)))) || null;
    } catch {
      memory = null;
    }
    if (ctx.signal.aborted) return cancelledOutcome(ctx.signal);

    let step = 0;
    const record = (kind: string, callId: string | null, data: unknown) => rt.store.record(ctx.runId, ++step, kind, callId, rt.redact(JSON.stringify(data)));
    /** Records a step, numbered and serialised now, with the run's next write. */
    const recordLater = (kind: string, callId: string | null, data: unknown) => {
      const at = ++step;
      const text = rt.redact(JSON.stringify(data));
      ctx.defer(() => rt.store.record(ctx.runId, at, kind, callId, text));
    };
    const roots = [...rt.roots()];
    const unreadable = (path: string) => {
      const verdict = rt.gate.readableInside(path, input.scope);
      return verdict.ok ? null : verdict.reason;
    };
    const toolContext: ToolContext = { runId: ctx.runId, signal: ctx.signal, clock: rt.clock, roots, env: rt.commandEnv, notifier: rt.notifier(), timeZone: rt.timeZone, unreadable };
    const agentInput: AgentInput = { runId: ctx.runId, purpose: input.purpose, chain, compactionChain, conversation, startedAt: rt.clock.now() };
    const offered = input.allowedTools ? rt.tools().filter((t) => input.allowedTools!.includes(t.name)) : rt.tools();
    const tools = input.toolFilter ? offered.filter(input.toolFilter) : offered;
    // What a section records as the run starts (the skills offered) and the run's recorded input
    // commit with the run's `running` and its first message: one write to the database before the
    // first model request instead of four.
    const sectionWrites: (() => void)[] = [];
    const systemSections = [...(rt.systemSections?.({ runId: ctx.runId, record: (write) => sectionWrites.push(write) }) ?? []), ...(input.sections ?? [])];
    const config = { prices: settings.prices, contextTokens: settings.contextTokens, compactAt: settings.compactAt, maxTurns: settings.maxTurns, maxTokens: rt.maxTokens, budget: input.budget ? { tokens: input.budget.tokens ?? settings.budgets.runTokens, costUsd: input.budget.costUsd ?? settings.budgets.runCostUsd } : { tokens: settings.budgets.runTokens, costUsd: settings.budgets.runCostUsd }, timeZone: rt.timeZone, systemSections, memory, tools: tools.map((t) => t.name), toolSpecs: tools.map(recordedToolSpec), roots };
    ctx.defer(() => {
      for (const write of sectionWrites) write();
    });
    recordLater('input', null, { input: agentInput, config });

    // Each model step records only the messages added since the previous step of its purpose, so a
    // long run's recording grows linearly; a compacted (shorter) prompt is recorded whole. The first
    // step continues from the conversation the input step already holds, so a long history is not
    // serialised a second time between the first and second model turns.
    const sent = new Map<string, { system: string | null; messages: readonly unknown[] }>([[input.purpose, { system: null, messages: conversation.messages }]]);
    const requestRecord = (purpose: string, request: { system: string; messages: readonly unknown[]; maxTokens: number; tools?: { name: string }[] }) => {
      const previous = sent.get(purpose);
      const continues =
        previous && (previous.system === null || previous.system === request.system) && previous.messages.length <= request.messages.length && previous.messages.every((m, i) => m === request.messages[i]);
      sent.set(purpose, { system: request.system, messages: request.messages });
      if (!continues) return { continues: false, system: request.system, messages: request.messages, maxTokens: request.maxTokens, tools: request.tools?.map((t) => t.name) };
      const fromInput = previous!.system === null ? { fromInput: true, system: request.system, tools: request.tools?.map((t) => t.name) } : {};
      return { continues: true, ...fromInput, messageCount: request.messages.length, newMessages: request.messages.slice(previous!.messages.length), maxTokens: request.maxTokens };
    };
    const model: ModelCaller = async function* (purpose, modelChain, request) {
      const events: RoutedEvent[] = [];
      const requested = requestRecord(purpose, request);
      // The model being tried: the chain's first, then each one the router falls back to.
      let current: string | null = modelChain[0] ?? null;
      try {
        for await (const event of routeStream({ providers: rt.providers, clock: rt.clock, breaker: rt.breaker }, modelChain, request)) {
          if (event.type === 'fallback') current = event.to;
          // Text is recorded joined, so the redaction pass sees a key whole however it was chunked.
          const last = events.at(-1);
          if (event.type === 'text' && last?.type === 'text') events[events.length - 1] = { type: 'text', text: last.text + event.text };
          else events.push(event);
          yield event;
        }
        // Commits with the turn's end (its usage, the finished message), or the run's.
        recordLater('model', null, { purpose, chain: modelChain, request: requested, events, error: null });
      } catch (err) {
        if (!(err instanceof ProviderError && err.kind === 'cancelled')) record('model', null, { purpose, chain: modelChain, request: requested, events, error: recordedError(err, current) });
        throw err;
      }
    };
    const seams: ToolSeams = {
      async authorize(request, callId) {
        const skills = rt.skillsInUse?.(ctx.runId) ?? [];
        const decision = await rt.gate.check({ ...request, ...(input.scope ? { scope: input.scope } : {}), ...(skills.length ? { skills } : {}) }, {
          signal: ctx.signal,
          setStatus: (to, reason) => ctx.setStatus(to, reason),
          onEnd: (step) => ctx.onEnd(step),
        });
        record('gate', callId, decision);
        return decision;
      },
      async execute(tool, args, callId, grant) {
        let result: ToolCallResult;
        try {
          result = { ok: true, output: await tool.run(args, grant === undefined ? toolContext : { ...toolContext, ...grant }) };
        } catch (err) {
          result = { ok: false, error: normalizeToolError(err, ctx.signal) };
        }
        if (!ctx.signal.aborted) record('tool', callId, result);
        return result;
      },
    };
    const deps: AgentDeps = {
      model,
      seams,
      tools,
      toolContext,
      clock: rt.clock,
      signal: ctx.signal,
      redact: rt.redact,
      prices: config.prices,
      contextTokens: config.contextTokens,
      compactAt: config.compactAt,
      maxTurns: config.maxTurns,
      maxTokens: config.maxTokens,
      budget: config.budget,
      timeZone: rt.timeZone,
      systemSections,
      memory,
    };

    const open = { message: null as string | null, text: '', tools: new Map<string, string>() };
    let streamRedactor = createStreamRedactor(rt.redact);
    // True while a turn's end is applied: the text still coalescing goes with it.
    let ending = false;
    const coalescer = new DeltaCoalescer(
      rt.clock,
      (text) => {
        const safe = streamRedactor.push(text);
        if (!open.message || !safe) return;
        if (ending) ctx.emitLater('message.delta', { messageId: open.message, text: safe });
        else ctx.emit('message.delta', { messageId: open.message, text: safe });
      },
      rt.deltaWindowMs,
    );
    ctx.onEnd((status) => {
      coalescer.discard();
      if (status === 'done') return;
      const closing = status === 'cancelled' ? 'cancelled' : 'failed';
      if (open.message) rt.log.append('message.completed', { messageId: open.message, text: rt.redact(open.text), status: closing, model: null }, ctx.runId);
      for (const [callId, tool] of open.tools) {
        rt.log.append('tool.completed', { callId, tool, ok: false, output: '', error: { code: 'cancelled', message: `the run ${closing === 'cancelled' ? 'was cancelled' : 'failed'} before this call finished` } }, ctx.runId);
      }
    });

    const generator = runAgent(deps, agentInput);
    for (;;) {
      const next = await generator.next();
      if (ctx.signal.aborted) {
        await generator.return({ status: 'cancelled' });
        return cancelledOutcome(ctx.signal);
      }
      if (next.done) {
        coalescer.flush();
        const outcome = next.value;
        return outcome.status === 'cancelled' ? cancelledOutcome(ctx.signal) : outcome;
      }
      apply(next.value);
    }

    function apply(event: AgentEvent): void {
      if (event.kind === 'delta') {
        open.text += event.text;
        coalescer.push(event.text);
        return;
      }
      ending = event.kind === 'emit' && ENDS_A_TURN.has(event.event.type);
      coalescer.flush();
      ending = false;
      if (event.kind === 'compacted') {
        ctx.transaction(() => {
          const appended = rt.log.append('conversation.compacted', event.data, ctx.runId);
          rt.store.saveCompaction(appended.seq, appended.ts, ctx.runId, threadId, event.data, event.archive);
        });
        return;
      }
      const e = event.event;
      if (e.type === 'message.created') {
        open.message = e.data.messageId;
        open.text = '';
        streamRedactor = createStreamRedactor(rt.redact);
      } else if (e.type === 'message.completed') {
        open.message = null;
      } else if (e.type === 'tool.started') {
        open.tools.set(e.data.callId, e.data.tool);
      } else if (e.type === 'tool.completed') {
        open.tools.delete(e.data.callId);
      }
      if (ENDS_A_TURN.has(e.type)) ctx.emitLater(e.type, e.data as never);
      else ctx.emit(e.type, e.data as never);
    }
  };
}
