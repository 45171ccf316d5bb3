import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withMemories } from './stores.js';

describe('memory search: newer memories about the same person', () => {
  it('does not pull an unrelated later memory about the same person above the answer, nor mark the answer replaced', { timeout: 120_000 }, async () => {
    await withMemories(
      [
        "Priya's favourite food is green curry",
        'The dentist is Dr Okafor on Elm Street',
        'Priya started swimming lessons on Saturdays',
      ],
      async (t) => {
        const r = await t.client.call('memory.search', { query: "what is Priya's favourite food?", limit: 1 });
        const texts = r.hits.map((h) => h.memory.text);
        assert.match(texts[0], /green curry/, 'the answer comes first');
        const curry = r.hits.find((h) => /green curry/.test(h.memory.text))!;
        assert.equal(curry.explain.replacedBy, null, 'the answer is not replaced by a memory about something else');
        assert.ok(!r.hits.some((h) => /swimming/.test(h.memory.text) && h.confident), 'the swimming memory is no confident answer');
      },
      { oneAMinute: true },
    );
  });
  it('still puts a newer value of the same attribute first, and news about a value that began something does not replace it', { timeout: 120_000 }, async () => {
    await withMemories(
      [
        "Priya's favourite food is green curry",
        'The dentist is Dr Okafor on Elm Street',
        'Priya started swimming lessons on Saturdays',
        'Dr Okafor started yoga classes',
        "Priya's favourite food is now pad thai",
      ],
      async (t) => {
        const food = await t.client.call('memory.search', { query: "what is Priya's favourite food?", limit: 3 });
        assert.match(food.hits[0].memory.text, /pad thai/, 'the current value comes first');
        assert.ok(!food.hits.some((h) => /swimming/.test(h.memory.text) && h.explain.replaces !== null), 'the swimming memory replaces nothing');
        const dentist = await t.client.call('memory.search', { query: 'who is my dentist?', limit: 1 });
        assert.match(dentist.hits[0].memory.text, /Elm Street/, 'the dentist memory answers');
        assert.equal(dentist.hits[0].explain.replacedBy, null, 'news about what Dr Okafor began replaces nothing');
      },
      { oneAMinute: true },
    );
  });
  it('keeps the memory an update only names the changed thing of among the results asked for', { timeout: 120_000 }, async () => {
    await withMemories(
      [
        'climbing gym: the crux',
        'the climbing gym membership renews in march',
        'climbing gym shoes are size 42',
        'climbing gym has a bouldering wall',
        'the climbing gym opens at 7 on weekdays',
        'climbing gym buddy is sam',
        'climbing gym chalk bag is blue',
        'cancelled the crux, joined summit co-op',
      ],
      async (t) => {
        for (const limit of [1, 2, 3]) {
          const r = await t.client.call('memory.search', { query: 'which climbing gym do I go to?', limit });
          const ids = new Set(r.hits.map((h) => h.memory.id));
          for (const h of r.hits) {
            if (h.explain.replaces) assert.ok(ids.has(h.explain.replaces), `limit ${limit}: "${h.memory.text}" comes with the memory it updates`);
          }
        }
        const r = await t.client.call('memory.search', { query: 'which climbing gym do I go to?', limit: 2 });
        assert.ok(r.hits.some((h) => /the crux$/.test(h.memory.text)), 'the gym memory stays among the results');
      },
      { oneAMinute: true },
    );
  });
  it('does not take a name in the older memory for its value: news about the person replaces nothing', { timeout: 120_000 }, async () => {
    await withMemories(
      [
        'My sister Priya loves green curry',
        'The dentist is Dr Okafor on Elm Street',
        'Priya moved to Berlin',
        'Priya now lives in Berlin',
      ],
      async (t) => {
        for (const limit of [1, 3]) {
          const r = await t.client.call('memory.search', { query: 'what food does my sister love?', limit });
          const curry = r.hits.find((h) => /green curry/.test(h.memory.text));
          assert.ok(curry, 'the curry memory answers');
          assert.match(r.hits[0].memory.text, /green curry/, 'the answer comes first');
          assert.equal(curry.explain.replacedBy, null, 'news about where Priya lives does not replace it');
          assert.ok(!r.hits.some((h) => /Berlin/.test(h.memory.text) && h.explain.replaces !== null), 'the Berlin memories replace nothing');
        }
      },
      { oneAMinute: true },
    );
  });
});
