import { agentExecutor, type AgentRuntime } from '../agent/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import { requireKnownModel, type ProviderId } from '../providers/index.js';
import type { RunManager } from '../runs/index.js';
import type { Ids } from '../util/index.js';

export interface ChatModuleDeps {
  log: EventLog;
  ids: Ids;
  runs: RunManager;
  agent: AgentRuntime;
  providers: { has(id: ProviderId): boolean };
}

/** The chat: `chat.send` files the user's message with its run, and turns answer one after another. */
export function createChatModule(deps: ChatModuleDeps): CapabilityModule {
  const { log, ids, runs } = deps;
  // Chat turns answer one after another, so each sees the replies before it.
  let chatQueue: Promise<unknown> = Promise.resolve();
  const inFlight = new Set<Promise<unknown>>();
  return {
    name: 'chat',
    handlers: {
      'chat.send': ({ text, model }) => {
        if (model) requireKnownModel(deps.providers, model);
        const messageId = ids.next('msg');
        const { runId, seq } = log.transaction(() => {
          const runId = runs.create({ kind: 'chat', title: text.replace(/\s+/g, ' ').trim() });
          const event = log.append('message.created', { messageId, role: 'user', text, status: 'done' }, runId);
          return { runId, seq: event.seq };
        });
        const turn = chatQueue.then(async () => {
          if (runs.get(runId).status !== 'queued') return;
          await runs.start(runId, agentExecutor(deps.agent, { purpose: 'chat', userMessageSeq: seq, model }));
        });
        chatQueue = turn;
        inFlight.add(turn);
        void turn.finally(() => inFlight.delete(turn));
        return { runId, messageId };
      },
    },
    idle: () => (inFlight.size ? Promise.allSettled([...inFlight]).then(() => undefined) : null),
  };
}
