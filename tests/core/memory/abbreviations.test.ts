import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Abbreviations, definitions, spells, wordRun } from '../../../core/memory/abbreviations.js';
import { LexicalIndex, type LexicalSnapshot } from '../../../core/memory/lexical.js';
import { loadLexicon } from '../../../core/memory/lexicon/index.js';
import { withMemories } from './stores.js';

const phrasesOf = (a: Abbreviations, abbr: string, capsInQuery = false, lx: Parameters<Abbreviations['expansions']>[2] = null) => a.expansions(abbr, capsInQuery, lx).map((e) => `${e.phrase} (${e.why})`);

describe('initials of a run of words', () => {
  it('spell an abbreviation word by word, with "and"/"of" skipped or spelled and a dictionary compound giving two letters', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    const at = (abbr: string, text: string) => {
      const { words } = wordRun(text);
      for (let i = 0; i < words.length; i++) {
        const end = spells(abbr, words, i, lx);
        if (end >= 0) return words.slice(i, end).join(' ');
      }
      return null;
    };
    assert.equal(at('num', 'My nurse unit manager on 5C is Priya'), 'nurse unit manager');
    assert.equal(at('poa', 'Dad signed the power of attorney in May'), 'power of attorney');
    assert.equal(at('pa', 'Dad signed the power of attorney in May'), 'power of attorney');
    assert.equal(at('hoa', 'the homeowners association fee went up'), 'homeowners association');
    assert.equal(at('hoa', 'the Home-Owners Association fee went up'), 'home owners association');
    assert.equal(at('pals', 'renew my paediatric advanced life support card'), 'paediatric advanced life support');
    // Not across a clause, a number or another function word; no words of one or two letters.
    assert.equal(at('num', 'the nurse, unit manager'), null);
    assert.equal(at('num', 'nurse on my unit'), null);
    assert.equal(at('hst', '4 hr shifts tue'), null);
    assert.equal(at('ctp', 'cover the pooch'), null);
  });

  it('links a capitalised abbreviation to runs that name a thing, and two letters only by a definition or WordNet', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    const a = new Abbreviations();
    const texts = [
      'NUM on 6B is Karen Fitzgerald. Approachable, but leave requests go in 6 weeks ahead.',
      'My nurse unit manager on 5C is Priya Raman.',
      'accountant: Gary Lo CPA, year-end + HST',
      'frost warning: creeping above the hedge line tonight',
      'OT list for March is up; I put my name on the overtime list',
      'went to the ICU handover; intensive care unit beds are full',
      'the RN on nights is a registered nurse from Perth',
      'new rules at the ward: the TGH (Torrens General Hospital) car park closes at 9',
      'ordering croissants cressants CCA',
    ];
    texts.forEach((t, i) => a.put(i + 1, t, lx));
    assert.deepEqual(phrasesOf(a, 'num', false, lx), ['nurse unit manager (initials)']);
    // "creeping above" spells CPA but ends in no noun; "croissants cressants" has a word no dictionary knows, not written as a name.
    assert.deepEqual(phrasesOf(a, 'cpa', false, lx), []);
    assert.deepEqual(phrasesOf(a, 'cca', false, lx), []);
    // Two letters: "overtime list" spells OT, but no memory defines it.
    assert.deepEqual(phrasesOf(a, 'ot', true, lx), []);
    assert.deepEqual(phrasesOf(a, 'rn', false, lx), ['registered nurse (wordnet)']);
    // WordNet's abbreviations only where written in capitals: "us" is a word.
    a.put(20, 'we moved to the United States in 2019', lx);
    assert.deepEqual(phrasesOf(a, 'us', false, lx), []);
    assert.deepEqual(phrasesOf(a, 'us', true, lx), ['united states (wordnet)']);
    assert.deepEqual(phrasesOf(a, 'icu', false, lx), ['intensive care unit (wordnet)']);
    assert.deepEqual(phrasesOf(a, 'icu', true, lx), ['intensive care unit (wordnet)']);
    assert.deepEqual(phrasesOf(a, 'tgh', false, lx), ['torrens general hospital (defined)']);
    // A word of its own written in capitals is that word: "policy number" is no PIN, "fire extinguishers" no FEE.
    a.put(21, 'car insurance: the policy number is on the green card; fire extinguishers checked in May', lx);
    a.put(22, 'my bank card PIN is the same as the FEE code', lx);
    assert.deepEqual(phrasesOf(a, 'pin', true, lx), []);
    assert.deepEqual(phrasesOf(a, 'fee', false, lx), []);
    // A lower-case word that spells a run links nothing unless some memory or the query writes it in capitals.
    assert.deepEqual(phrasesOf(a, 'nlu', false, lx), []);
    assert.deepEqual(phrasesOf(a, 'icm', false, lx), []);
    // The other way: a run of query words that the store links to an abbreviation.
    const q = wordRun('who is my nurse unit manager now');
    const found = a.abbreviationOf(q.words, 3, lx);
    assert.equal(found?.abbr, 'num');
    assert.equal(a.abbreviationOf(wordRun('creeping above the fence').words, 0, lx), null);
    // Forgetting the only memory that uses the phrase drops the link.
    a.remove(2);
    assert.deepEqual(phrasesOf(a, 'num', false, lx), []);
  });

  it('links by initials only an abbreviation some memory writes, to a run of one initial a word that names a thing', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    const a = new Abbreviations();
    const texts = [
      'team rule: no prod deploys fri after 2pm',
      'the building is redoing the hallways on our floor till end of month',
      'sleep after night shifts: blackout blinds and earplugs',
      'Archie swims at the Aquatic Centre on Saturdays',
      'new galley style kitchen quote from the builder',
      'My choir is the Northern Lights Community Choir, conductor Gwen Ashby.',
    ];
    texts.forEach((t, i) => a.put(i + 1, t, lx));
    // Capitals in the query alone: every run spelling them is chance.
    for (const abbr of ['pdf', 'fte', 'san', 'atc', 'gls', 'nlcc']) assert.deepEqual(phrasesOf(a, abbr, true, lx), [], abbr);
    a.put(10, 'rehearsal tracks are in the NLCC 2026 folder', lx);
    assert.deepEqual(phrasesOf(a, 'nlcc', true, lx), ['northern lights community choir (initials)']);
    // A memory writing the abbreviation is not enough for a run that names nothing ("deploys" is only a
    // verb), passes a preposition ("till", "after") or needs a compound's two initials ("aqua" + "tic", "gal" + "ley").
    a.put(11, 'send them the payment confirmation PDF', lx);
    a.put(12, 'Contract: 0.8 FTE, rotating roster. SAN forms go to HR. ATC and GLS Bank called back.', lx);
    for (const abbr of ['pdf', 'fte', 'san', 'atc', 'gls']) {
      assert.deepEqual(phrasesOf(a, abbr, true, lx), [], abbr);
      assert.deepEqual(phrasesOf(a, abbr, false, lx), [], abbr);
    }
    assert.equal(a.abbreviationOf(wordRun('any prod deploys fri this week?').words, 1, lx), null);
    // A definition still links a compound's initials.
    a.put(13, 'the builder quoted a galley style (GLS) layout', lx);
    assert.deepEqual(phrasesOf(a, 'gls', true, lx), ['galley style (defined)']);
    // A verb's -ing form names an activity, as a noun does.
    a.put(14, 'letter from the driver and vehicle licensing agency about my licence', lx);
    a.put(15, 'DVLA says the new licence takes three weeks', lx);
    assert.deepEqual(phrasesOf(a, 'dvla', false, lx), ['driver and vehicle licensing agency (initials)']);
  });

  it('reads explicit definitions in parentheses, with "=" and "stands for", only when the initials spell it', { timeout: 120_000 }, async () => {
    const lx = await loadLexicon();
    assert.deepEqual(definitions('my nurse unit manager (NUM) signs leave', lx), [['num', 'nurse unit manager']]);
    // "overtime" is over + time, two dictionary words: both initials.
    assert.deepEqual(definitions('OT (overtime) list', lx), [['ot', 'overtime']]);
    assert.deepEqual(definitions('NUM = nurse unit manager', lx), [['num', 'nurse unit manager']]);
    assert.deepEqual(definitions('OT (physio) on Monday', lx), []);
    assert.deepEqual(definitions('PALS stands for paediatric advanced life support', lx), [['pals', 'paediatric advanced life support']]);
    assert.deepEqual(definitions('the HOA (Home-Owners Association) fee', lx), [['hoa', 'home owners association']]);
    assert.deepEqual(definitions('dinner with Sam (and Jo)', lx), []);
    assert.deepEqual(definitions('bring the esky (cooler bag)', lx), []);
  });

  it('keeps the words through a snapshot of the index', { timeout: 120_000 }, async () => {
    await loadLexicon();
    const index = new LexicalIndex();
    index.put(1, 'NUM on 6B is Karen Fitzgerald.', 'main');
    index.put(2, 'My nurse unit manager on 5C is Priya Raman.', 'main');
    index.put(3, 'Parking at the hospital is $12 a day.', 'main');
    const copy = LexicalIndex.fromSnapshot(index.snapshot());
    for (const i of [index, copy]) {
      const hits = i.search("who's my NUM?", { limit: 5 });
      assert.deepEqual(hits.map((h) => h.rowid).sort(), [1, 2]);
      assert.deepEqual(hits.find((h) => h.rowid === 2)?.matches, [{ query: 'num', word: 'nurse unit manager', relation: 'abbreviation', weight: 1 }]);
    }
    // The copy changes like the original: a forgotten memory's phrase links nothing, a new one links.
    copy.remove(2);
    copy.put(4, 'Our HOA (Home-Owners Association) fee is due in March.', 'main');
    assert.deepEqual(copy.search("who's my NUM?", { limit: 5 }).map((h) => h.rowid), [1]);
    assert.equal(copy.search('when is the home owners association fee due?', { limit: 5 })[0]?.rowid, 4);
    const again = LexicalIndex.fromSnapshot(copy.snapshot());
    assert.deepEqual(again.search('what is the HOA fee?', { limit: 5 })[0]?.rowid, 4);
  });

  it('refuses, where it reads it, a snapshot whose words, concepts or words in order name a string it does not hold, or that names a memory twice', { timeout: 120_000 }, async () => {
    await loadLexicon();
    const index = new LexicalIndex();
    index.put(1, 'My nurse unit manager (NUM) on 5C is Priya Raman.', 'main');
    index.put(2, 'The dentist moved her surgery to Frome Road.', 'main');
    const snapshot = index.snapshot();
    const strings = snapshot.strings.length;
    // The first memory's words in order, then its definitions: [words, word * 4 + case…, definitions, abbreviation, phrase…].
    const words = snapshot.abbreviations[0];
    const definition = 2 + words;
    assert.equal(snapshot.abbreviations[1 + words], 1, 'the first memory defines NUM');
    const places: [keyof LexicalSnapshot & ('surface' | 'bySynset' | 'byGlossWord' | 'abbreviations'), number, number, number][] = [
      // section, place, the last string it may name, the first it may not
      ['surface', 0, strings - 1, strings],
      ['surface', 2, strings - 1, strings],
      ['bySynset', 2, strings - 1, strings],
      ['byGlossWord', 0, strings - 1, strings],
      ['byGlossWord', 2, strings - 1, strings],
      ['abbreviations', 1, (strings - 1) * 4 + 3, strings * 4],
      ['abbreviations', definition, strings - 1, strings],
      ['abbreviations', definition + 1, strings - 1, strings],
    ];
    for (const [section, at, last, outside] of places) {
      const damaged = (n: number) => ({ ...snapshot, [section]: Int32Array.from(snapshot[section], (v, i) => (i === at ? n : v)) });
      assert.ok(LexicalIndex.fromSnapshot(damaged(last)), `${section}[${at}] = ${last}`);
      assert.throws(() => LexicalIndex.fromSnapshot(damaged(outside)), /damaged index snapshot/, `${section}[${at}] = ${outside}`);
      assert.throws(() => LexicalIndex.fromSnapshot(damaged(-2)), /damaged index snapshot/, `${section}[${at}] = -2`);
    }
    // Each memory once, by a whole rowid, and no rowid left over.
    for (const rowids of [[1, 1], [1, 2.5], [1, NaN], [1, 2, 3], [1]]) {
      assert.throws(() => LexicalIndex.fromSnapshot({ ...snapshot, rowids: Float64Array.from(rowids) }), /damaged index snapshot/, rowids.join());
    }
    assert.deepEqual(LexicalIndex.fromSnapshot({ ...snapshot, rowids: Float64Array.of(7, 3) }).search("who's my NUM?", { limit: 5 }).map((h) => h.rowid), [7]);
    assert.equal(LexicalIndex.fromSnapshot(snapshot).search("who's my NUM?", { limit: 5 })[0]?.rowid, 1);
  });
});

