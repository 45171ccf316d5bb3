import { AppError } from '../contract/index.js';
import { agentExecutor, type AgentRuntime } from '../agent/index.js';
import { checkAttachments, type AttachmentStore, type CheckedAttachment } from '../attachments/index.js';
import type { Clock } from '../util/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import { requireKnownModel, type ProviderId } from '../providers/index.js';
import type { RunQueue } from '../runs/index.js';
import { maskingPastedKeys, PASTED_KEY_NOTICE } from '../secrets/index.js';
import type { TimelineQueries } from '../timeline/index.js';
import type { Ids } from '../util/index.js';

export interface ChatModuleDeps {
  log: EventLog;
  ids: Ids;
  clock: Clock;
  queue: RunQueue;
  agent: AgentRuntime;
  attachments: AttachmentStore;
  providers: { has(id: ProviderId): boolean };
  /** Finds the result item a message replies to. */
  timeline: Pick<TimelineQueries, 'result'>;
}

/**
 * The chat: `chat.send` files the user's message (and the bytes of its attachments) with its run in
 * one transaction and queues the run as a `chat` run the user waits for. Chat runs answer one at a
 * time, so each sees the replies before it. A message may reply to a background run's result
 * (`replyTo`): the result then enters the chat's context with that message, and only then.
 */
export function createChatModule(deps: ChatModuleDeps): CapabilityModule {
  const { log, ids, queue } = deps;
  return {
    name: 'chat',
    handlers: {
      // A key pasted into the message, or into an attached text file, is stored masked, with a notice in the reply.
      'chat.send': maskingPastedKeys(({ text, model, replyTo, attachments }) => {
        if (model) requireKnownModel(deps.providers, model);
        if (replyTo && !deps.timeline.result(replyTo)) throw new AppError('not_found', `no result ${replyTo} to reply to`);
        const { files, masked } = maskTextFiles(checkAttachments(attachments ?? []), deps.agent.redact);
        const messageId = ids.next('msg');
        const { runId } = queue.enqueue({
          kind: 'chat',
          title: text.replace(/\s+/g, ' ').trim(),
          priority: 'user',
          input: (runId) => {
            const stored = files.length ? deps.attachments.put(messageId, files, () => ids.next('att'), deps.clock.now()) : undefined;
            return log.append('message.created', { messageId, role: 'user', text, status: 'done', ...(replyTo ? { replyTo } : {}), ...(stored ? { attachments: stored } : {}) }, runId).seq;
          },
          executor: (_runId, seq) => agentExecutor(deps.agent, { purpose: 'chat', userMessageSeq: seq, model }),
        });
        return masked ? { runId, messageId, notice: PASTED_KEY_NOTICE } : { runId, messageId };
      }, deps.agent.redact),
    },
  };
}

function maskTextFiles(files: CheckedAttachment[], redact: (text: string) => string): { files: CheckedAttachment[]; masked: boolean } {
  let masked = false;
  const out = files.map((file) => {
    if (file.kind !== 'text') return file;
    const text = file.bytes.toString('utf8');
    const safe = redact(text);
    if (safe === text) return file;
    masked = true;
    return { ...file, bytes: Buffer.from(safe, 'utf8') };
  });
  return { files: out, masked };
}
