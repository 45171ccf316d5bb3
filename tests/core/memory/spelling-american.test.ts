import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadLexicon } from '../../../core/memory/lexicon/index.js';
import { americanSpelling } from '../../../core/memory/spelling.js';
import { wordVectors } from '../../../core/memory/vectors/index.js';

describe('British to American spelling, checked against every word with a vector', () => {
  it('leaves alone words American English spells the same (double l of a stressed ending, -ise verbs)', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    for (const word of ['controlled', 'controlling', 'compelling', 'expelled', 'fulfilled', 'enrolled', 'patrolled', 'propelled', 'rebelled', 'advertising', 'advertise', 'improvised', 'reprise', 'appalling', 'louvre', 'timbre', 'daemon'])
      assert.equal(americanSpelling(lx, word), null, `${word} → ${americanSpelling(lx, word)}`);
  });

  it('never rewrites a word with a word vector into one without (the vectors are to be read for the commoner form)', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    const v = wordVectors();
    assert.ok(v, 'word vectors installed');
    const lost: string[] = [];
    for (const w of v.words()) {
      if (/[^a-z]/.test(w)) continue;
      const a = americanSpelling(lx, w);
      if (a && !v.get(a)) lost.push(`${w}→${a}`);
    }
    assert.deepEqual(lost.slice(0, 20), [], `${lost.length} rewrites lose their vector`);
  });
});
