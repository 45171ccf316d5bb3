import type { Clock, TimerHandle } from '../util/index.js';
import { otherRecord } from './dedup.js';
import { wordingCosine } from './embedder.js';
import type { Logger } from '../util/index.js';
import type { MemoryService } from './service.js';
import type { MemoryRow } from './store.js';

const DAY = 86_400_000;
/** Fragments younger than this are left alone: the conversation may still be going on. */
export const CONSOLIDATE_AFTER_MS = 7 * DAY;
/**
 * Two fragments at least this alike in wording (`wordingCosine`: for the offline embedder with word
 * vectors, the hashed word features alone, since related words such as "sister" and "brother" must not
 * make two fragments one) are about the same thing, unless they are different records (a name, place,
 * day or number changed in the same sentence).
 */
export const FRAGMENT_SIMILARITY = 0.6;
const EVERY_MS = DAY;

/**
 * Consolidation: conversation fragments about the same thing, once a week old, become one memory in
 * `main` (the most informative fragment, without its "User said" preamble) and the fragments are
 * forgotten. Runs once a day and on demand.
 */
export class Consolidator {
  private timer: TimerHandle | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly deps: { memory: MemoryService; clock: Clock; logger: Logger }) {}

  start(): void {
    this.schedule(60 * 60_000);
  }

  stop(): Promise<unknown> {
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    return this.running ?? Promise.resolve();
  }

  async consolidate(): Promise<{ groups: number; created: number; forgotten: number }> {
    const { memory, clock } = this.deps;
    const cutoff = clock.now() - CONSOLIDATE_AFTER_MS;
    const rows = memory.db().prepare("SELECT * FROM memories WHERE area = 'fragments' AND created_at < ? ORDER BY created_at").all(cutoff) as MemoryRow[];
    const gen = memory.vectors.activeGeneration();
    if (!gen || rows.length < 2) return { groups: 0, created: 0, forgotten: 0 };
    const vectors = new Map(rows.map((r) => [r.rowid, memory.vectors.vector(gen, r.rowid)]));
    const cosine = wordingCosine(gen.embedder);
    const used = new Set<number>();
    let groups = 0;
    let created = 0;
    let forgotten = 0;
    for (const row of rows) {
      if (used.has(row.rowid)) continue;
      const v = vectors.get(row.rowid);
      if (!v) continue;
      const group = [row];
      for (const other of rows) {
        const w = vectors.get(other.rowid);
        if (other === row || used.has(other.rowid) || !w) continue;
        if (cosine(v, w) >= FRAGMENT_SIMILARITY && !group.some((g) => otherRecord(withoutPreamble(g.text), withoutPreamble(other.text)))) group.push(other);
      }
      if (group.length < 2) continue;
      for (const g of group) used.add(g.rowid);
      const best = group.reduce((a, b) => (b.text.length > a.text.length ? b : a));
      const newest = group.reduce((a, b) => (b.created_at > a.created_at ? b : a));
      const added = await memory.add({
        text: withoutPreamble(best.text),
        area: 'main',
        createdAt: newest.created_at,
        source: { kind: 'consolidation', runId: best.source_run_id, messageId: best.source_message_id },
      });
      const stillThere = group.filter((g) => memory.queries.get(g.id) && g.id !== added.memory.id).map((g) => g.id);
      if (stillThere.length) forgotten += memory.forget(stillThere);
      groups++;
      if (added.outcome === 'added') created++;
    }
    if (groups) this.deps.logger.log('info', 'memory fragments consolidated', { groups, created, forgotten });
    return { groups, created, forgotten };
  }

  private schedule(ms: number): void {
    this.timer = this.deps.clock.setTimeout(() => {
      this.running = this.consolidate()
        .catch((err) => this.deps.logger.log('warn', 'memory consolidation failed', { error: String(err) }))
        .finally(() => {
          this.running = null;
          if (this.timer) this.schedule(EVERY_MS);
        });
    }, ms);
  }
}

/** "User said the trip is in April" → "The trip is in April". */
export function withoutPreamble(text: string): string {
  const stripped = text.replace(/^(the )?user (said|mentioned|told me|noted|explained|asked|wants|complained)( that)?\s+/i, '');
  return stripped.charAt(0).toUpperCase() + stripped.slice(1);
}
