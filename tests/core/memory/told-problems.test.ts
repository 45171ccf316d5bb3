import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confident, withMemories } from './stores.js';

const FIXES = [
  'Problem: the radiators stay cold. Fix: bleed the radiators with the key in the kitchen drawer',
  'Problem: the laptop drops off wifi after sleep. Fix: disable power saving for the wireless card',
  'Problem: calendar invites arrive one hour off. Fix: set the calendar time zone to Europe/Lisbon',
  'Problem: espresso running fast and sour. Fix: grind two notches finer',
  'Bins go out on Tuesday night',
  'The plumber is Dave, 0412 555 019',
  'Book club meets on the first Thursday',
  'The car needs new tyres before winter',
  'Our dentist is Dr Weber on Hauptstrasse',
  'The gym is open until 10pm on weekdays',
];

describe('memory search: a problem told rather than asked', () => {
  it('is answered by the fix that names its main thing and a good part of it, in other words', { timeout: 120_000 }, async () => {
    await withMemories(FIXES, async (t) => {
      for (const [problem, fix] of [
        ['The heating radiators are not warming up', FIXES[0]],
        ['the radiators keep going cold in the evening', FIXES[0]],
        ['espresso tastes sour again', FIXES[3]],
      ] as const) {
        const hits = await confident(t, problem);
        assert.ok(hits.includes(fix), `${problem}: the fix answers it: ${hits.join(' | ')}`);
      }
      assert.deepEqual(await confident(t, 'the dishwasher leaves a puddle of dirty water'), [], 'a problem no memory is about has no answer');
    });
  });
  it('a keyword search or a request that tells no trouble is answered only by what answers most of it', { timeout: 120_000 }, async () => {
    await withMemories(FIXES, async (t) => {
      const wrong: string[] = [];
      for (const [query, unanswered] of [
        ['kitchen drawer spare batteries', FIXES[0]],
        ['Find a new gym near the office open on weekdays', FIXES[9]],
        ['Show me my notes on the espresso grinder settings', FIXES[3]],
        ['Remind me to buy winter tyres for the bike', FIXES[7]],
      ] as const) {
        if ((await confident(t, query)).includes(unanswered)) wrong.push(`${query} -> ${unanswered}`);
      }
      assert.deepEqual(wrong, [], 'a memory that answers only part of the query is no confident answer to it');
    });
  });
});
