import type { MessageItem, RunResultItem } from '../contract/index.js';
import type { ChatMessage } from '../providers/index.js';
import type { Conversation } from './compaction.js';

/**
 * Timeline messages as a conversation a model accepts, with the seq of each: it starts with the user,
 * roles alternate (neighbours of one role are joined, keeping the later seq), and empty or failed
 * replies are left out. A user message that replies to a background run's result (`replyTo`) carries
 * that result before its text: the only way a schedule's or a worker's outcome enters the chat's context.
 */
export function conversationFromTimeline(messages: readonly MessageItem[], summary: string | null, resultOf: (itemId: string) => RunResultItem | null = () => null): Conversation {
  const out: ChatMessage[] = [];
  const seqs: (number | null)[] = [];
  for (const message of messages) {
    if (message.role === 'assistant' && (message.status === 'failed' || message.status === 'streaming' || !message.text.trim())) continue;
    const result = message.replyTo ? resultOf(message.replyTo) : null;
    const quoted = result ? `${quoteResult(result)}\n\n${message.text}` : message.text;
    const text = message.status === 'cancelled' ? `${quoted}\n[reply stopped by the user]` : quoted;
    const last = out[out.length - 1];
    if (last && last.role === message.role) {
      last.content = `${last.content as string}\n\n${text}`;
      seqs[seqs.length - 1] = message.seq;
    } else {
      out.push({ role: message.role, content: text });
      seqs.push(message.seq);
    }
  }
  while (out.length && out[0].role !== 'user') {
    out.shift();
    seqs.shift();
  }
  return { summary, messages: out, seqs };
}

/** A result as the model reads it in front of the message that replies to it. */
export function quoteResult(result: RunResultItem): string {
  const source = result.sourceKind === 'schedule' ? `the scheduled task "${result.name}"` : `the ${result.name} ${result.sourceKind}`;
  const task = result.title ? ` (${result.title})` : '';
  return `[In reply to the result of ${source}${task}, ${result.status}:]\n${result.summary}\n[End of that result.]`;
}
