import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESERVED, chooseSets } from './run.js';
import { loadSets } from './sets/validate.js';

describe('which memory eval sets a run scores', () => {
  const sets = [
    { name: 'original', split: 'tune' },
    { name: 'theo', split: 'tune' },
    { name: 'hattie', split: 'heldout' },
    { name: 'arjun', split: 'heldout' },
    ...[...RESERVED].map((name) => ({ name, split: 'heldout' })),
  ];
  const chosen = (options: Parameters<typeof chooseSets>[1]) => chooseSets(sets, options).map((s) => s.name);

  it('a run of the held-out split, or of every split, leaves the reserved held-out sets out; --except takes more out', () => {
    assert.deepEqual(chosen({ split: 'heldout' }), ['hattie', 'arjun']);
    assert.deepEqual(chosen({}), ['original', 'theo', 'hattie', 'arjun']);
    assert.deepEqual(chosen({ split: 'heldout', except: 'arjun' }), ['hattie']);
    assert.deepEqual(chosen({ split: 'tune' }), ['original', 'theo']);
  });

  it('--report runs the reserved sets too, and --set runs the sets it names, reserved or not', () => {
    const reserved = [...RESERVED];
    assert.deepEqual(chosen({ split: 'heldout', report: true }), ['hattie', 'arjun', ...reserved]);
    assert.deepEqual(chosen({ set: reserved[0] }), [reserved[0]]);
    assert.deepEqual(chosen({ set: `theo, ${reserved[0]}` }), ['theo', reserved[0]]);
    assert.deepEqual(chosen({ set: reserved[0], split: 'tune' }), [], 'the split still applies');
  });

  it('every reserved name is a held-out set that exists, so none runs in a keep-or-drop run under another name', () => {
    const held = new Map(loadSets().map((s) => [s.name, s.split]));
    for (const name of RESERVED) assert.equal(held.get(name), 'heldout', name);
  });
});
