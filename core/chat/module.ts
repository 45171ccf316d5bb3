import { AppError } from '../contract/index.js';
import { agentExecutor, type AgentRuntime } from '../agent/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import { requireKnownModel, type ProviderId } from '../providers/index.js';
import type { RunQueue } from '../runs/index.js';
import { maskingPastedKeys } from '../secrets/index.js';
import type { TimelineQueries } from '../timeline/index.js';
import type { Ids } from '../util/index.js';

export interface ChatModuleDeps {
  log: EventLog;
  ids: Ids;
  queue: RunQueue;
  agent: AgentRuntime;
  providers: { has(id: ProviderId): boolean };
  /** Finds the result item a message replies to. */
  timeline: Pick<TimelineQueries, 'result'>;
}

/**
 * The chat: `chat.send` files the user's message with its run in one transaction and queues the
 * run as a `chat` run the user waits for. Chat runs answer one at a time, so each sees the replies
 * before it. A message may reply to a background run's result (`replyTo`): the result then enters
 * the chat's context with that message, and only then.
 */
export function createChatModule(deps: ChatModuleDeps): CapabilityModule {
  const { log, ids, queue } = deps;
  return {
    name: 'chat',
    handlers: {
      // A key pasted into the message is stored masked, with a notice in the reply.
      'chat.send': maskingPastedKeys(({ text, model, replyTo }) => {
        if (model) requireKnownModel(deps.providers, model);
        if (replyTo && !deps.timeline.result(replyTo)) throw new AppError('not_found', `no result ${replyTo} to reply to`);
        const messageId = ids.next('msg');
        const { runId } = queue.enqueue({
          kind: 'chat',
          title: text.replace(/\s+/g, ' ').trim(),
          priority: 'user',
          input: (runId) => log.append('message.created', { messageId, role: 'user', text, status: 'done', ...(replyTo ? { replyTo } : {}) }, runId).seq,
          executor: (_runId, seq) => agentExecutor(deps.agent, { purpose: 'chat', userMessageSeq: seq, model }),
        });
        return { runId, messageId };
      }, deps.agent.redact),
    },
  };
}
