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
});
