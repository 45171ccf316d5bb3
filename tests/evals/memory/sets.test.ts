import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseText, loadSets, problemsOf } from './sets/validate.js';

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
      for (const m of set.memories) {
        const norm = normaliseText(m.text);
        assert.equal(seen.get(norm), undefined, `${set.name}/${m.key} repeats a memory of another set`);
        seen.set(norm, set.name);
      }
    }
  });

  it('the validator catches a question that points at a missing memory and an exact duplicate that differs', () => {
    const set = structuredClone(sets[0]);
    set.questions[0] = { ...set.questions[0], expect: ['no-such-key'] };
    set.duplicates[0] = { of: set.memories[0].key, kind: 'exact', text: `${set.memories[0].text} and something else` };
    const problems = problemsOf(set).join('\n');
    assert.match(problems, /key no-such-key does not exist/);
    assert.match(problems, /not the same text/);
  });
});
