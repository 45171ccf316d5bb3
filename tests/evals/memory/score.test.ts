import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scoreSet } from './score.js';
import type { EvalSet } from './sets/validate.js';

/** Twelve memories about the garden shed rank above the one the question wants, which shares no word with it. */
function shedSet(split: 'tune' | 'heldout'): EvalSet {
  const tools = ['rake', 'spade', 'hoe', 'trowel', 'shears', 'saw', 'drill', 'ladder', 'mower', 'wheelbarrow', 'pruner', 'broom'];
  return {
    name: 'shed',
    split,
    description: 'A garden shed and a hose, for the eval harness itself.',
    memories: [
      ...tools.map((tool, i) => ({ key: tool, area: 'main' as const, daysAgo: 10 + i, text: `The garden shed holds the ${tool}` })),
      { key: 'hose', area: 'main', daysAgo: 5, text: 'The hose lives by the back door' },
    ],
    questions: [{ kind: 'lexical', q: 'what is in the garden shed?', expect: ['hose'] }],
    duplicates: [],
  };
}

describe('memory eval scoring', () => {
  it('a tune set lists each miss with where the wanted memory ranks in the results, the full-text list and the meaning list', { timeout: 120_000 }, async () => {
    const counts = await scoreSet(shedSet('tune'), { keepMisses: true });
    assert.equal(counts.byKind.lexical.r10, 0);
    assert.equal(counts.misses.length, 1);
    // No word of the question is in it: the full-text list does not have it; the meaning list and the longer results do.
    assert.match(counts.misses[0], /^lexical: what is in the garden shed\? -> .* \(want hose; hose: #1[1-3], full text none, meaning #\d+\)$/);
  });
  it('a held-out set lists no misses', { timeout: 120_000 }, async () => {
    const counts = await scoreSet(shedSet('heldout'), { keepMisses: false });
    assert.equal(counts.byKind.lexical.r10, 0);
    assert.deepEqual(counts.misses, []);
  });
});