describe('a query full of capitals', () => {
  it('costs a search a few store-wide lookups, not one per word', { timeout: 120_000 }, async () => {
    await loadLexicon();
    const index = new LexicalIndex();
    const topics = ['nurse unit manager', 'roster period', 'staff car park', 'linen cupboard', 'tea room', 'handover notes', 'leave requests', 'night shift'];
    const pick = (i: number, k: number) => topics[(i * k + k) % topics.length];
    for (let i = 0; i < 3000; i++) index.put(i + 1, `note ${i}: the ${pick(i, 1)}, ${pick(i, 3)}, ${pick(i, 5)}, ${pick(i, 7)} and ${pick(i, 11)} rules for the ${pick(i, 13)} with ${pick(i, 17)}`, 'main');
    index.put(5000, 'NUM on 6B is Karen.', 'main');
    // Two hundred made-up capitalised words, none a word of its own, each spelled by some run of the store's words.
    const initials = 'nurmslcptrhoe';
    const codes: string[] = [];
    for (const a of initials) for (const b of initials) for (const c of 'trhoe') codes.push(`${a}${b}${c}`.toUpperCase());
    codes.length = 200;
    const cpu = (query: string) => {
      const from = process.cpuUsage();
      index.search(query, { limit: 10 });
      const used = process.cpuUsage(from);
      return used.user + used.system;
    };
    cpu('warm up the index');
    const lower = cpu(codes.join(' ').toLowerCase());
    const upper = cpu(codes.join(' '));
    assert.ok(upper < 4 * lower + 100_000, `capitals ${upper} µs, lower case ${lower} µs`);
  });
});

