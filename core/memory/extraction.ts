import { z } from 'zod';
import { MemoryAreaSchema, type AppEvent } from '../contract/index.js';
import type { ReadableDB } from '../db/index.js';
import type { Logger } from '../util/index.js';
import type { MemoryProposals } from './proposals.js';

/** The whole text of a streamed model answer. */
export async function collectText(stream: AsyncIterable<{ type: string; text?: string }>): Promise<string> {
  let out = '';
  for await (const event of stream) if (event.type === 'text' && event.text) out += event.text;
  return out;
}

/** Asks the memory model one question and returns its whole text answer. */
export type Complete = (system: string, prompt: string, signal: AbortSignal) => Promise<string>;

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
 * After a chat run ends, asks the memory model what from it is worth remembering and files each
 * answer as a proposal (an event in the timeline, with the run and message as its source) for the
 * user to accept, edit or reject, or accepts it at once when auto-accept is on. Off unless enabled.
 */
export class MemoryExtraction {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();

  constructor(
    private readonly deps: {
      db: ReadableDB;
      proposals: MemoryProposals;
      complete: Complete;
      enabled: () => boolean;
      logger: Logger;
    },
  ) {}

  /** Feed every committed event; extraction starts for chat runs that finished `done`. */
  observe(event: AppEvent): void {
    if (event.type !== 'run.status' || event.data.to !== 'done' || !event.runId || !this.deps.enabled()) return;
    const kind = (this.deps.db.prepare('SELECT kind FROM runs WHERE id = ?').get(event.runId) as { kind: string } | undefined)?.kind;
    if (kind !== 'chat') return;
    const job = this.extract(event.runId).catch((err) => this.deps.logger.log('warn', 'memory extraction failed', { runId: event.runId, error: String(err) }));
    this.inFlight.add(job);
    void job.finally(() => this.inFlight.delete(job));
  }

  /** Proposals filed for a run (what was already remembered or rejected before is not asked again). */
  async extract(runId: string): Promise<number> {
    const messages = this.deps.db.prepare("SELECT id, role, text FROM timeline WHERE run_id = ? AND kind = 'message' ORDER BY seq").all(runId) as { id: string; role: string; text: string }[];
    if (!messages.length) return 0;
    const transcript = messages.map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.text}`).join('\n\n').slice(-12_000);
    const answer = await this.deps.complete(EXTRACTION_SYSTEM, transcript, this.controller.signal);
    const proposed = parseExtraction(answer);
    const source = { kind: 'run' as const, runId, messageId: messages.find((m) => m.role === 'user')?.id ?? messages[0].id };
    let filed = 0;
    for (const p of proposed) if (await this.deps.proposals.propose({ ...p, source })) filed++;
    return filed;
  }

  /** Settles when the extractions in flight have ended; null when none is. */
  pending(): Promise<void> | null {
    return this.inFlight.size ? this.idle() : null;
  }

  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.idle();
  }
}
