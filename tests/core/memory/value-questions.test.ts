import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confident, withMemories } from './stores.js';

const NOTES = [
  'oncall now 1 week in 4 (team down to 4). handoff still mon 10am',
  'bumped 401k to 10% after the promo',
  'team standup is at 9:30 in the small room',
  'The plumber is Dave, 0412 555 019',
  'Book club meets on the first Thursday',
  'The car needs new tyres before winter',
  'Bins go out on Tuesday night',
  'The gym is open until 10pm on weekdays',
];

describe('memory search: questions asking for a kind of value', () => {
  it('are answered by a memory giving that value, though it never says "often" or "percent"', { timeout: 120_000 }, async () => {
    await withMemories(NOTES, async (t) => {
      assert.ok((await confident(t, 'how often am i on call?')).includes(NOTES[0]), 'the on-call rota answers how often');
      assert.ok((await confident(t, 'what percent do i put into the 401k?')).includes(NOTES[1]), 'the 401k note answers what percent');
    });
  });

  it('"how long ago" and "how long since" ask when, though WordNet reads "long ago" and "long since" as phrases no memory says', { timeout: 120_000 }, async () => {
    const notes = ['Moved into the flat on Leith Walk in August 2021', 'Boiler serviced by British Gas on 12 March', ...NOTES];
    await withMemories(notes, async (t) => {
      assert.deepEqual(await confident(t, 'How long ago did we move into the flat?'), [notes[0]]);
      assert.deepEqual(await confident(t, 'how long since the boiler was serviced'), [notes[1]]);
    });
  });

  it('still need the value: a memory naming the subject without one is a long shot', { timeout: 120_000 }, async () => {
    await withMemories(['the oncall handoff checklist lives in the team wiki', ...NOTES.slice(2)], async (t) => {
      assert.deepEqual(await confident(t, 'how often am i on call?'), []);
    });
  });
});
