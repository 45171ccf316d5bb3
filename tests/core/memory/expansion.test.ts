import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { startTestCore, type TestCore } from '../../support/index.js';

const DAY = 86_400_000;
const withCore = async (fn: (t: TestCore) => Promise<void>) => {
  const t = await startTestCore({ clock: new ManualClock(Date.UTC(2026, 5, 1)), ids: createSequentialIds() });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
};
const add = (t: TestCore, ...texts: string[]) => t.client.call('memory.import', { jsonl: texts.map((text) => JSON.stringify({ text, area: 'main' })).join('\n') });

describe('full-text search through the words WordNet relates', () => {
  it('a query word finds the narrower, synonymous and derived words memories use, and explain names them', () =>
    withCore(async (t) => {
      await add(
        t,
        'Our son is allergic to penicillin',
        'With pasta I always order a glass of red wine',
        'The dentist moved her practice to Elm Street',
        'Our book club meets on the first Monday',
        'A glass vase broke during the move',
      );
      const drugs = await t.client.call('memory.search', { query: 'Which drugs must our boy avoid?', limit: 5 });
      assert.match(drugs.hits[0].memory.text, /penicillin/);
      assert.deepEqual(
        drugs.hits[0].explain.matches.find((m) => m.query === 'drug'),
        { query: 'drug', word: 'penicillin', relation: 'narrower', weight: drugs.hits[0].explain.matches.find((m) => m.query === 'drug')!.weight },
      );
      const beverage = await t.client.call('memory.search', { query: 'Which beverage?', limit: 5 });
      assert.match(beverage.hits[0].memory.text, /red wine/);
      assert.equal(beverage.hits[0].explain.matches[0].relation, 'narrower');
      const dental = await t.client.call('memory.search', { query: 'dental appointments', limit: 5 });
      assert.match(dental.hits[0].memory.text, /dentist/);
      assert.ok(dental.hits[0].explain.matches.some((m) => m.query === 'dental' && m.word === 'dentist'));
      const dentist = await t.client.call('memory.search', { query: 'Where is the dental practice?', limit: 5 });
      assert.ok(dentist.hits[0].confident && /dentist/.test(dentist.hits[0].memory.text), 'answered through a related word');
    }));

  it('a word finds its irregular and inflected forms as the same word, two-word terms included, and highlights them', () =>
    withCore(async (t) => {
      await add(t, 'Knives: a Shun chef knife and a paring one, whetstone in the drawer', 'The children go to Elm Street school', 'Laundry: the washing machine in the basement takes a card', 'The kitchen table is oak');
      const knife = await t.client.call('memory.search', { query: 'which knife do I own', limit: 3 });
      assert.match(knife.hits[0].memory.text, /^Knives/);
      assert.ok(knife.hits[0].explain.matches.some((m) => m.query === 'knife' && m.relation === 'word'));
      const text = knife.hits[0].memory.text;
      assert.ok(knife.hits[0].highlights.some(([a, b]) => text.slice(a, b) === 'Knives'), 'the inflected form is highlighted');
      const child = await t.client.call('memory.search', { query: 'which school does my child go to', limit: 3 });
      assert.match(child.hits[0].memory.text, /children/);
      assert.ok(child.hits[0].explain.matches.some((m) => m.query === 'child' && m.relation === 'word'));
      const washing = await t.client.call('memory.search', { query: 'how do I pay for the washing machines', limit: 3 });
      assert.match(washing.hits[0].memory.text, /washing machine/);
      assert.ok(washing.hits[0].explain.matches.some((m) => m.query === 'washing_machine' && m.relation === 'word'));
    }));

  it('words English uses all the time count less than the topic of the question', () =>
    withCore(async (t) => {
      await add(t, 'go test -race finds the flaky test', 'we go bouldering on thursdays', 'new dentist -> dr falk at fremont dental arts');
      const { hits } = await t.client.call('memory.search', { query: 'which dentist do i go to?', limit: 3 });
      assert.match(hits[0].memory.text, /dentist/);
    }));

  it('gibberish and small talk find nothing at all and put nothing into the prompt', () =>
    withCore(async (t) => {
      await add(t, 'Greeting cards for the team are in the top drawer', 'The spare key is under the flower pot', 'My keyboard uses the Colemak layout');
      for (const query of ['qwertyuiop', 'asdf ghjk zxcv', 'hello!']) {
        const { hits } = await t.client.call('memory.search', { query, limit: 5 });
        assert.deepEqual(hits.map((h) => h.memory.text), [], query);
        assert.equal(await t.core.memory.recallForPrompt(query, 500), null);
      }
      const { hits } = await t.client.call('memory.search', { query: 'Where is the spare key?', limit: 5 });
      assert.ok(hits[0].confident && /spare key/.test(hits[0].memory.text));
      assert.match((await t.core.memory.recallForPrompt('Where is the spare key?', 500)) ?? '', /flower pot/);
    }));

  it('a question about something no memory mentions is a long shot even when one of its words matches', () =>
    withCore(async (t) => {
      await add(t, "Dad's blood pressure is fine since he cut down on salt", 'My dentist is Dr Falk at Fremont Dental Arts', 'The spare key is under the flower pot');
      const { hits } = await t.client.call('memory.search', { query: "What's my blood type?", limit: 5 });
      assert.match(hits[0].memory.text, /blood pressure/, 'the memory sharing a word is still listed');
      assert.ok(hits.every((h) => !h.confident), 'but only as a long shot');
      assert.equal(await t.core.memory.recallForPrompt("What's my blood type?", 500), null);
      const answered = await t.client.call('memory.search', { query: "How is dad's blood pressure?", limit: 5 });
      assert.ok(answered.hits[0].confident && /blood pressure/.test(answered.hits[0].memory.text));
    }));

  it('a question asking what something cost is a long shot for memories that name it with numbers but no amount of money', () =>
    withCore(async (t) => {
      await add(t, 'Lisbon flights: TAP from Heathrow, leaves 9:40 on the 12th, seats 14A and 14B', 'The Crows membership is a 3-game package, level 2, bay 133', 'The new boiler cost £2,300 fitted');
      for (const query of ['How much did the Lisbon flights cost?', 'What does the Crows membership cost?']) {
        const { hits } = await t.client.call('memory.search', { query, limit: 5 });
        assert.ok(hits.length > 0, `${query}: the memory naming the subject is still listed`);
        assert.ok(hits.every((h) => !h.confident), `${query}: but only as a long shot`);
        assert.equal(await t.core.memory.recallForPrompt(query, 500), null, query);
      }
      const { hits } = await t.client.call('memory.search', { query: 'How much did the new boiler cost?', limit: 5 });
      assert.ok(hits[0].confident && /£2,300/.test(hits[0].memory.text), 'an amount answers it');
    }));

  it('a question asking when, how old or how much is a long shot for memories that name its subject but no time or number', () =>
    withCore(async (t) => {
      await add(t, 'Got Nadia a pottery class for her birthday, she loved it', 'Uncle Pete fell off a ladder last year, he is fine', 'The allotment rent is paid to the council');
      for (const query of ["When is Nadia's birthday?", 'How old is uncle Pete?', 'How much is the allotment rent?']) {
        const { hits } = await t.client.call('memory.search', { query, limit: 5 });
        assert.ok(hits.length > 0, `${query}: the memory naming the subject is still listed`);
        assert.ok(hits.every((h) => !h.confident), `${query}: but only as a long shot`);
        assert.equal(await t.core.memory.recallForPrompt(query, 500), null, query);
      }
      await add(t, "Nadia's birthday is on 14 March", 'Uncle Pete turned seventy in the spring', 'The allotment rent is £32 a year, paid to the council', 'My nephew Leo turned sixteen in March');
      for (const [query, answer] of [["When is Nadia's birthday?", /14 March/], ['How old is uncle Pete?', /seventy/], ['How much is the allotment rent?', /£32/], ['How old is Leo?', /sixteen/]] as const) {
        const { hits } = await t.client.call('memory.search', { query, limit: 5 });
        const hit = hits.find((h) => answer.test(h.memory.text));
        assert.ok(hit?.confident, `${query}: the memory with the value answers it`);
      }
    }));

  it('two words the query writes apart find the one word a memory writes them as, but a possessive is no such word', () =>
    withCore(async (t) => {
      await add(t, 'Oncall is one week in four, handoff on Monday at 10am', 'Call Mum on Sunday evenings', 'Send the invoices by email to Ines', 'Mayas ruins tour booked for March');
      const oncall = await t.client.call('memory.search', { query: 'How often am I on call?', limit: 5 });
      assert.match(oncall.hits[0].memory.text, /^Oncall/);
      assert.ok(oncall.hits[0].explain.matches.some((m) => m.query === 'oncall' && m.word === 'oncall'), 'explain names the joined word');
      const email = await t.client.call('memory.search', { query: 'How do I send the e-mail?', limit: 5 });
      assert.match(email.hits[0].memory.text, /by email/);
      await add(t, "Maya's birthday is on 3 June");
      const maya = await t.client.call('memory.search', { query: "When is Maya's birthday?", limit: 5 });
      assert.ok(maya.hits.every((h) => h.explain.matches.every((m) => m.query !== 'mayas')), '"maya\'s" is not read as "mayas"');
    }));

  it('a determiner or two function words are never joined into one word ("a part" is not apart, "some one" is not someone)', () =>
    withCore(async (t) => {
      await add(t, 'Keep the two cats apart at feeding time', 'Someone from the council rang about the hedge', 'Our bikes go into the shed');
      for (const [query, joined] of [
        ['Is a part of the fence broken?', 'apart'],
        ['Did some one ring about the hedge?', 'someone'],
        ['Do the bikes go in to the shed?', 'into'],
      ] as const) {
        const { hits } = await t.client.call('memory.search', { query, limit: 5 });
        // (The memory may still be found through a word close in meaning, never as the query's word.)
        assert.ok(hits.every((h) => h.explain.matches.every((m) => m.query !== joined)), `${query}: "${joined}" is not a word of the query`);
      }
    }));

  it('an older solution is not pushed below a newer one that only shares the problem-and-fix phrasing', () =>
    withCore(async (t) => {
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
      assert.ok(module, 'it is found');
      assert.equal(module.explain.supersededPenalty, 1, 'a different problem does not replace it');
      assert.equal(hits[0], module);
    }));

  it('a word written with hyphens is one WordNet term even when a part of it is a function word ("in-laws", "mother-in-law")', () =>
    withCore(async (t) => {
      await add(t, 'My mother-in-law lives in Campbelltown', 'Law school reunion is in March', 'The car needs new tyres before winter');
      const { hits } = await t.client.call('memory.search', { query: 'Where do my in-laws live?', limit: 3 });
      assert.match(hits[0].memory.text, /mother-in-law/);
      assert.ok(
        hits[0].explain.matches.some((m) => m.query === 'in_law' && m.word === 'mother_in_law' && m.relation === 'narrower'),
        JSON.stringify(hits[0].explain.matches),
      );
    }));
});
