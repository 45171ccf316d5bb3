import { z } from 'zod';
import { MemoryAreaSchema, type AppEvent, type Run } from '../contract/index.js';
import { ProviderError } from '../providers/index.js';
import type { RunContext, RunQueue } from '../runs/index.js';
import type { TimelineQueries } from '../timeline/index.js';
import type { MemoryProposals } from './proposals.js';

/** The whole text of a streamed model answer. */
export async function collectText(stream: AsyncIterable<{ type: string; text?: string }>): Promise<string> {
  let out = '';
  for await (const event of stream) if (event.type === 'text' && event.text) out += event.text;
  return out;
}

/**
 * Asks the memory model one question inside a run (its tokens and cost are that run's) and returns
 * its whole text answer.
 */
export type Complete = (run: Pick<RunContext, 'signal' | 'emit'>, system: string, prompt: string) => Promise<string>;

const EXTRACTION_SYSTEM = [
  'You pick out what a personal assistant should remember from one conversation turn.',
  'Keep only durable things: facts about the user and the people in their life, preferences, decisions,',
  'a problem together with the fix that worked, or how to use a tool. Skip small talk, one-off requests and',
  'anything the assistant only guessed. Write each memory as one short sentence in the first person of the user',
  '("My dentist is Dr. Okafor").',
  'Answer with one JSON object per line and nothing else: {"text": "...", "area": "main" | "solutions" | "instruments" | "fragments"}.',
  'At most 5 lines. If nothing is worth remembering, answer NONE.',
].join('\n');

const ProposedSchema = z.object({ text: z.string().trim().min(3).max(1000), area: MemoryAreaSchema.default('main') });

/** Parses the model's answer; lines that are not a valid memory are dropped, not guessed at. */
export function parseExtraction(answer: string): { text: string; area: z.infer<typeof MemoryAreaSchema> }[] {
  const out: { text: string; area: z.infer<typeof MemoryAreaSchema> }[] = [];
  for (const raw of answer.split('\n')) {
    const line = raw.trim().replace(/^[-*]\s*/, '').replace(/,$/, '');
    if (!line.startsWith('{')) continue;
    try {
      const parsed = ProposedSchema.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // not JSON: skipped
    }
  }
  return out.slice(0, 5);
}

/**
 * After a chat run ends `done`, a run of kind `memory` (through the one run queue, so its tokens and
 * cost are counted like any run's, it is listed, cancelled and recovered like any run) asks the memory
 * model what from that turn is worth remembering and files each answer as a proposal (an event in the
 * timeline, with the chat run and its message as the source) for the user to accept, edit or reject,
 * or accepts it at once when auto-accept is on. Off unless enabled.
 */
export class MemoryExtraction {
  constructor(
    private readonly deps: {
      runs: { get(runId: string): Run };
      queue: Pick<RunQueue, 'enqueue'>;
      timeline: Pick<TimelineQueries, 'runMessages'>;
      proposals: MemoryProposals;
      complete: Complete;
      enabled: () => boolean;
    },
  ) {}

  /** Feed every committed event; a chat run that finished `done` queues its extraction run. */
  observe(event: AppEvent): void {
    if (event.type !== 'run.status' || event.data.to !== 'done' || !event.runId || !this.deps.enabled()) return;
    const chat = this.deps.runs.get(event.runId);
    if (chat.kind !== 'chat') return;
    this.deps.queue.enqueue({
      kind: 'memory',
      title: `What to remember from: ${chat.title}`,
      parentRunId: chat.id,
      executor: (runId) => async (ctx) => {
        try {
          await this.extract(chat.id, ctx);
          return { status: 'done' };
        } catch (err) {
          if (ctx.signal.aborted) return { status: 'cancelled', reason: 'cancelled', error: null };
          const message = err instanceof Error ? err.message : String(err);
          return { status: 'failed', reason: err instanceof ProviderError ? 'provider_error' : 'internal', error: `memory extraction for ${runId} failed: ${message}` };
        }
      },
    });
  }

  /** Proposals filed for a chat run (what was already remembered or rejected before is not asked again). */
  async extract(chatRunId: string, run: Pick<RunContext, 'signal' | 'emit'>): Promise<number> {
    const messages = this.deps.timeline.runMessages(chatRunId);
    if (!messages.length) return 0;
    const transcript = messages.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.text}`).join('\n\n').slice(-12_000);
    const answer = await this.deps.complete(run, EXTRACTION_SYSTEM, transcript);
    const proposed = parseExtraction(answer);
    const source = { kind: 'run' as const, runId: chatRunId, messageId: messages.find((m) => m.role === 'user')?.id ?? messages[0].id };
    let filed = 0;
    for (const p of proposed) {
      if (run.signal.aborted) break;
      if (await this.deps.proposals.propose({ ...p, source })) filed++;
    }
    return filed;
  }
}
