import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadLexicon } from '../../../core/memory/lexicon/index.js';
import { americanSpelling } from '../../../core/memory/spelling.js';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { startTestCore } from '../../support/index.js';

describe('British and American spellings', () => {
  it('gives the American spelling of British words by the regular patterns and the listed words', async () => {
    const lx = await loadLexicon();
    const cases: [string, string][] = [
      ['colour', 'color'],
      ['coloured', 'colored'],
      ['favourite', 'favorite'],
      ['neighbourhood', 'neighborhood'],
      ['organised', 'organized'],
      ['organisation', 'organization'],
      ['analyse', 'analyze'],
      ['centres', 'centers'],
      ['theatre', 'theater'],
      ['catalogue', 'catalog'],
      ['licence', 'license'],
      ['paediatric', 'pediatric'],
      ['travelled', 'traveled'],
      ['programme', 'program'],
      ['tyre', 'tire'],
      ['grey', 'gray'],
      ['mum', 'mom'],
      ['jewellery', 'jewelry'],
    ];
    for (const [british, american] of cases) assert.equal(americanSpelling(lx, british), american, british);
  });

  it('leaves alone words a pattern would turn into another word, or into no word, and American words', async () => {
    const lx = await loadLexicon();
    // tour/tor, four/for, acre/acer, Boeing/being, installed/instaled, filled/filed: not the same word.
    for (const word of ['tour', 'four', 'hour', 'contour', 'acre', 'genre', 'fence', 'boeing', 'installed', 'filled', 'advise', 'exercise', 'promise', 'color', 'organize', 'center', 'dentist', 'qwertyuiop'])
      assert.equal(americanSpelling(lx, word), null, word);
  });

  it('a question in one spelling finds the memory written in the other as the same word, and highlights it', async () => {
    const t = await startTestCore({ clock: new ManualClock(Date.UTC(2026, 5, 1)), ids: createSequentialIds() });
    try {
      const texts = ['The car is a grey Škoda, the colour of wet slate', 'Rhi organized the school fundraiser last spring', 'Tour of the old town starts at noon', 'The kitchen table is oak'];
      await t.client.call('memory.import', { jsonl: texts.map((text) => JSON.stringify({ text, area: 'main' })).join('\n') });
      const color = await t.client.call('memory.search', { query: 'what color is the car, gray?', limit: 3 });
      assert.match(color.hits[0].memory.text, /grey Škoda/);
      assert.ok(color.hits[0].explain.matches.some((m) => m.query === 'color' && m.relation === 'word'), JSON.stringify(color.hits[0].explain.matches));
      assert.ok(color.hits[0].explain.matches.some((m) => m.query === 'gray' && m.relation === 'word'));
      const text = color.hits[0].memory.text;
      assert.ok(color.hits[0].highlights.some(([a, b]) => text.slice(a, b) === 'colour'), 'the British form is highlighted');
      const organised = await t.client.call('memory.search', { query: 'who organised the fundraiser', limit: 3 });
      assert.match(organised.hits[0].memory.text, /organized/);
      assert.ok(organised.hits[0].explain.matches.some((m) => m.query === 'organized' && m.relation === 'word'));
    } finally {
      await t.close();
    }
  });
});
