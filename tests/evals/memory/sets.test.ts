import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MIN_DUPLICATES,
  MIN_MEMORIES,
  MIN_UPDATE_PAIRS,
  MINIMUM,
  loadSets,
  normalisedDifference,
  normaliseText,
  problemsOf,
  updatePairs,
  type EvalDuplicate,
  type EvalMemory,
  type EvalQuestion,
  type EvalSet,
  type Kind,
} from './sets/validate.js';

describe('memory eval sets', () => {
  const sets = loadSets();

  it('there is a set to tune on, at least two held out, and every set names its split', () => {
    assert.ok(sets.some((s) => s.split === 'tune'));
    assert.ok(sets.filter((s) => s.split === 'heldout').length >= 2);
    for (const set of sets) assert.ok(set.split === 'tune' || set.split === 'heldout', `${set.name}: ${set.split}`);
  });

  for (const set of sets) {
    it(`the ${set.name} set has enough memories, questions of every kind and duplicates, all pointing at memories that exist`, () => {
      assert.deepEqual(problemsOf(set), []);
    });
  }

  it('no memory text is shared between sets, so each set stays about its own person', () => {
    const seen = new Map<string, string>();
    for (const set of sets) {
      set.memories.forEach((m, i) => {
        const norm = normaliseText(m.text);
        // A held-out memory is named by its place, not its key.
        assert.equal(seen.get(norm), undefined, `${set.name}/${set.split === 'tune' ? m.key : `memory ${i + 1}`} repeats a memory of another set`);
        seen.set(norm, set.name);
      });
    }
  });

  describe('the validator', { timeout: 10_000 }, () => {
    it('passes a small made-up set that meets every rule', () => {
      assert.deepEqual(problemsOf(madeUpSet()), []);
    });

    it('catches a question that points at a missing memory', () => {
      const set = madeUpSet();
      set.questions[0] = { ...set.questions[0], expect: ['no-such-key'] };
      assert.match(problemsOf(set).join('\n'), /key no-such-key does not exist/);
    });

    it('counts distinct knowledge updates, so update questions that keep asking about one older and newer pair fail', () => {
      const set = madeUpSet();
      assert.equal(updatePairs(set).size, 20);
      for (const q of set.questions.filter((q) => q.kind === 'update')) Object.assign(q, { expect: ['m0'], older: ['m1'] });
      assert.equal(updatePairs(set).size, 1);
      assert.match(problemsOf(set).join('\n'), /ask about 1 distinct knowledge updates .*want at least 20/);

      const nearly = madeUpSet();
      Object.assign(nearly.questions.find((q) => q.kind === 'update' && q.expect[0] === 'm2')!, { expect: ['m0'], older: ['m1'] });
      assert.deepEqual(problemsOf(nearly), [`made-up: update questions ask about 19 distinct knowledge updates (older, newer pairs), want at least ${MIN_UPDATE_PAIRS}`]);
    });

    it('rejects a multi-evidence question that lists one memory twice', () => {
      const set = madeUpSet();
      const multi = set.questions.find((q) => q.kind === 'multi')!;
      multi.expect = [multi.expect[0], multi.expect[0]];
      assert.deepEqual(problemsOf(set), [`made-up: question "${multi.q}": ${multi.expect[0]} is listed twice in expect`]);
    });

    it('rejects an update question whose newer memory is also among its older ones, whatever their ages', () => {
      const set = madeUpSet();
      const update = set.questions.find((q) => q.kind === 'update')!;
      update.older = [...update.older!, update.expect[0]];
      assert.deepEqual(problemsOf(set), [`made-up: question "${update.q}": ${update.expect[0]} is both the newer memory and an older one`]);
    });

    it('says which normalised words differ when an exact duplicate is not the same text', () => {
      const set = madeUpSet();
      const dup = set.duplicates.find((d) => d.kind === 'exact')!;
      set.memories.find((m) => m.key === dup.of)!.text = 'Flour sacks from the mill weigh 25 kg each';
      dup.text = 'flour sacks from the mill weigh 25kg each!';
      assert.deepEqual(problemsOf(set), [`made-up: duplicate "${dup.text}": not the same text as ${dup.of} after normalising ("25kg" vs "25 kg")`]);

      assert.deepEqual(normalisedDifference('Gate code is 4417.', 'gate code is 4417 and something else'), ['4417', '4417 and something else']);
      assert.deepEqual(normalisedDifference('the vet is on Main St', 'vet is on Main St'), ['the vet', 'vet']);
      assert.deepEqual(normalisedDifference('Café opens at 7', 'cafe opens at 8'), ['7', '8']);
    });

    it('names a held-out set\'s memories, questions and duplicates by their place, never by their keys or words', () => {
      const set = madeUpSet();
      set.split = 'heldout';
      const keys = new Map(set.memories.map((m, i) => [m.key, `secret-key-${i}`]));
      const rekey = (k: string) => keys.get(k) ?? k;
      for (const m of set.memories) m.key = rekey(m.key);
      for (const q of set.questions) Object.assign(q, { q: `classified ${q.q}`, expect: q.expect.map(rekey), ...(q.older ? { older: q.older.map(rekey) } : {}) });
      for (const d of set.duplicates) Object.assign(d, { of: rekey(d.of), ...(d.kind === 'reworded' ? { text: `confidential ${d.text}` } : {}) });
      // One of each problem that names a memory, a question or a duplicate.
      const [update, lexical, multi, solution] = (['update', 'lexical', 'multi', 'solution'] as Kind[]).map((kind) => set.questions.find((q) => q.kind === kind)!);
      update.older = [...update.older!, update.expect[0], update.older![0]];
      lexical.expect = ['secret-key-gone'];
      multi.expect = [multi.expect[0], multi.expect[0]];
      solution.expect = [set.memories[0].key];
      set.questions.find((q) => q.kind === 'unanswerable')!.expect = [set.memories[1].key];
      set.questions.push({ ...set.questions[0] });
      set.memories[3].key = set.memories[2].key;
      set.memories[4].text = 'tiny';
      set.memories[5].text = set.memories[6].text.toUpperCase();
      const exact = set.duplicates.find((d) => d.kind === 'exact')!;
      set.memories.find((m) => m.key === exact.of)!.text = 'private flour sacks weigh 25 kg each';
      exact.text = 'private flour sacks weigh 25kg each';
      const reworded = set.duplicates.filter((d) => d.kind === 'reworded');
      reworded[0].text = set.memories[7].text;
      reworded[1].of = 'secret-key-missing';
      set.duplicates.push({ ...set.duplicates[1] });
      const problems = problemsOf(set);
      for (const p of problems) assert.doesNotMatch(p, /secret|classified|confidential|private|flour|kg|made up/i, p);
      assert.deepEqual(problems, [
        'memory 4 has the key of memory 3',
        'memory 5: text is too short',
        'memory 7 has the same text as memory 6 (an import would merge them)',
        'question 1 (update): memory 2 is listed twice in older',
        'question 1 (update): memory 1 is both the newer memory and an older one',
        'question 2 (update): a key does not exist',
        'question 21 (lexical): a key does not exist',
        'question 66 (multi): memory 91 is listed twice in expect',
        'question 81 (solution): memory 1 is not in solutions',
        'question 96 (unanswerable): unanswerable but expects memory 2',
        'question 106 (update) is asked twice',
        'question 106 (update): memory 2 is listed twice in older',
        'question 106 (update): memory 1 is both the newer memory and an older one',
        'duplicate 1: not the same text as memory 101 after normalising',
        'duplicate 21: reworded, but the same text as memory 8',
        'duplicate 22: its key does not exist',
        'duplicate 41 is listed twice',
        '19 reworded duplicates, want at least 20',
      ].map((p) => `made-up: ${p}`));
    });
  });
});

