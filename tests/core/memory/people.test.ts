import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemoryHit } from '../../../core/contract/index.js';
import { LexicalIndex, searchWithoutCore } from '../../../core/memory/index.js';
import { loadLexicon } from '../../../core/memory/lexicon/index.js';
import { askedPeople, kinWord, statedRelations } from '../../../core/memory/people.js';
import { readSearchCache, searchCacheKey } from '../../../core/memory/search-cache.js';
import { tempDir } from '../../support/index.js';
import { confident, withMemories } from './stores.js';

const said = (text: string, lx: Awaited<ReturnType<typeof loadLexicon>>) => statedRelations(text, lx).map((r) => `${r.owner}.${r.relation}=${r.name}`);

describe('who the user’s people are', () => {
  it('reads the relations a memory states, the user’s and a named person’s', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    const cases: [string, string[]][] = [
      ['My son Archie has mild asthma', ['me.son=Archie']],
      ['Archie, my son, loves dinosaurs', ['me.son=Archie']],
      ['Archie (my son) is six', ['me.son=Archie']],
      ['Archie is my son.', ['me.son=Archie']],
      ["Dan's mum Eleni is coeliac", ['dan.mother=Eleni']],
      ["my husband Dan's parents live in Kew", ['me.husband=Dan']],
      ['our kids Ruby and Archie both swim on Saturdays', ['me.child=Ruby', 'me.child=Archie']],
      ["Dan's parents Stavros and Eleni live in Campbelltown", ['dan.parent=Stavros', 'dan.parent=Eleni']],
      ['Dan (Daniel Petrakis) is my partner. Sparky with his own business.', ['me.partner=Dan Daniel Petrakis']],
      ['Sister Carla, ICU nurse in Calgary, married to Derek', ['me.sister=Carla']],
      ['Dad = Victor Reyes, 72, widowed', ['me.father=Victor Reyes']],
      ['Mum is Lorraine Doyle, 72. Dad (Kev) died in 2019.', ['me.mother=Lorraine Doyle', 'me.father=Kev']],
      ['maya okonkwo = partner. moved in together march last yr', ['me.partner=maya okonkwo']],
      ["grace (maya's mom) is diabetic, go easy on sugar", ['maya.mother=grace']],
      ["maya's parents: chidi + grace, live in sacramento", ['maya.parent=chidi', 'maya.parent=grace']],
      ["zsofi's daughter bori turns 6 in july", ['zsofi.daughter=bori']],
      ["I'm godmother to Tash's boy Hamish, born 2019", ['tash.boy=Hamish']],
      ['My other half Sam hates coriander', ['me.partner=Sam']],
      ['My GF Tess is vegetarian', ['me.girlfriend=Tess']],
      ['Dad: Bill 0412 345 678', ['me.father=Bill']],
      ["My wife Sarah's sister Kate is visiting", ['me.wife=Sarah', 'sarah.sister=Kate']],
      ['Noah is my son', ['me.son=Noah']],
      // A list after a colon, each name with its age in brackets.
      ['Kids: Ruby (8), Archie (6)', ['me.child=Ruby', 'me.child=Archie']],
      ['Kids: Ruby (8), Archie (6), both at Prospect Primary', ['me.child=Ruby', 'me.child=Archie']],
      ['Kids: Ruby, Archie, Lea.', ['me.child=Ruby', 'me.child=Archie', 'me.child=Lea']],
      ['our kids Ruby (8) and Archie (6) both swim', ['me.child=Ruby', 'me.child=Archie']],
      // Surnames with an apostrophe, Mc, or a hyphen.
      ["My mum Siobhan O'Brien lives in Cork", ["me.mother=Siobhan O'Brien"]],
      ["Dad: O'Brien, retired", ["me.father=O'Brien"]],
      ["My wife Priya D'Souza teaches piano", ["me.wife=Priya D'Souza"]],
      ['Jack McDonald is my son', ['me.son=Jack McDonald']],
      ['My sister Amy Smith-Jones is a vet', ['me.sister=Amy Smith-Jones']],
      ["O'Brien's mum Peg is 90", ['brien.mother=Peg']],
      // A kin word as a name's title only where WordNet knows the two as one; not a name after it.
      ['Mum Linda is visiting next week', ['me.mother=Linda']],
      ['Uncle Joe is coming for Christmas', ['me.uncle=Joe']],
      // Kin words WordNet knows in a plural English makes irregularly.
      ['My stepchildren Ruby and Sam visit on Sundays', ['me.stepchild=Ruby', 'me.stepchild=Sam']],
      ['our godchildren Mia and Leo', ['me.godchild=Mia', 'me.godchild=Leo']],
      // A month people are named after, going on a list of names without a date after it.
      ['My in-laws Bill and Jan live in Bendigo', ['me.in_law=Bill', 'me.in_law=Jan']],
      ["Dan's parents Stavros and May Petrakis", ['dan.parent=Stavros', 'dan.parent=May Petrakis']],
      ['My in-laws Bill and Jan 12 visit', ['me.in_law=Bill']],
      // An in-law written apart.
      ['My mother in law Peg visits on Sundays', ['me.mother_in_law=Peg']],
      ['Kate, my sister in law, is a vet', ['me.sister_in_law=Kate']],
      // A relation written with a letter outside ASCII, and by the words of a phrase.
      ['My fiancé Tom works nights', ['me.fiance=Tom']],
      ['my best mate Dave lives in Leith', ['me.best_friend=Dave']],
      ['My better half Jo is away', ['me.partner=Jo']],
      // After a colon, commas alone join names only for a relation written in the plural: one person's note goes on with where they are.
      ['Mum: Linda Hayes, Ballarat.', ['me.mother=Linda Hayes']],
      ['Dad: Bill, Sydney', ['me.father=Bill']],
      ['Sister: Kate, Geelong; brother: Tom, Perth', ['me.sister=Kate', 'me.brother=Tom']],
      ['Parents: Stavros, Eleni.', ['me.parent=Stavros', 'me.parent=Eleni']],
    ];
    for (const [text, want] of cases) assert.deepEqual(said(text, lx), want, text);
    // ASCII text is read by an ASCII pattern: the same statements as the Unicode one finds.
    for (const [text, want] of cases) assert.deepEqual(said(`${text} ·`, lx), want, `${text} (not ASCII)`);
  });

  it('names nobody where the relation is owned in turn, someone else’s, a kind of partner, or no name follows', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    for (const text of [
      "my son's teacher Ms Lee is lovely",
      'Her husband Ted does the sound for concerts',
      'raf (rafael) = main climbing partner, solid belayer',
      'my main climbing partner is rafael',
      'mom mentioned her orchid pot cracked',
      'dad fixed the bathroom fan',
      'Child Care Subsidy is through Centrelink',
      'Mondays = family day now',
      'Omar + Lina Farouk: friends from daycare, their son Zain is Ellie’s age',
      'Mum and Tash named as guardians for the kids',
      "Mum's birthday is 17 June",
      'My business partner Acme Ltd pays on the 1st',
      'My husband is English, we met in Leeds',
      'Dad is Retired and loving it',
      "My son is Archie's best friend",
      'My PA Jenny books my travel',
      'My MA Hons thesis is on Keats',
      'meds - dad: metformin 500 bd, mum: ramipril 5mg',
      'Dad = Metformin 1000 at night',
      'Mother Teresa won the Nobel Peace Prize in 1979',
      'Father Christmas brings one present each',
      'My parents visit in May and June',
    ]) {
      assert.deepEqual(said(text, lx), [], text);
    }
  });

  it('reads the relations a question asks about, with whose they are', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    const asked = (q: string) => askedPeople(q, lx).map((a) => `${a.owner}:${a.path.join('.')}`);
    assert.deepEqual(asked('What inhaler does my son use?'), ['me:son']);
    assert.deepEqual(asked('Which suburb are my in-laws in?'), ['me:in_law']);
    assert.deepEqual(asked('Can Dan’s mother eat wheat?'), ['dan:mother']);
    assert.deepEqual(asked("what should i cook for my partner's mother?"), ['me:partner.mother']);
    assert.deepEqual(asked('Which AFL club does my other half follow?'), ['me:partner']);
    assert.deepEqual(asked("What's Mum's address?"), ['me:mother']);
    assert.deepEqual(asked('When are my two kids’ birthdays?'), ['me:child']);
    assert.deepEqual(asked('what pickup does my usual rope partner own?'), []);
    assert.deepEqual(asked('who is our account manager at the bank?'), []);
    assert.deepEqual(asked('who is my family physician?'), []);
    assert.deepEqual(asked('what does his mum do?'), []);
    assert.deepEqual(asked("What's my PA's phone number?"), []);
    assert.deepEqual(asked('Who is my MIL?'), ['me:mother_in_law']);
    // An in-law written apart is the in-law, not the mother or brother.
    assert.deepEqual(asked('where does my mother in law live?'), ['me:mother_in_law']);
    assert.deepEqual(asked('what does my brother in law do?'), ['me:brother_in_law']);
    assert.deepEqual(asked('what did Mother Teresa win?'), []);
    assert.deepEqual(asked('what does my mother tongue sound like?'), []);
    assert.deepEqual(asked("when is O'Brien's mum's birthday?"), ['brien:mother']);
    // How the relation is written, for saying what a name answers for.
    assert.deepEqual(
      askedPeople("where do my in-laws live, and what does my other half's mother eat?", lx).map((a) => a.asked),
      ['in-laws', "other half's mother"],
    );
  });

  it('takes its kin words from WordNet: each relation’s main word is a relative there', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    for (const w of ['mother', 'mum', 'father', 'dad', 'son', 'daughter', 'sister', 'brother', 'husband', 'wife', 'niece', 'nephew', 'grandma', 'gran', 'aunt', 'uncle', 'cousin', 'stepson'])
      assert.ok(kinWord(lx, w), `${w} is a relative`);
    for (const w of ['teacher', 'dentist', 'harness', 'manager']) assert.ok(!kinWord(lx, w), `${w} is no relative`);
    // Names WordNet knows as one person who was someone's relative (Sarah, "the wife of Abraham").
    for (const w of ['sarah', 'noah', 'mary', 'jacob', 'rachel', 'benjamin']) assert.ok(!kinWord(lx, w), `${w} is a name`);
    assert.ok(kinWord(lx, 'stepsister'));
  });
});

