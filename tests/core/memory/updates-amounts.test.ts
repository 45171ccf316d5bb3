import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withMemories } from './stores.js';

describe('memory search: an amount that went up or down', () => {
  it('puts the newer amount first when it says the amount goes up, even without every word of the question', { timeout: 120_000 }, async () => {
    await withMemories(
      [
        'condo rent $2,650/mo, e-transfer to the landlord on the 1st',
        'Condo management is Crossbridge, office on the ground floor',
        'The plumber is Dave, 0412 555 019',
        'Book club meets on the first Thursday',
        'The car needs new tyres before winter',
        'Condo gym on the 3rd floor, party room booked 2 weeks ahead',
        'Bins go out on Tuesday night',
        'Our rent goes up to $2,780 from Feb (guideline increase, the landlord sent the form)',
      ],
      async (t) => {
        const r = await t.client.call('memory.search', { query: 'how much is our condo rent?', limit: 5 });
        const texts = r.hits.map((h) => h.memory.text);
        const newer = texts.findIndex((x) => /2,780/.test(x));
        const older = texts.findIndex((x) => /2,650/.test(x));
        assert.ok(newer >= 0 && older >= 0 && newer < older, `the new rent ranks above the old one: ${texts.join(' | ')}`);
        const old = r.hits[older];
        assert.match(old.explain.replacedBecause ?? '', /goes up/, 'explain says why');
      },
      { oneAMinute: true },
    );
  });
  it('puts the newer amount first when it says the amount rose or went up, by, to or straight before an amount ("went up 5%", "another $5")', { timeout: 120_000 }, async () => {
    for (const [older, newer, query, cue] of [
      ['Council rates for the house are $1,900 a year, paid quarterly', 'Council rates rose by 8% this year', 'how much are the council rates for the house?', 'rose'],
      ['Swim squad fee is $120 a term, paid at the pool office', 'The swim squad fee went up to $125 a term', 'how much is the swim squad fee at the pool?', 'went up'],
      ['Flat rent on Leith Walk is $1,400 a month, paid to Mr Okafor', 'Flat rent went up 5% from March', 'how much is the flat rent on Leith Walk?', 'went up'],
      ['Studio rent on Gower Street is $900 a month, due on the 1st', 'Studio rent went up $200 a month', 'how much is the studio rent on Gower Street?', 'went up'],
      ['Coffee beans at the Saturday farmers market are $18 a bag', 'Coffee bean prices rose 3%', 'how much are the coffee beans at the Saturday farmers market?', 'rose'],
      ['Water rates for the house are $600 a year, paid quarterly', 'Water rates rose 8 per cent', 'how much are the water rates for the house?', 'rose'],
      ['Piano lessons with Mrs Hale are $45 a lesson, at her house', 'Piano lessons go up another $5 next term', 'how much are piano lessons with Mrs Hale?', 'go up'],
    ]) {
      await withMemories(
        [...FILLER, older, newer],
        async (t) => {
          const { hits } = await t.client.call('memory.search', { query, limit: 5 });
          assert.deepEqual(
            hits.slice(0, 2).map((h) => h.memory.text),
            [newer, older],
            query,
          );
          assert.match(hits[1].explain.replacedBecause ?? '', new RegExp(`fact changed \\("${cue}"\\)`), `${query}: explain says why`);
        },
        { oneAMinute: true },
      );
    }
  });
  it('going up or down somewhere (7-Eleven, the 2nd floor, level 12), a Rose or a rose says no fact changed', { timeout: 120_000 }, async () => {
    for (const [older, newer, query] of [
      ['Book club meets at the Hove library on the first Thursday', 'Rose from book club lives in Hove', 'where does book club meet in Hove?'],
      ['The garden trellis by the back fence was built by Tom in 2023, painted green', 'planted a climbing rose against the garden trellis', 'who built the garden trellis by the back fence?'],
      ['Every August we rent a cottage in Brighton for two weeks, booked through Sea Lets', 'we go down to Brighton every August to see Gran', 'which cottage do we rent in Brighton every August?'],
      ['The cabin at Lake Eildon sleeps six, key under the mat', 'going up to the cabin for Easter with the Nguyens', 'where is the key for the cabin at Lake Eildon?'],
      ['The corner shop on Elm Street sells milk and bread until 10pm', 'went down to 7-Eleven on Elm Street for milk', 'until when is the corner shop on Elm Street open?'],
      ['The design team sits by the window on the 2nd floor of Baker House', 'we go up to 2nd floor of Baker House on Fridays', 'where does the design team sit in Baker House?'],
      ['The lift at Westfield car park is by the cinema entrance', 'the lift at Westfield goes up to 12', 'where is the lift at Westfield car park?'],
    ]) {
      await withMemories(
        [...FILLER, older, newer],
        async (t) => {
          const { hits } = await t.client.call('memory.search', { query, limit: 5 });
          assert.equal(hits[0].memory.text, older, `${query}: the memory that answers it stays first: ${hits.map((h) => h.memory.text).join(' | ')}`);
          assert.deepEqual(hits.filter((h) => h.explain.replacedBy).map((h) => `${h.memory.text}: ${h.explain.replacedBecause}`), [], `${query}: nothing is replaced`);
        },
        { oneAMinute: true },
      );
    }
  });
});

const FILLER = ['The plumber is Dave, 0412 555 019', 'The car needs new tyres before winter', 'Our dentist is Dr Weber on Hauptstrasse', 'Bins go out on Tuesday night'];
