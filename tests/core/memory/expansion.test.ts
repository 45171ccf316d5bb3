import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { expansionWords, prepareWordNet } from '../../../core/memory/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { startTestCore } from '../../support/index.js';

describe('query expansion through WordNet', () => {
  before(() => prepareWordNet());

  it('expands a word to narrower terms, derived and pertaining words, and single words for its compounds', () => {
    const fruit = expansionWords('fruit');
    assert.ok(fruit.includes('apple') && fruit.includes('banana'), 'narrower terms of a noun');
    assert.ok(expansionWords('surgical').includes('surgery'), 'the noun an adjective pertains to');
    assert.ok(expansionWords('dental').includes('dentist'), '"dental practitioner" is a dentist');
    // "colour" has no tagged senses of its own; its synonym "color" says the hue sense comes first.
    assert.ok(expansionWords('colour').includes('blue'));
    assert.ok(!expansionWords('dental').includes('consonant'), 'the phonetics noun is a sense nobody uses');
  });

  it('does not expand a word with dozens of senses', () => {
    assert.deepEqual(expansionWords('go'), []);
    assert.deepEqual(expansionWords('run'), []);
  });

  it('a query word no memory contains is stood in for by the words it may mean, in the full-text list', async () => {
    const t = await startTestCore({ clock: new ManualClock(Date.UTC(2026, 5, 1)), ids: createSequentialIds() });
    try {
      const wine = await t.client.call('memory.add', { text: 'With pasta I always order a glass of red wine', area: 'main' });
      await t.client.call('memory.add', { text: 'The pasta place on Elm Street closes at ten', area: 'main' });
      await t.client.call('memory.add', { text: 'Our book club meets on the first Monday', area: 'main' });
      await t.client.call('memory.add', { text: 'A glass vase broke during the move', area: 'fragments' });
      const { hits } = await t.client.call('memory.search', { query: 'Which beverage?', limit: 5 });
      const hit = hits.find((h) => h.memory.id === wine.memory.id);
      assert.ok(hit, 'the wine memory is found');
      assert.equal(hit.explain.standInRank, 1, 'it continues the empty full-text list');
      assert.equal(hit.explain.bm25Rank, null, 'it does not contain the query word itself');
      assert.equal(hits[0].memory.id, wine.memory.id);
      // A query whose words memories do contain keeps its full-text list to those memories.
      const plain = await t.client.call('memory.search', { query: 'pasta', limit: 5 });
      assert.deepEqual(plain.hits.filter((h) => h.explain.bm25Rank !== null).map((h) => h.memory.text).sort(), ['The pasta place on Elm Street closes at ten', 'With pasta I always order a glass of red wine']);
      assert.ok(plain.hits.every((h) => h.explain.standInRank === null));
      // Small talk does not pull memories into the prompt through the words it may mean.
      await t.client.call('memory.add', { text: 'Greeting cards for the team are in the top drawer', area: 'main' });
      const hello = await t.client.call('memory.search', { query: 'hello!', limit: 5 });
      assert.ok(hello.hits.some((h) => h.explain.standInRank !== null && h.memory.text.startsWith('Greeting')), 'search still shows it');
      assert.equal(await t.core.memory.recallForPrompt('hello!', 500), null);
    } finally {
      await t.close();
    }
  });

  it('words a query may mean that no memory contains do not crowd out the ones that some memory does', async () => {
    const t = await startTestCore({ clock: new ManualClock(Date.UTC(2026, 5, 1)), ids: createSequentialIds() });
    try {
      // "animal doctor" and "kitty" expand to well over a hundred words before "cat".
      assert.ok(expansionWords('Which animal doctor does our kitty see?').indexOf('cat') > 60);
      const cat = await t.client.call('memory.add', { text: 'Our cat Miso eats wet food twice a day', area: 'main' });
      await t.client.call('memory.add', { text: 'The dishwasher filter is cleaned every month', area: 'main' });
      await t.client.call('memory.add', { text: 'Our book club meets on the first Monday', area: 'main' });
      const { hits } = await t.client.call('memory.search', { query: 'Which animal doctor does our kitty see?', limit: 5 });
      const hit = hits.find((h) => h.memory.id === cat.memory.id);
      assert.ok(hit?.explain.expandedRank === 1, 'the cat memory is in the expanded full-text list');
    } finally {
      await t.close();
    }
  });

  it('an older solution is not pushed below a newer one that only shares the problem-and-fix phrasing', async () => {
    const t = await startTestCore({ clock: new ManualClock(Date.UTC(2026, 5, 1)), ids: createSequentialIds() });
    const DAY = 86_400_000;
    try {
      const lines = [
        [240, 'Problem: ModuleNotFoundError after installing a package. Fix: the virtualenv was not activated; run source .venv/bin/activate'],
        [170, 'Problem: the ingestion worker runs out of memory overnight. Fix: stream the CSV instead of loading it whole'],
        [300, 'Problem: the laptop drops off wifi after sleep. Fix: disable power saving for the wireless adapter'],
        [280, 'Problem: npm install fails with EACCES permission errors. Fix: install Node with nvm instead of sudo'],
        [120, 'Problem: the sourdough bread comes out flat. Fix: feed the starter twice the day before'],
        [200, 'Problem: git push rejected. Fix: git pull --rebase then push'],
      ].map(([days, text]) => JSON.stringify({ text, area: 'solutions', created_at: Date.UTC(2026, 5, 1) - Number(days) * DAY }));
      await t.client.call('memory.import', { jsonl: lines.join('\n') });
      const { hits } = await t.client.call('memory.search', { query: 'ModuleNotFoundError after installing a package; fix?', limit: 6 });
      const module = hits.find((h) => h.memory.text.includes('ModuleNotFoundError'));
      const memory = hits.find((h) => h.memory.text.includes('ingestion worker'));
      assert.ok(module && memory, 'both are found');
      assert.equal(module.explain.supersededPenalty, 1, 'a different problem does not replace it');
      assert.equal(hits[0], module);
    } finally {
      await t.close();
    }
  });
});
