import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { startTestCore } from '../../support/index.js';

describe('memory search: newer memories about the same person', () => {
  it('does not pull an unrelated later memory about the same person above the answer, nor mark the answer replaced', { timeout: 120_000 }, async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const t = await startTestCore({ clock, ids: createSequentialIds() });
    try {
      const add = async (text: string) => {
        await t.client.call('memory.import', { jsonl: JSON.stringify({ text, area: 'main' }) });
        clock.advance(60_000);
      };
      await add("Priya's favourite food is green curry");
      await add('The dentist is Dr Okafor on Elm Street');
      await add('Priya started swimming lessons on Saturdays');
      const r = await t.client.call('memory.search', { query: "what is Priya's favourite food?", limit: 1 });
      const texts = r.hits.map((h) => h.memory.text);
      assert.match(texts[0], /green curry/, 'the answer comes first');
      const curry = r.hits.find((h) => /green curry/.test(h.memory.text))!;
      assert.equal(curry.explain.replacedBy, null, 'the answer is not replaced by a memory about something else');
      assert.ok(!r.hits.some((h) => /swimming/.test(h.memory.text) && h.confident), 'the swimming memory is no confident answer');
    } finally {
      await t.close();
    }
  });
  it('still puts a newer value of the same attribute first, and news about a value that began something does not replace it', { timeout: 120_000 }, async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const t = await startTestCore({ clock, ids: createSequentialIds() });
    try {
      const add = async (text: string) => {
        await t.client.call('memory.import', { jsonl: JSON.stringify({ text, area: 'main' }) });
        clock.advance(60_000);
      };
      await add("Priya's favourite food is green curry");
      await add('The dentist is Dr Okafor on Elm Street');
      await add('Priya started swimming lessons on Saturdays');
      await add('Dr Okafor started yoga classes');
      await add("Priya's favourite food is now pad thai");
      const food = await t.client.call('memory.search', { query: "what is Priya's favourite food?", limit: 3 });
      assert.match(food.hits[0].memory.text, /pad thai/, 'the current value comes first');
      assert.ok(!food.hits.some((h) => /swimming/.test(h.memory.text) && h.explain.replaces !== null), 'the swimming memory replaces nothing');
      const dentist = await t.client.call('memory.search', { query: 'who is my dentist?', limit: 1 });
      assert.match(dentist.hits[0].memory.text, /Elm Street/, 'the dentist memory answers');
      assert.equal(dentist.hits[0].explain.replacedBy, null, 'news about what Dr Okafor began replaces nothing');
    } finally {
      await t.close();
    }
  });
  it('keeps the memory an update only names the changed thing of among the results asked for', { timeout: 120_000 }, async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const t = await startTestCore({ clock, ids: createSequentialIds() });
    try {
      const add = async (text: string) => {
        await t.client.call('memory.import', { jsonl: JSON.stringify({ text, area: 'main' }) });
        clock.advance(60_000);
      };
      for (const text of [
        'climbing gym: the crux',
        'the climbing gym membership renews in march',
        'climbing gym shoes are size 42',
        'climbing gym has a bouldering wall',
        'the climbing gym opens at 7 on weekdays',
        'climbing gym buddy is sam',
        'climbing gym chalk bag is blue',
        'cancelled the crux, joined summit co-op',
      ])
        await add(text);
      for (const limit of [1, 2, 3]) {
        const r = await t.client.call('memory.search', { query: 'which climbing gym do I go to?', limit });
        const ids = new Set(r.hits.map((h) => h.memory.id));
        for (const h of r.hits) {
          if (h.explain.replaces) assert.ok(ids.has(h.explain.replaces), `limit ${limit}: "${h.memory.text}" comes with the memory it updates`);
        }
      }
      const r = await t.client.call('memory.search', { query: 'which climbing gym do I go to?', limit: 2 });
      assert.ok(r.hits.some((h) => /the crux$/.test(h.memory.text)), 'the gym memory stays among the results');
    } finally {
      await t.close();
    }
  });
  it('does not take a name in the older memory for its value: news about the person replaces nothing', { timeout: 120_000 }, async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const t = await startTestCore({ clock, ids: createSequentialIds() });
    try {
      const add = async (text: string) => {
        await t.client.call('memory.import', { jsonl: JSON.stringify({ text, area: 'main' }) });
        clock.advance(60_000);
      };
      await add('My sister Priya loves green curry');
      await add('The dentist is Dr Okafor on Elm Street');
      await add('Priya moved to Berlin');
      await add('Priya now lives in Berlin');
      for (const limit of [1, 3]) {
        const r = await t.client.call('memory.search', { query: 'what food does my sister love?', limit });
        const curry = r.hits.find((h) => /green curry/.test(h.memory.text));
        assert.ok(curry, 'the curry memory answers');
        assert.match(r.hits[0].memory.text, /green curry/, 'the answer comes first');
        assert.equal(curry.explain.replacedBy, null, 'news about where Priya lives does not replace it');
        assert.ok(!r.hits.some((h) => /Berlin/.test(h.memory.text) && h.explain.replaces !== null), 'the Berlin memories replace nothing');
      }
    } finally {
      await t.close();
    }
  });
});
