import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { startTestCore, type TestCore } from '../../support/index.js';

/**
 * Runs `run` against a fresh core whose store holds `texts` (area main), closing it after.
 * `oneAMinute`: each memory imported on its own, a minute after the one before, so later texts are
 * newer memories (knowledge updates); otherwise one import of them all.
 */
export async function withMemories(texts: string[], run: (t: TestCore) => Promise<void>, options: { oneAMinute?: boolean } = {}): Promise<void> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const t = await startTestCore({ clock, ids: createSequentialIds() });
  try {
    const lines = texts.map((text) => JSON.stringify({ text, area: 'main' }));
    if (!options.oneAMinute) await t.client.call('memory.import', { jsonl: lines.join('\n') });
    else
      for (const jsonl of lines) {
        await t.client.call('memory.import', { jsonl });
        clock.advance(60_000);
      }
    await run(t);
  } finally {
    await t.close();
  }
}

/** The texts of the memories a search shows as confident answers to `query` (top 10). */
export async function confident(t: TestCore, query: string): Promise<string[]> {
  const { hits } = await t.client.call('memory.search', { query, limit: 10 });
  return hits.filter((h) => h.confident).map((h) => h.memory.text);
}
