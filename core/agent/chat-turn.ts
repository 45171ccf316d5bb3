import { AppError } from '../contract/index.js';
import { DeltaCoalescer, type EventLog } from '../events/index.js';
import { ProviderError, parseModelRef, type ProviderRegistry } from '../providers/index.js';
import type { RunExecutor } from '../runs/index.js';
import type { TimelineQueries } from '../timeline/index.js';
import type { Clock } from '../util/clock.js';
import type { Ids } from '../util/ids.js';
import { buildSystemPrompt, toConversation } from './prompt.js';

export interface ChatTurnDeps {
  log: EventLog;
  timeline: TimelineQueries;
  providers: ProviderRegistry;
  clock: Clock;
  ids: Ids;
  timeZone: string;
  /** Text is gathered this long before it becomes a `message.delta` event. */
  deltaWindowMs: number;
  /** Messages of history a turn sees. */
  historyLimit: number;
  maxTokens: number;
}

export interface ChatTurnInput {
  /** `provider:model` */
  model: string;
  /** Seq of the user message this turn answers; history is read up to and including it. */
  userMessageSeq: number;
}

/**
 * One model turn of the master conversation: the reply streams into an assistant message in
 * coalesced deltas and is stored whole at the end. A provider failure becomes a readable timeline
 * error and a failed run, never an exception.
 */
export function chatTurn(deps: ChatTurnDeps, input: ChatTurnInput): RunExecutor {
  return async (ctx) => {
    const messageId = deps.ids.next('msg');
    let text = '';
    let completed = false;
    ctx.emit('message.created', { messageId, role: 'assistant', text: '', status: 'streaming' });
    const coalescer = new DeltaCoalescer(deps.clock, (chunk) => ctx.emit('message.delta', { messageId, text: chunk }), deps.deltaWindowMs);

    ctx.onEnd((status) => {
      coalescer.discard();
      if (completed) return;
      completed = true;
      deps.log.append(
        'message.completed',
        { messageId, text, status: status === 'cancelled' ? 'cancelled' : status === 'done' ? 'done' : 'failed', model: null },
        ctx.runId,
      );
    });

    const { provider: providerId, model } = parseModelRef(input.model);
    const history = toConversation(deps.timeline.recentMessages(input.userMessageSeq + 1, deps.historyLimit));
    try {
      const provider = deps.providers.get(providerId);
      let answeredBy = input.model;
      for await (const event of provider.stream({
        model,
        system: buildSystemPrompt({ now: deps.clock.now(), timeZone: deps.timeZone }),
        messages: history,
        maxTokens: deps.maxTokens,
        signal: ctx.signal,
      })) {
        if (ctx.signal.aborted) break;
        if (event.type === 'text') {
          text += event.text;
          coalescer.push(event.text);
        } else if (event.type === 'end') {
          answeredBy = `${providerId}:${event.model}`;
        }
      }
      if (ctx.signal.aborted) return { status: 'done' };
      coalescer.flush();
      ctx.transaction(() => {
        completed = true;
        deps.log.append('run.model', { model: answeredBy }, ctx.runId);
        deps.log.append('message.completed', { messageId, text, status: 'done', model: answeredBy }, ctx.runId);
      });
      return { status: 'done' };
    } catch (err) {
      if (ctx.signal.aborted) return { status: 'done' };
      coalescer.flush();
      const error = err instanceof ProviderError ? err : new AppError('internal', (err as Error)?.message ?? String(err));
      const code = err instanceof ProviderError ? `provider.${err.kind}` : 'internal';
      ctx.emit('timeline.error', { code, message: error.message });
      return { status: 'failed', reason: err instanceof ProviderError ? 'provider_error' : 'internal', error: error.message };
    }
  };
}
