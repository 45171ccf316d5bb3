import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withMemories } from './stores.js';

describe('memory search: long memories', () => {
  it('a memory that notes several facts ranks, for a question about one of them, above short ones that match less of the question', { timeout: 120_000 }, async () => {
    const texts = [
      'Our place is a 1925 bungalow in Prospect: 3 bedrooms, 1 bathroom, a lemon tree out the back and a carport. Bought it in 2017 for $612k.',
      'Switched our electricity retailer to Amber: wholesale prices, and the solar feed-in is better',
      'Home insurance renews in March, with the same company as the car',
      'Groceries: Foodland prices are up again, doing the big shop at Aldi now',
      'The price of the school camp went up to $340',
    ];
    await withMemories(texts, async (t) => {
      const { hits } = await t.client.call('memory.search', { query: 'What was the purchase price of our home?', limit: 5 });
      const rank = (re: RegExp) => hits.findIndex((h) => re.test(h.memory.text));
      const house = rank(/Bought it in 2017/);
      // "purchase" → bought, "home" → bungalow, in a memory of 25 words; "price" alone, in memories of 8 and 12.
      assert.ok(house >= 0 && house < rank(/school camp/) && house < rank(/Foodland/), hits.map((h) => h.memory.text).join(' | '));
    });
  });
});