/** A set of numbered made-up memories that meets every count and rule of the validator. */
function madeUpSet(): EvalSet {
  const memories: EvalMemory[] = Array.from({ length: MIN_MEMORIES }, (_, i) => ({
    key: `m${i}`,
    area: i >= 200 && i < 220 ? 'solutions' : 'main',
    daysAgo: i,
    text: `made up memory number ${i}`,
  }));
  const questions: EvalQuestion[] = [];
  const ask = (kind: Kind, expect: string[], older?: string[]) =>
    questions.push({ kind, q: `${kind} question ${questions.length}?`, expect, ...(older ? { older } : {}) });
  for (let i = 0; i < MINIMUM.update; i++) ask('update', [`m${2 * i}`], [`m${2 * i + 1}`]);
  for (let i = 0; i < MINIMUM.lexical; i++) ask('lexical', [`m${40 + i}`]);
  for (let i = 0; i < MINIMUM.paraphrase; i++) ask('paraphrase', [`m${60 + i}`]);
  for (let i = 0; i < MINIMUM.multi; i++) ask('multi', [`m${90 + i}`, `m${150 + i}`]);
  for (let i = 0; i < MINIMUM.solution; i++) ask('solution', [`m${200 + i}`]);
  for (let i = 0; i < MINIMUM.unanswerable; i++) ask('unanswerable', []);
  const duplicates: EvalDuplicate[] = [
    ...Array.from({ length: MIN_DUPLICATES.exact }, (_, i) => ({ of: `m${100 + i}`, kind: 'exact' as const, text: `Made up memory, number ${100 + i}.` })),
    ...Array.from({ length: MIN_DUPLICATES.reworded }, (_, i) => ({ of: `m${120 + i}`, kind: 'reworded' as const, text: `the invented note numbered ${120 + i}` })),
  ];
  return { name: 'made-up', split: 'tune', description: 'numbered made-up memories for testing the validator', memories, questions, duplicates };
}
