import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namesAsked } from '../../../core/memory/search.js';
import { confident, withMemories } from './stores.js';

const SCHOOLS = [
  "I'm godmother to Tash's boy Hamish, born 2019",
  'Ruby goes to Prospect Primary School, Year 5',
  'School fees are due at the start of each term',
  'Archie starts school next year',
  'The school run is mine on Mondays',
  'The car needs new tyres before winter',
  'Book club meets on the first Thursday',
];

const BIRTHDAYS = [
  'Kat Oduya: running buddy, vet tech, talked me into joining the Harriers',
  "Kat's new rescue dog is called Biscuit",
  "Zain's birthday party Dec 13, 2pm at their place",
  "Marcus's birthday: Sept 22",
  'my birthday is 4 April',
  'The car needs new tyres before winter',
  'Book club meets on the first Thursday',
  'The gym is open until 10pm on weekdays',
  'Bins go out on Tuesday night',
  'The plumber is Dave, 0412 555 019',
];

describe('memory search: questions that name someone', () => {
  it('a memory that only names the person asked about does not answer what was asked about them', { timeout: 120_000 }, async () => {
    await withMemories(SCHOOLS, async (t) => {
      const hits = await confident(t, 'Which school does Hamish go to?');
      assert.ok(!hits.some((text) => /Hamish/.test(text)), `a memory naming only Hamish is a long shot: ${hits.join(' | ')}`);
    });
    await withMemories([...SCHOOLS, 'Hamish goes to Brighton Primary School'], async (t) => {
      const hits = await confident(t, 'Which school does Hamish go to?');
      assert.ok(hits.includes('Hamish goes to Brighton Primary School'), 'a memory about his school answers it');
    });
    await withMemories(SCHOOLS, async (t) => {
      const hits = await confident(t, 'Who is Hamish?');
      assert.ok(hits.some((text) => /Hamish/.test(text)), 'a question about the person alone is answered by a memory naming them');
    });
  });

  it("someone else's birthday, or mine, does not answer when a named person's birthday is", { timeout: 120_000 }, async () => {
    await withMemories(BIRTHDAYS, async (t) => {
      assert.deepEqual(await confident(t, "When is Kat's birthday?"), []);
    });
    await withMemories([...BIRTHDAYS, "Kat's birthday is 9 May"], async (t) => {
      const hits = await confident(t, "When is Kat's birthday?");
      assert.ok(hits.includes("Kat's birthday is 9 May"), `her own birthday answers it: ${hits.join(' | ')}`);
      assert.ok(!hits.includes("Marcus's birthday: Sept 22"), "Marcus's does not");
    });
  });

  it('a name written inflected ("Pickles\'") is a name too, and memories that only name it are no part of a joint answer', { timeout: 120_000 }, async () => {
    const pet = [
      'Pickles C5 vaccination every February',
      'On long shift days Bec walks Pickles, $25 a walk',
      "Archie's 6th birthday party at the park: 14 kids",
      'my birthday is 4 April',
      "Bunnings has the 55L Esky on special - for Dan's birthday?",
      'The car needs new tyres before winter',
      'Book club meets on the first Thursday',
      'Bins go out on Tuesday night',
    ];
    await withMemories(pet, async (t) => {
      assert.deepEqual(await confident(t, "When is Pickles' birthday?"), []);
    });
    await withMemories([...pet, "Pickles' birthday is 2 March, she gets a new toy"], async (t) => {
      const hits = await confident(t, "When is Pickles' birthday?");
      assert.ok(hits.includes("Pickles' birthday is 2 March, she gets a new toy"), `her own birthday answers it: ${hits.join(' | ')}`);
    });
  });

  it('a memory that only names the person asked about is no part of a joint answer', { timeout: 120_000 }, async () => {
    const texts = [
      'Kat Oduya: running buddy, vet tech, talked me into joining the Harriers',
      "Kat's new rescue dog is called Biscuit",
      'Birthday parties at the trampoline park cost $25 a kid',
      'Birthday cakes from the Woolies bakery need 2 days notice',
      'The car needs new tyres before winter',
      'Book club meets on the first Thursday',
      'Bins go out on Tuesday night',
    ];
    await withMemories(texts, async (t) => {
      assert.deepEqual(await confident(t, "When is Kat's birthday?"), []);
    });
  });

  it('months and weekdays are no names', () => {
    assert.deepEqual([...namesAsked('Is the check-up in December or on a Saturday with Hamish?')], ['hamish']);
    assert.deepEqual([...namesAsked("When is Pickles' birthday?")], ['pickle']);
  });

  it('a name is answered by itself, not by a word WordNet relates to the same letters', { timeout: 120_000 }, async () => {
    // WordNet's "kat" is a shrub, Catha edulis: "Edulis" must not answer for Kat.
    await withMemories([...BIRTHDAYS, '7th anniversary dinner at Edulis was perfect'], async (t) => {
      assert.deepEqual(await confident(t, "When is Kat's birthday?"), []);
    });
  });

  it('"Mum", "Dad" or "Gran" in a question is a relative, answered by what WordNet relates to it ("father")', { timeout: 120_000 }, async () => {
    await withMemories(['My father lives in Porto, near the river', ...SCHOOLS], async (t) => {
      // WordNet is loaded once the store is.
      assert.deepEqual([...namesAsked('Where does Dad live?')], []);
      assert.deepEqual([...namesAsked("What's Gran's address?")], []);
      assert.deepEqual([...namesAsked('Where does Hamish live?')], ['hamish']);
      const hits = await confident(t, 'Where does Dad live?');
      assert.ok(hits.includes('My father lives in Porto, near the river'), `"father" answers for Dad: ${hits.join(' | ')}`);
    });
  });
});
