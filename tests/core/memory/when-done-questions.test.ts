import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { askedThing } from '../../../core/memory/asked.js';
import { confident, withMemories } from './stores.js';

describe('askedThing: the verb after the thing', () => {
  it('is what is done to the thing; "last" says when, not which', () => {
    const verbOnly = (w: string) => ['serviced', 'collected', 'called'].includes(w);
    assert.deepEqual(askedThing('When was the boiler last serviced?', verbOnly), { words: ['boiler'], head: 'boiler', verb: 'serviced' });
    assert.deepEqual(askedThing('When is recycling collected?', verbOnly), { words: ['recycling'], head: 'recycling', verb: 'collected' });
    assert.deepEqual(askedThing("What's Dan's mobile number?", verbOnly), { words: ['dan', 'mobile', 'number'], head: 'number' }, 'no verb, none read');
    assert.equal(askedThing('What time is the pharmacy closed?', (w) => w === 'closed'), null, 'the time of day is asked of no thing');
  });
});

describe('memory search: "when was X done?"', () => {
  const NOTES = [
    'Boiler lost pressure last winter: top it up to 1.5 bar with the filling loop',
    'The car was serviced in May at Kwik Fit',
    'Recycling is collected on Thursdays; put the bin out Wednesday evening',
  ];

  it('a memory about the thing that says nothing of that being done is a long shot', { timeout: 120_000 }, async () => {
    await withMemories(NOTES, async (t) => {
      assert.deepEqual(await confident(t, 'When was the boiler last serviced?'), [], 'topping the boiler up is no service, and the car was serviced, not the boiler');
    });
  });

  it('a memory saying it was done, and when, answers', { timeout: 120_000 }, async () => {
    const serviced = 'Boiler serviced by the Gas Safe engineer on 12 March, next one due in a year';
    await withMemories([...NOTES, serviced], async (t) => {
      assert.ok((await confident(t, 'When was the boiler last serviced?')).includes(serviced));
      assert.ok((await confident(t, 'When is recycling collected?')).includes(NOTES[2]));
    });
  });

  it('the thing must be answered as well as the doing: the car serviced says nothing of the boiler', { timeout: 120_000 }, async () => {
    // The boiler check answers "boiler" and the car "serviced": together they are no answer either.
    await withMemories([...NOTES, 'Annual boiler check by the Gas Safe engineer on 12 March'], async (t) => {
      for (const q of ['When was the boiler last serviced?', 'When was the boiler serviced?']) {
        assert.ok(!(await confident(t, q)).includes(NOTES[1]), q);
      }
    });
  });

  it('a verb English uses for all sorts of doing need not be repeated by the memory', { timeout: 120_000 }, async () => {
    const notes = ['Team meeting every Tuesday at 10am in room 4', 'Rent £850 goes out on the 1st of each month', 'Car MOT passed 14 Feb, next due Feb 2027'];
    await withMemories(notes, async (t) => {
      assert.deepEqual(await confident(t, 'When is the team meeting held?'), [notes[0]]);
      assert.deepEqual(await confident(t, 'When is the rent paid?'), [notes[1]]);
      assert.deepEqual(await confident(t, 'When was the MOT done?'), [notes[2]]);
    });
  });
});