describe('memory search: people asked about by relation', () => {
  const FAMILY = [
    'Dan (Daniel Petrakis) is my partner. Sparky with his own business.',
    "Dan's parents Stavros and Eleni live in Campbelltown.",
    'I barrack for the Crows, Dan follows Port through and through.',
    'Archie has mild asthma: blue puffer with the spacer, two puffs when wheezy.',
    'Our son Archie started reception at Prospect North Primary this year.',
    'Ruby plays netball on Saturday mornings.',
    'The car needs new tyres before winter',
    'Book club meets on the first Thursday',
    'Bins go out on Tuesday night',
  ];
  /** The names the hits' matches reach through a relation of the question. */
  const reachedNames = (hits: MemoryHit[]) => hits.flatMap((h) => h.explain.matches.filter((m) => m.relation === 'person').map((m) => m.word));

  it('finds the memories about the person a relation names, and says which memory told who that is', { timeout: 120_000 }, async () => {
    await withMemories(FAMILY, async (t) => {
      const { hits } = await t.client.call('memory.search', { query: 'which suburb are my in-laws in?', limit: 3 });
      assert.equal(hits[0]?.memory.text, "Dan's parents Stavros and Eleni live in Campbelltown.");
      const son = await t.client.call('memory.search', { query: 'what does my son use for his asthma?', limit: 3 });
      const top = son.hits[0];
      assert.equal(top?.memory.text, 'Archie has mild asthma: blue puffer with the spacer, two puffs when wheezy.');
      const person = top.explain.matches.find((m) => m.relation === 'person');
      assert.equal(person?.query, 'son');
      assert.equal(person?.word, 'Archie');
      const teller = (await t.client.call('memory.list', { limit: 50 })).memories.find((m) => m.text.startsWith('Our son Archie'));
      assert.equal(person?.via, teller?.id, 'the memory that says Archie is the son');
    });
  });

  it('a memory that only names the person is no answer to what was asked about them', { timeout: 120_000 }, async () => {
    const family = ['Archie is my son.', 'Archie loves dinosaurs and the Crows.', 'Archie gets carsick on long drives.', 'Ruby goes to Prospect Primary School.', ...FAMILY.slice(5)];
    await withMemories(family, async (t) => {
      for (const query of ['Which school does my son go to?', "What is my son's shoe size?"]) {
        const { hits } = await t.client.call('memory.search', { query, limit: 10 });
        assert.ok(hits.some((h) => h.memory.text === 'Archie loves dinosaurs and the Crows.'), `found as a long shot: ${query}`);
        const sure = hits.filter((h) => h.confident).map((h) => h.memory.text);
        assert.ok(!sure.some((text) => /^Archie (loves|gets)/.test(text)), `memories about Archie say nothing of it: ${query}: ${sure.join(' | ')}`);
      }
    });
  });

  it('a relation word that reaches someone still answers by its own WordNet words', { timeout: 120_000 }, async () => {
    await withMemories(['The children only eat plain pasta', ...FAMILY], async (t) => {
      for (const query of ['what do my kids eat?', 'what do the kids eat?']) {
        const { hits } = await t.client.call('memory.search', { query, limit: 10 });
        assert.ok(reachedNames(hits).includes('Archie'), `the kids reach Archie: ${query}`);
        assert.ok(hits.find((h) => h.memory.text === 'The children only eat plain pasta')?.confident, `children answers kids: ${query}`);
      }
    });
  });

  it('what a memory says someone is, capitalised, is no name for them', { timeout: 120_000 }, async () => {
    await withMemories(['My husband is English, we met in Leeds', 'English tutor comes every Tuesday at 4', ...FAMILY.slice(6)], async (t) => {
      const { hits } = await t.client.call('memory.search', { query: 'what does my husband do?', limit: 10 });
      const tutor = hits.find((h) => h.memory.text.startsWith('English tutor'));
      assert.ok(!tutor?.explain.matches.some((m) => m.relation === 'person'), 'English is not the husband');
      assert.ok(!tutor?.confident, 'the tutor is no answer about the husband');
    });
  });

  it('a name WordNet gives a relative of old (Noah, Sarah) is asked about as a name', { timeout: 120_000 }, async () => {
    await withMemories(['Noah loves dinosaurs and the Crows.', 'Noah gets carsick on long drives.', 'Ruby goes to Prospect Primary School.', ...FAMILY.slice(6)], async (t) => {
      const sure = await confident(t, 'Which school does Noah go to?');
      assert.ok(!sure.some((text) => text.startsWith('Noah')), `memories about Noah say nothing of his school: ${sure.join(' | ')}`);
    });
  });

  it('a memory saved as the update of the one that said who someone is takes the relation over', { timeout: 120_000 }, async () => {
    const texts = ['My partner is Dan', 'Dan plays footy on Sundays', 'Alex plays tennis on Saturdays', 'Book club meets on the first Thursday', 'Dan and I broke up last month; my partner is now Alex'];
    await withMemories(texts, async (t) => {
      const memories = (await t.client.call('memory.list', { limit: 50 })).memories;
      const older = memories.find((m) => m.text === 'My partner is Dan');
      assert.equal(memories.find((m) => m.text.startsWith('Dan and I broke up'))?.supersedes, older?.id, 'saved as its update');
      const { hits } = await t.client.call('memory.search', { query: 'what sport does my partner play?', limit: 10 });
      const reached = reachedNames(hits);
      assert.ok(reached.includes('Alex'), 'Alex is the partner now');
      assert.ok(!reached.includes('Dan'), `Dan no longer is: ${reached.join(', ')}`);
      assert.ok(!hits.find((h) => h.memory.text.startsWith('Dan plays'))?.confident, 'what Dan plays is no answer');
    }, { oneAMinute: true });
  });

  it('finds the person however many newer memories use the relation word, through updates and forgetting', { timeout: 180_000 }, async () => {
    // One old memory says who the son is; five hundred newer ones speak of "my son" without naming him.
    const THINGS = ['football boots', 'swimming lessons', 'school shoes', 'maths homework', 'birthday party', 'dentist visit', 'library books', 'piano practice', 'lunch box', 'bike helmet'];
    const WHEN = ['on Monday', 'next week', 'in April', 'before the holidays', 'after school', 'every Friday', 'at 7 pm', 'tomorrow morning', 'this weekend', 'in June'];
    const VERBS = ['needs', 'forgot', 'asked about', 'loves', 'lost'];
    const notes: string[] = [];
    for (let i = 0; notes.length < 500; i++) notes.push(`my son ${VERBS[i % 5]} his ${THINGS[Math.floor(i / 5) % 10]} ${WHEN[Math.floor(i / 50) % 10]}, note ${i}`);
    const texts = ['Our son Archie started reception at Prospect North Primary this year.', ...notes, 'Archie has mild asthma: blue puffer with the spacer, two puffs when wheezy.'];
    await withMemories(texts, async (t) => {
      const reached = async () => {
        const { hits } = await t.client.call('memory.search', { query: 'what puffer does my son use?', limit: 10 });
        return reachedNames(hits);
      };
      assert.equal((await t.client.call('memory.list', { limit: 1000 })).memories.length, texts.length, 'no note merged into another');
      assert.ok((await reached()).includes('Archie'), 'the oldest memory still says who the son is');
      const memories = (await t.client.call('memory.list', { limit: 1000 })).memories;
      const teller = memories.find((m) => m.text.startsWith('Our son Archie'))!;
      await t.client.call('memory.update', { id: teller.id, text: 'Our son Leo started reception at Prospect North Primary this year.' });
      assert.deepEqual(await reached(), [], 'edited: Archie is no longer the son, and no memory names Leo');
      await t.client.call('memory.update', { id: teller.id, text: 'Our son Archie started reception at Prospect North Primary this year.' });
      assert.ok((await reached()).includes('Archie'));
      // A newer memory naming the son too; forgetting the old one leaves the newer.
      await t.client.call('memory.add', { text: 'Archie, my son, is in Room 4 with Ms Lee', area: 'main' });
      await t.client.call('memory.forget', { ids: [teller.id] });
      assert.ok((await reached()).includes('Archie'), 'the newer memory says it');
    });
  });

  it('says which relation of the question a name answers for, as the question writes it', { timeout: 120_000 }, async () => {
    await withMemories(FAMILY, async (t) => {
      const { hits } = await t.client.call('memory.search', { query: 'which suburb are my in-laws in?', limit: 3 });
      const person = hits[0]?.explain.matches.find((m) => m.relation === 'person');
      assert.equal(person?.asked, 'in-laws');
      assert.match(person?.word ?? '', /^(Stavros|Eleni)$/);
    });
  });

  it('keeps what memories say of people in the index’s snapshot, and changes it with the memories', { timeout: 120_000 }, async () => {
    await loadLexicon();
    const index = new LexicalIndex();
    index.put(1, 'Our son Archie started reception this year.', 'main');
    index.put(2, "Kids: Ruby (8), Archie (6)", 'main');
    index.put(3, 'Bins go out on Tuesday night', 'main');
    const copy = LexicalIndex.fromSnapshot(index.snapshot());
    const said = (i: LexicalIndex, relation: string) => i.people.stating([relation]).map((m) => `${m.rowid}:${m.relations.map((r) => r.name).join('+')}`);
    for (const i of [index, copy]) {
      assert.deepEqual(said(i, 'son'), ['1:Archie']);
      assert.deepEqual(said(i, 'child'), ['2:Ruby+Archie']);
    }
    copy.remove(1);
    copy.put(3, "Dan's parents Stavros and Eleni live in Campbelltown", 'main');
    const again = LexicalIndex.fromSnapshot(copy.snapshot());
    for (const i of [copy, again]) {
      assert.deepEqual(said(i, 'son'), []);
      assert.deepEqual(said(i, 'parent'), ['3:Stavros+Eleni']);
    }
    // A snapshot whose statements point past its memories is refused.
    const snapshot = index.snapshot();
    assert.throws(() => LexicalIndex.fromSnapshot({ ...snapshot, people: Int32Array.of(99, 1, 0, 0, 0, 0) }), /damaged/);
  });

  it('answers the same without a core, from the index it builds and from the one cached in the data folder', { timeout: 120_000 }, async () => {
    await withMemories(FAMILY, async (t) => {
      const cache = tempDir();
      try {
        const query = 'what does my son use for his asthma?';
        const inCore = (await t.client.call('memory.search', { query, limit: 10 })).hits;
        assert.ok(reachedNames(inCore).includes('Archie'), 'the core reaches Archie');
        const options = { dir: cache.path, build: 'build-a' };
        assert.deepEqual(await searchWithoutCore(t.core.db, query, { limit: 10 }, Date.UTC(2026, 5, 1), options), inCore, 'built here');
        assert.ok(readSearchCache(cache.path, searchCacheKey(t.core.db, 'build-a')), 'and cached');
        assert.deepEqual(await searchWithoutCore(t.core.db, query, { limit: 10 }, Date.UTC(2026, 5, 1), options), inCore, 'read from the cache');
      } finally {
        cache.cleanup();
      }
    });
  });

  it('reads a memory that says who someone is once, until it changes', { timeout: 120_000 }, async () => {
    await withMemories(FAMILY, async (t) => {
      const queries = t.core.memory.queries;
      const getMany = queries.getMany.bind(queries);
      let read = 0;
      queries.getMany = (rowids) => {
        read += rowids.length;
        return getMany(rowids);
      };
      const rowsRead = async (query: string) => {
        read = 0;
        const { hits } = await t.client.call('memory.search', { query, limit: 10 });
        return { read, hits };
      };
      const first = await rowsRead('what does my son use for his asthma?');
      const again = await rowsRead('what does my son use for his asthma?');
      assert.ok(again.read < first.read, `read again: ${again.read} of ${first.read}`);
      assert.deepEqual(again.hits.map((h) => h.memory.id), first.hits.map((h) => h.memory.id));
      const teller = (await t.client.call('memory.list', { limit: 50 })).memories.find((m) => m.text.startsWith('Our son Archie'))!;
      await t.client.call('memory.update', { id: teller.id, text: 'Our son Leo started reception at Prospect North Primary this year.' });
      const changed = await rowsRead('what does my son use for his asthma?');
      assert.equal(changed.read, again.read + 1, 'only the changed memory is read again');
      assert.ok(!changed.hits.some((h) => h.explain.matches.some((m) => m.word === 'Archie')), 'Archie is no longer the son');
    });
  });

  it('forgetting or correcting the memory that says who someone is removes the link', { timeout: 120_000 }, async () => {
    await withMemories(FAMILY, async (t) => {
      const search = async () => (await t.client.call('memory.search', { query: 'what does my son use for his asthma?', limit: 10 })).hits;
      const linked = (hits: Awaited<ReturnType<typeof search>>) => hits.some((h) => h.explain.matches.some((m) => m.relation === 'person'));
      assert.ok(linked(await search()));
      const teller = (await t.client.call('memory.list', { limit: 50 })).memories.find((m) => m.text.startsWith('Our son Archie'))!;
      await t.client.call('memory.update', { id: teller.id, text: 'Archie started reception at Prospect North Primary this year.' });
      assert.ok(!linked(await search()), 'corrected: nothing says Archie is the son');
      await t.client.call('memory.update', { id: teller.id, text: 'Our son Archie started reception at Prospect North Primary this year.' });
      assert.ok(linked(await search()));
      await t.client.call('memory.forget', { ids: [teller.id] });
      const after = await search();
      assert.ok(!linked(after), 'forgotten: nothing says Archie is the son');
    });
  });
});
