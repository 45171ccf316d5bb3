import type { MessageItem, RunResultItem } from '../contract/index.js';
import type { ChatMessage, ContentBlock } from '../providers/index.js';
import type { Conversation } from './compaction.js';

/** The bytes of a file sent with a message, or null when they are gone. */
export type AttachmentLoader = (id: string) => { name: string; mediaType: string; bytes: Buffer } | null;

/**
 * Timeline messages as a conversation a model accepts, with the seq of each: it starts with the user,
 * roles alternate (neighbours of one role are joined, keeping the later seq), and empty or failed
 * replies are left out. A user message that replies to a background run's result (`replyTo`) carries
 * that result before its text: the only way a schedule's or a worker's outcome enters the chat's context.
 * A message's attached files come after its text: images as images, text files as documents; a file
 * whose bytes are gone is named in the text instead.
 */
export function conversationFromTimeline(
  messages: readonly MessageItem[],
  summary: string | null,
  resultOf: (itemId: string) => RunResultItem | null = () => null,
  attachment?: AttachmentLoader,
): Conversation {
  const out: ChatMessage[] = [];
  const seqs: (number | null)[] = [];
  for (const message of messages) {
    if (message.role === 'assistant' && (message.status === 'failed' || message.status === 'streaming' || !message.text.trim())) continue;
    const result = message.replyTo ? resultOf(message.replyTo) : null;
    const quoted = result ? `${quoteResult(result)}\n\n${message.text}` : message.text;
    const text = message.status === 'cancelled' ? `${quoted}\n[reply stopped by the user]` : quoted;
    const content = message.attachments?.length ? withAttachments(text, message.attachments, attachment) : text;
    const last = out[out.length - 1];
    if (last && last.role === message.role) {
      last.content = join(last.content, content);
      seqs[seqs.length - 1] = message.seq;
    } else {
      out.push({ role: message.role, content });
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

function withAttachments(text: string, files: NonNullable<MessageItem['attachments']>, load: AttachmentLoader | undefined): ContentBlock[] {
  const blocks: ContentBlock[] = [{ type: 'text', text }];
  for (const meta of files) {
    const file = load?.(meta.id);
    if (!file) blocks.push({ type: 'text', text: `[attached file ${meta.name} is no longer available]` });
    else if (file.mediaType.startsWith('image/')) blocks.push({ type: 'image', name: file.name, mediaType: file.mediaType, data: file.bytes.toString('base64') });
    else blocks.push({ type: 'document', name: file.name, mediaType: file.mediaType, text: file.bytes.toString('utf8') });
  }
  return blocks;
}

/**
 * Two neighbouring messages of one role as one. The blank line between them goes into a text block
 * that has words: the Messages API refuses a text block of whitespace alone.
 */
function join(a: string | ContentBlock[], b: string | ContentBlock[]): string | ContentBlock[] {
  if (typeof a === 'string' && typeof b === 'string') return `${a}\n\n${b}`;
  const blocks = (c: string | ContentBlock[]): ContentBlock[] => (typeof c === 'string' ? [{ type: 'text', text: c }] : c);
  const left = blocks(a);
  const right = blocks(b);
  const last = left.at(-1);
  if (last?.type === 'text') return [...left.slice(0, -1), { ...last, text: `${last.text}\n\n` }, ...right];
  const first = right[0];
  if (first?.type === 'text') return [...left, { ...first, text: `\n\n${first.text}` }, ...right.slice(1)];
  return [...left, ...right];
}
