import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withMemories } from './stores.js';

describe('memory search: questions about cost', () => {
  it('an amount written with the currency sign after it, or in another currency, answers "how much did it cost"', { timeout: 120_000 }, async () => {
    await withMemories(['The flights to Lisbon cost 420€ return', 'The gym membership costs 450 SEK a month', 'The kitchen table is oak'], async (t) => {
      const flights = await t.client.call('memory.search', { query: 'how much did the flights cost?', limit: 3 });
      assert.match(flights.hits[0].memory.text, /420€/);
      assert.ok(flights.hits[0].confident, 'the memory with 420€ answers the question');
      const gym = await t.client.call('memory.search', { query: 'how much does the gym membership cost?', limit: 3 });
      assert.match(gym.hits[0].memory.text, /450 SEK/);
      assert.ok(gym.hits[0].confident, 'the memory with 450 SEK answers the question');
    });
  });
  it('"CHF 30", "kr 450", "50p" and "free" answer it; a time like "3 p.m." does not', { timeout: 120_000 }, async () => {
    const texts = [
      'The ski pass costs CHF 30 a day',
      'The ferry ticket cost kr 450',
      'The stamp costs 50p',
      'The museum is free on Sundays',
      'The bike service is booked for 3 p.m. on Friday',
    ];
    await withMemories(texts, async (t) => {
      for (const [query, answer] of [
        ['how much does the ski pass cost?', /CHF 30/],
        ['how much did the ferry ticket cost?', /kr 450/],
        ['how much does the stamp cost?', /50p/],
        ['how much does the museum cost?', /free/],
      ] as const) {
        const { hits } = await t.client.call('memory.search', { query, limit: 3 });
        assert.match(hits[0].memory.text, answer, query);
        assert.ok(hits[0].confident, `${query}: the memory with the amount answers it`);
      }
      const { hits } = await t.client.call('memory.search', { query: 'how much did the bike service cost?', limit: 3 });
      assert.match(hits[0].memory.text, /bike service/);
      assert.ok(!hits[0].confident, 'a memory with a time but no amount does not answer it');
    });
  });
  it('a number run into a word after a currency code ("CAD 3D") or a screen\'s "1080p" is no amount; "CAD 1,250.50" and "USD 3m" are', { timeout: 120_000 }, async () => {
    const texts = [
      'The bracket for the printer is saved as a CAD 3D model in the shared folder',
      'The new office monitor is 1080p and mounted on an arm',
      'The drone cost CAD 1,250.50 with the spare batteries',
      'The warehouse lease costs USD 3m over five years',
    ];
    await withMemories(texts, async (t) => {
      for (const [query, subject] of [
        ['how much did the printer bracket cost?', /bracket/],
        ['how much did the office monitor cost?', /monitor/],
      ] as const) {
        const { hits } = await t.client.call('memory.search', { query, limit: 3 });
        assert.match(hits[0].memory.text, subject, query);
        assert.ok(!hits[0].confident, `${query}: a memory with no amount does not answer it`);
      }
      for (const [query, answer] of [
        ['how much did the drone cost?', /CAD 1,250\.50/],
        ['how much does the warehouse lease cost?', /USD 3m/],
      ] as const) {
        const { hits } = await t.client.call('memory.search', { query, limit: 3 });
        assert.match(hits[0].memory.text, answer, query);
        assert.ok(hits[0].confident, `${query}: the memory with the amount answers it`);
      }
    });
  });
  it('an amount with a per-unit suffix ("AUD 60pw", "GBP 950pcm", "KES 4,500pm") answers it; "CAD 2.5D", "720p", "2pm" do not', { timeout: 120_000 }, async () => {
    const amounts = [
      ['how much does the surf school cost?', 'The surf school costs AUD 60pw'],
      ['how much does the walking tour cost?', 'The walking tour costs EUR 30pp'],
      ['how much does the cloud backup plan cost?', 'The cloud backup plan costs USD 5mo'],
      ['how much did the kayak paddles cost?', 'The kayak paddles cost NZD 80ea'],
      ['how much does the parking bay cost?', 'The parking bay costs KES 4500pm'],
      ['how much does the night watchman cost?', 'The night watchman costs KES 4,500pm'],
      ['how much does the studio flat cost?', 'The studio flat costs GBP 950pcm'],
      ['how much does the stamp cost?', 'The stamp costs 50p'],
      ['how much does the chocolate bar cost?', 'The chocolate bar costs 99p'],
    ];
    const none = [
      ['how much did the printer bracket cost?', 'The printer bracket is saved as a CAD 3D model'],
      ['how much did the resin mould cost?', 'The resin mould was milled from a CAD 2.5D toolpath'],
      ['how much did the office monitor cost?', 'The office monitor is 1080p'],
      ['how much did the old projector cost?', 'The old projector is 720p'],
      ['how much does the dentist checkup cost?', 'The dentist checkup is at 2pm on Monday'],
      ['how much did the bike service cost?', 'The bike service is booked for 3 p.m. on Friday'],
    ];
    await withMemories([...amounts, ...none].map(([, text]) => text), async (t) => {
      const wrong: string[] = [];
      for (const [query, text] of [...amounts, ...none]) {
        const { hits } = await t.client.call('memory.search', { query, limit: 3 });
        assert.equal(hits[0].memory.text, text, query);
        if (hits[0].confident !== amounts.some(([, a]) => a === text)) wrong.push(`${text}: ${hits[0].confident ? 'an amount' : 'no amount'}`);
      }
      assert.deepEqual(wrong, [], 'the memories with an amount answer "how much", the others do not');
    });
  });
});

describe('memory search: questions about cost, memories with no price', () => {
  it('a race distance, a screen, a cable or file type and a "nothing"/"free" in any sentence are no amount; "Rs 500", "for free" are', { timeout: 120_000 }, async () => {
    const none = [
      ['How much did the Parkrun 5k cost?', 'Signed up for the Parkrun 5k on Saturday with Sam'],
      ['How much did the 4K monitor cost?', 'The 4K monitor is on the desk in the study'],
      ['How much does the RS232 cable cost?', 'The label printer needs an RS232 cable'],
      ['How much did the bracket drawings cost?', 'There are 2 CAD drawings of the bracket in the shared folder'],
      ['How much did the garden shed cost?', 'The garden shed has nothing in it but the mower'],
      ['How much does the climbing wall cost?', 'The climbing wall has free weights by the window'],
    ];
    const amounts = [
      ['How much did the airport taxi cost?', 'The airport taxi was Rs 500'],
      ['How much did the bookcase cost?', 'Got the bookcase for free from a neighbour'],
      ['How much does the botanic garden cost?', 'The botanic garden is free on weekdays'],
    ];
    await withMemories([...none, ...amounts].map(([, text]) => text), async (t) => {
      const wrong: string[] = [];
      for (const [query, text] of [...none, ...amounts]) {
        const { hits } = await t.client.call('memory.search', { query, limit: 3 });
        assert.equal(hits[0].memory.text, text, query);
        if (hits[0].confident !== amounts.some(([, a]) => a === text)) wrong.push(`${text}: ${hits[0].confident ? 'an amount' : 'no amount'}`);
      }
      assert.deepEqual(wrong, [], 'only the memories with an amount (or said to be free) answer "how much"');
    });
  });
});
