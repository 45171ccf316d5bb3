import type { EventData } from '../contract/index.js';
import { ProviderError, contextWindowOf, costOf, emptyTotals, priceOf, type ContentBlock, type ToolSpec, type Usage } from '../providers/index.js';
import { toolJsonSchema } from '../tools/index.js';
import { applySummary, compactionPrompt, findCut, promptMessages, renderTranscript, truncateToFit, type Conversation } from './compaction.js';
import { buildSystemPrompt } from './prompt.js';
import { runToolCalls, type PendingCall } from './tool-calls.js';
import { estimatePrompt } from './tokens.js';
import type { AgentDeps, AgentEvent, AgentInput, AgentOutcome } from './types.js';

const KEEP_LAST_MESSAGES = 4;

/**
 * The agent loop: prompt, stream, run the tools the model asked for, feed their results back, until
 * the model ends its turn, a turn limit, a budget or a cancel. Everything it does is an event it
 * yields; failures are outcomes, never exceptions.
 */
export async function* runAgent(deps: AgentDeps, input: AgentInput): AsyncGenerator<AgentEvent, AgentOutcome> {
  const { runId } = input;
  const totals = emptyTotals();
  let conv: Conversation = input.conversation;
  let messageCount = 0;
  let compactionCount = 0;
  let answeredBy: string | null = null;
  const withdrawn = new Set<string>();
  const invalidStreak = new Map<string, number>();
  const emit = (event: AgentEvent & { kind: 'emit' }) => event;

  const system = buildSystemPrompt({
    now: input.startedAt,
    timeZone: deps.timeZone,
    sections: [...deps.systemSections, ...(deps.memory ? [{ title: 'Things you remember', body: deps.memory }] : [])],
  });

  function* usage(model: string, purpose: EventData<'run.usage'>['purpose'], u: Usage): Generator<AgentEvent> {
    const costUsd = costOf(u, priceOf(model, deps.prices));
    totals.inputTokens += u.inputTokens;
    totals.outputTokens += u.outputTokens;
    totals.cacheReadTokens += u.cacheReadTokens;
    totals.cacheWriteTokens += u.cacheWriteTokens;
    totals.costUsd += costUsd;
    const { estimated, ...counts } = u;
    yield emit({ kind: 'emit', event: { type: 'run.usage', data: { model, purpose, ...counts, costUsd, ...(estimated ? { estimated: true } : {}) } } });
  }

  const tokensUsed = () => totals.inputTokens + totals.outputTokens + totals.cacheReadTokens + totals.cacheWriteTokens;
  const overBudget = (): string | null => {
    if (deps.budget.tokens !== null && tokensUsed() > deps.budget.tokens) return `the run used ${tokensUsed()} tokens of its ${deps.budget.tokens}-token budget`;
    if (deps.budget.costUsd !== null && totals.costUsd > deps.budget.costUsd) return `the run cost $${totals.costUsd.toFixed(4)} of its $${deps.budget.costUsd} budget`;
    return null;
  };
  function* stopForBudget(message: string): Generator<AgentEvent, AgentOutcome> {
    yield emit({ kind: 'emit', event: { type: 'timeline.error', data: { code: 'budget_exceeded', message } } });
    return { status: 'failed', reason: 'budget_exceeded', error: message };
  }

  for (let turn = 1; ; turn++) {
    if (deps.signal.aborted) return { status: 'cancelled' };
    if (turn > deps.maxTurns) {
      const message = `stopped after ${deps.maxTurns} model turns (the turn limit)`;
      yield emit({ kind: 'emit', event: { type: 'timeline.error', data: { code: 'turn_limit', message } } });
      return { status: 'failed', reason: 'turn_limit', error: message };
    }
    const tools = deps.tools.filter((t) => !withdrawn.has(t.name));
    const specs: ToolSpec[] = tools.map((t) => ({ name: t.name, description: t.description, inputSchema: toolJsonSchema(t) }));
    const limit = Math.floor(contextWindowOf(input.chain[0] ?? '', deps.contextTokens) * deps.compactAt);

    // Keep the prompt inside the window: summarise older turns, and truncate if that is not enough.
    let estimate = estimatePrompt(system, promptMessages(conv), specs);
    if (estimate > limit) {
      const compacted = yield* compact(conv, estimate, limit, specs);
      if (compacted === 'cancelled') return { status: 'cancelled' };
      conv = compacted;
      estimate = estimatePrompt(system, promptMessages(conv), specs);
    }

    let maxTokens = deps.maxTokens;
    if (deps.budget.tokens !== null) {
      const remaining = deps.budget.tokens - tokensUsed() - estimate;
      if (remaining < 1) return yield* stopForBudget(`the next model turn (about ${estimate} tokens) would pass the run's ${deps.budget.tokens}-token budget (${tokensUsed()} used)`);
      maxTokens = Math.min(maxTokens, remaining);
    }
    if (deps.budget.costUsd !== null) {
      const price = priceOf(input.chain[0] ?? '', deps.prices);
      const next = costOf({ inputTokens: estimate, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 }, price);
      if (totals.costUsd + next > deps.budget.costUsd) return yield* stopForBudget(`the next model turn would pass the run's $${deps.budget.costUsd} budget ($${totals.costUsd.toFixed(4)} used)`);
    }

    const messageId = `${runId}-m${++messageCount}`;
    let text = '';
    // The first reply shows at once (a "thinking" bubble); later turns only when they have text.
    let created = turn === 1;
    if (created) yield emit({ kind: 'emit', event: { type: 'message.created', data: { messageId, role: 'assistant', text: '', status: 'streaming' } } });
    let turnModel: string | null = null;
    const calls: PendingCall[] = [];
    let pendingUsage: Usage | null = null;
    try {
      for await (const event of deps.model(input.purpose, input.chain, { system, messages: promptMessages(conv), tools: specs, maxTokens, signal: deps.signal })) {
        if (deps.signal.aborted) return { status: 'cancelled' };
        switch (event.type) {
          case 'text':
            if (!created) {
              created = true;
              yield emit({ kind: 'emit', event: { type: 'message.created', data: { messageId, role: 'assistant', text: '', status: 'streaming' } } });
            }
            text += event.text;
            yield { kind: 'delta', messageId, text: event.text };
            break;
          case 'tool_call':
            calls.push({ callId: `${runId}-t${turn}-${calls.length + 1}`, providerId: event.id, name: event.name, input: event.input, rawArguments: event.rawArguments });
            break;
          case 'usage':
            pendingUsage = event.usage;
            break;
          case 'end':
            turnModel = event.model;
            if (pendingUsage) yield* usage(turnModel, input.purpose, pendingUsage);
            pendingUsage = null;
            break;
          case 'retry':
            yield emit({ kind: 'emit', event: { type: 'provider.retry', data: { model: event.model, attempt: event.attempt, kind: event.kind, message: deps.redact(event.message), delayMs: event.delayMs } } });
            break;
          case 'fallback':
            yield emit({ kind: 'emit', event: { type: 'provider.fallback', data: { from: event.from, to: event.to, reason: event.reason } } });
            break;
          case 'cooldown':
            yield emit({ kind: 'emit', event: { type: 'provider.cooldown', data: { model: event.model, until: event.until, failures: event.failures } } });
            break;
        }
      }
    } catch (err) {
      if (deps.signal.aborted || (err instanceof ProviderError && err.kind === 'cancelled')) return { status: 'cancelled' };
      const message = deps.redact(err instanceof Error ? err.message : String(err));
      const code = err instanceof ProviderError ? `provider.${err.kind}` : 'internal';
      if (created) yield emit({ kind: 'emit', event: { type: 'message.completed', data: { messageId, text: deps.redact(text), status: 'failed', model: null } } });
      yield emit({ kind: 'emit', event: { type: 'timeline.error', data: { code, message } } });
      return { status: 'failed', reason: err instanceof ProviderError ? 'provider_error' : 'internal', error: message };
    }
    if (turnModel && turnModel !== answeredBy) {
      answeredBy = turnModel;
      yield emit({ kind: 'emit', event: { type: 'run.model', data: { model: turnModel } } });
    }
    if (created) yield emit({ kind: 'emit', event: { type: 'message.completed', data: { messageId, text: deps.redact(text), status: 'done', model: turnModel } } });

    const exceeded = overBudget();
    if (exceeded) return yield* stopForBudget(exceeded);
    if (!calls.length) return { status: 'done' };

    const assistant: ContentBlock[] = [];
    if (text) assistant.push({ type: 'text', text });
    const results = yield* runToolCalls(deps, runId, calls, tools, invalidStreak, withdrawn);
    if (results === 'cancelled') return { status: 'cancelled' };
    for (const call of calls) assistant.push({ type: 'tool_use', id: call.providerId, name: call.name, input: results.inputs.get(call.callId) ?? {} });
    conv = {
      summary: conv.summary,
      messages: [...conv.messages, { role: 'assistant', content: assistant }, { role: 'user', content: results.blocks }],
      seqs: [...conv.seqs, null, null],
    };
  }

  /** Folds older turns into a summary through the compaction chain; truncates without a model if that fails or is not enough. */
  async function* compact(current: Conversation, tokensBefore: number, limit: number, specs: ToolSpec[]): AsyncGenerator<AgentEvent, Conversation | 'cancelled'> {
    const compactionId = `${runId}-k${++compactionCount}`;
    const cut = findCut(current.messages, KEEP_LAST_MESSAGES);
    let next = current;
    let summary: string | null = null;
    if (cut > 0 && input.compactionChain.length) {
      const window = contextWindowOf(input.compactionChain[0], deps.contextTokens);
      const prompt = compactionPrompt(current.summary, renderTranscript(current.messages.slice(0, cut), Math.floor(window * 0.5)));
      let text = '';
      try {
        let pendingUsage: Usage | null = null;
        for await (const event of deps.model('compaction', input.compactionChain, {
          system: prompt.system,
          messages: [{ role: 'user', content: prompt.user }],
          maxTokens: 1024,
          signal: deps.signal,
        })) {
          if (event.type === 'text') text += event.text;
          else if (event.type === 'usage') pendingUsage = event.usage;
          else if (event.type === 'end' && pendingUsage) yield* usage(event.model, 'compaction', pendingUsage);
          else if (event.type === 'fallback') yield emit({ kind: 'emit', event: { type: 'provider.fallback', data: { from: event.from, to: event.to, reason: event.reason } } });
          else if (event.type === 'cooldown') yield emit({ kind: 'emit', event: { type: 'provider.cooldown', data: { model: event.model, until: event.until, failures: event.failures } } });
        }
        if (text.trim()) summary = text.trim();
      } catch (err) {
        if (deps.signal.aborted || (err instanceof ProviderError && err.kind === 'cancelled')) return 'cancelled';
        yield emit({ kind: 'emit', event: { type: 'timeline.error', data: { code: 'compaction_failed', message: `compaction failed, older turns were truncated instead: ${deps.redact((err as Error).message)}` } } });
      }
    }
    const archived = summary ? current.messages.slice(0, cut) : [];
    const archivedSeqs = summary ? current.seqs.slice(0, cut) : [];
    if (summary) next = applySummary(current, cut, summary);
    let method: 'summary' | 'truncation' = 'summary';
    let dropped = archived.length;
    if (!summary || estimatePrompt(system, promptMessages(next), specs) > limit) {
      const truncated = truncateToFit(next, system, specs, limit);
      archived.push(...next.messages.slice(0, truncated.dropped));
      archivedSeqs.push(...next.seqs.slice(0, truncated.dropped));
      dropped += truncated.dropped;
      next = truncated.conv;
      if (!summary) method = 'truncation';
    }
    const covered = archivedSeqs.filter((s): s is number => s !== null);
    yield {
      kind: 'compacted',
      data: {
        compactionId,
        method,
        uptoSeq: covered.length ? Math.max(...covered) : null,
        messagesCompacted: dropped,
        tokensBefore,
        tokensAfter: estimatePrompt(system, promptMessages(next), specs),
        summary: next.summary,
      },
      archive: archived.map((m) => ({ role: m.role, text: deps.redact(typeof m.content === 'string' ? m.content : JSON.stringify(m.content)) })),
    };
    return next;
  }
}