describe('search through the store links an abbreviation and its expansion', () => {
  it('finds the newer memory that spells it out, first, and the other way round', { timeout: 120_000 }, async () => {
    await withMemories(
      [
        'NUM on 6B is Karen Fitzgerald. Approachable, but leave requests go in 6 weeks ahead or she says no.',
        'Parking at the hospital is $12 a day; the staff car park is on Frome Road.',
        'The ward phone is 45520; the tea room is next to the linen cupboard.',
        'My nurse unit manager on 5C is Priya Raman. She sends the roster out on the second Friday of the period.',
      ],
      async (t) => {
        const { hits } = await t.client.call('memory.search', { query: "who's my NUM?", limit: 5 });
        assert.match(hits[0].memory.text, /^My nurse unit manager on 5C/);
        assert.ok(hits[0].confident);
        assert.deepEqual(
          hits[0].explain.matches.filter((m) => m.relation === 'abbreviation'),
          [{ query: 'num', word: 'nurse unit manager', relation: 'abbreviation', weight: 1 }],
        );
        assert.match(hits[1].memory.text, /^NUM on 6B/);
        const spelled = await t.client.call('memory.search', { query: 'who is the nurse unit manager on 6B?', limit: 5 });
        const num = spelled.hits.find((h) => h.memory.text.startsWith('NUM on 6B'));
        assert.ok(num?.explain.matches.some((m) => m.relation === 'abbreviation' && m.word === 'num'));
        // A capitalised word no memory spells out adds nothing, nor one no memory writes.
        for (const query of ['where is the TEA room?', 'where is the SCP at the hospital?']) {
          const other = await t.client.call('memory.search', { query, limit: 5 });
          assert.ok(other.hits.length > 0, query);
          assert.ok(other.hits.every((h) => h.explain.matches.every((m) => m.relation !== 'abbreviation')), query);
        }
      },
      { oneAMinute: true },
    );
  });

  it('keeps a word of its own written in capitals that word', { timeout: 120_000 }, async () => {
    await withMemories(
      ['Car insurance: the policy number is on the green card in the glovebox.', 'The garage door PIN was changed in March.', 'Fire extinguishers in the kitchen were checked in May.'],
      async (t) => {
        for (const query of ['what is my PIN?', 'how much is the FEE?']) {
          const { hits } = await t.client.call('memory.search', { query, limit: 5 });
          assert.ok(hits.length > 0);
          assert.deepEqual(hits.flatMap((h) => h.explain.matches.filter((m) => m.relation === 'abbreviation')), [], query);
        }
      },
    );
  });
});
