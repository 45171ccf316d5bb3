import type { MessageItem } from '../contract/index.js';
import type { ChatMessage } from '../providers/index.js';
import type { Conversation } from './compaction.js';

/**
 * Timeline messages as a conversation a model accepts, with the seq of each: it starts with the user,
 * roles alternate (neighbours of one role are joined, keeping the later seq), and empty or failed
 * replies are left out.
 */
export function conversationFromTimeline(messages: readonly MessageItem[], summary: string | null): Conversation {
  const out: ChatMessage[] = [];
  const seqs: (number | null)[] = [];
  for (const message of messages) {
    if (message.role === 'assistant' && (message.status === 'failed' || message.status === 'streaming' || !message.text.trim())) continue;
    const text = message.status === 'cancelled' ? `${message.text}\n[reply stopped by the user]` : message.text;
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
