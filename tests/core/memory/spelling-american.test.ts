import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadLexicon } from '../../../core/memory/lexicon/index.js';
import { termOf } from '../../../core/memory/lexical.js';
import { americanForms, americanSpelling, commonSpelling } from '../../../core/memory/spelling.js';
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

describe('both spellings of a British/American pair are searched under one term', () => {
  it('whichever of the two the word vectors rank commoner, or the American one when neither has a vector', { timeout: 120_000 }, async () => {
    await loadLexicon();
    const pairs: [string, string][] = [
      ['alphabetised', 'alphabetized'],
      ['oesophagitis', 'esophagitis'],
      ['acclimatisation', 'acclimatization'],
      ['westernise', 'westernize'],
      ['dialogue', 'dialog'],
      ['endeavour', 'endeavor'],
      ['archaeology', 'archeology'],
      ['glamour', 'glamor'],
      ['sabre', 'saber'],
      ['colour', 'color'],
    ];
    for (const [british, american] of pairs) assert.equal(termOf(british), termOf(american), `${british} / ${american}`);
    // The commoner spelling is the one searched under: "dialog" is read as dialogue, "colour" as color.
    const lx = await loadLexicon();
    assert.equal(commonSpelling(lx, 'dialog'), 'dialogue');
    assert.equal(commonSpelling(lx, 'endeavor'), 'endeavour');
    assert.equal(commonSpelling(lx, 'dialogue'), null);
    assert.equal(commonSpelling(lx, 'colour'), 'color');
    assert.equal(commonSpelling(lx, 'color'), null);
    // Names and terms of their own stay apart from the commoner word.
    assert.equal(commonSpelling(lx, 'louver'), null);
    assert.equal(commonSpelling(lx, 'louvre'), null);
  });

  it('holds for every pair the rules make of a WordNet lemma', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    let pairs = 0;
    const split: string[] = [];
    for (let id = 0; id < lx.lemmaCount; id++) {
      const british = lx.lemma(id);
      // Names and terms of their own stay apart from the commoner word ("louvre", "timbre", "daemon", "prise").
      if (/[^a-z]/.test(british) || ['louvre', 'timbre', 'daemon', 'prise'].includes(british)) continue;
      for (const american of americanForms(lx, british, true)) {
        pairs++;
        if (termOf(british) !== termOf(american)) split.push(`${british}→${termOf(british)} ${american}→${termOf(american)}`);
      }
    }
    assert.ok(pairs > 1000, `${pairs} pairs`);
    assert.deepEqual(split.slice(0, 30), [], `${split.length} of ${pairs} pairs split`);
  });
});
