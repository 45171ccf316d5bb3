import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemoryHit } from '../../../core/contract/index.js';
import { changedThing } from '../../../core/memory/search.js';
import { withMemories } from './stores.js';

const FILLER = ['The plumber is Dave, 0412 555 019', 'The car needs new tyres before winter', 'Our dentist is Dr Weber on Hauptstrasse', 'Bins go out on Tuesday night'];

/** Asserts that `older` stays the first answer to `query`, not replaced by the newer memory `newer`. */
async function staysFirst(older: string, newer: string, query: string): Promise<void> {
  await withMemories(
    [...FILLER, older, newer],
    async (t) => {
      const { hits } = await t.client.call('memory.search', { query, limit: 5 });
      assert.equal(hits[0]?.memory.text, older, `${query}: the memory that answers it stays first: ${hits.map((h) => h.memory.text).join(' | ')}`);
      assert.equal(hits[0].explain.replacedBy, null, `${query}: nothing replaces it: ${hits[0].explain.replacedBecause}`);
    },
    { oneAMinute: true },
  );
}

/** Asserts that `newer` ranks above `older` for `query` and that the older one's explanation says why (`because`); returns the hits. */
async function ranksAbove(older: string, newer: string, query: string, because: RegExp): Promise<MemoryHit[]> {
  let hits: MemoryHit[] = [];
  await withMemories(
    [...FILLER, older, newer],
    async (t) => {
      ({ hits } = await t.client.call('memory.search', { query, limit: 5 }));
      const texts = hits.map((h) => h.memory.text);
      assert.ok(texts.indexOf(newer) >= 0 && texts.indexOf(newer) < texts.indexOf(older), `${query}: the newer one ranks above the older one: ${texts.join(' | ')}`);
      assert.match(hits.find((h) => h.memory.text === older)!.explain.replacedBecause ?? '', because, `${query}: explain says why`);
    },
    { oneAMinute: true },
  );
  return hits;
}

describe('memory search: an update that says the change in its own words', () => {
  it('puts the newer memory first when it says it swapped, renewed or went back, though it repeats few words of the question', { timeout: 120_000 }, async () => {
    for (const [older, newer, query, cue] of [
      ['Custom earplugs from Acme Hearing, moulds taken at Soundcare. 15dB filters fitted.', 'Swapped the filters in the Acme moulds for the 25s, Soundcare says 15s are not enough at gigs', 'which filters are in my custom earplugs?', 'swapped'],
      ['Home insurance with Hastings Direct, £320 a year, renews in May, contents cover included', 'Renewed the house cover with Aviva this time, £290. Hastings Direct wanted £410 to renew', 'who insures our home?', 'renewed'],
      ['Big Davie Moir is tour manager for the Gloaming Hours. Advance sheets and day sheets come from him.', 'Davie is off on another tour. Kirsty Wallace is taking over the advance sheets and day sheets next week', 'who is the tour manager for the Gloaming Hours now?', 'taking over'],
      ['Guitar strings on the Telecaster: Elixir Nanoweb 10-46, changed every six months', 'Gone back to Ernie Ball on the Tele, the Elixir Nanowebs felt too slippy', 'which strings are on my Telecaster guitar?', 'gone back'],
    ]) {
      await ranksAbove(older, newer, query, new RegExp(`fact changed \\("${cue}"\\)`));
    }
  });
  it('counts a change word with most of the older memory restated as an update, though they share one specific word', { timeout: 120_000 }, async () => {
    const older = 'Paying £150 a month into Nest for the pension';
    const newer = 'Stopped the Nest contributions. Everything goes into a PensionBee SIPP now, £200 a month';
    await withMemories(
      [...FILLER, 'Gym membership is £30 a month', 'Phone plan is £12 a month', 'Paying the window cleaner £15 a month', 'Paying for the allotment in April', 'Pension letters go in the blue folder', "Mum's pension comes on Thursdays", older, newer],
      async (t) => {
        const { hits } = await t.client.call('memory.search', { query: 'where are my pension payments going?', limit: 5 });
        const texts = hits.map((h) => h.memory.text);
        assert.ok(texts.indexOf(newer) >= 0 && texts.indexOf(newer) < texts.indexOf(older), `the newer one ranks above the older one: ${texts.join(' | ')}`);
        assert.match(hits.find((h) => h.memory.text === older)!.explain.replacedBecause ?? '', /fact changed \("now"\)/, 'explain says why');
      },
      { oneAMinute: true },
    );
  });
  it('a change word and one shared word are no update of a short memory the newer one does not restate', { timeout: 120_000 }, async () => {
    await staysFirst('Passport number 512345678', 'Renewed my passport photo on the Post Office app', "what's my passport number?");
    await staysFirst('Allotment plot 14B', 'Upped the allotment watering to twice a day in the heat', 'which allotment plot is mine?');
    await staysFirst('Allotment plot 14B', 'Packed in the allotment lettuce, slugs won', 'which allotment plot is mine?');
  });
  it('going back somewhere is a visit told, not a fact that changed', { timeout: 120_000 }, async () => {
    await staysFirst('Physio: Sam at Back in Motion, £45 a session', 'Went back to the studio for the Monday session', 'how much is a physio session?');
    await staysFirst('Physio: Sam at Back in Motion, £45 a session', 'Going back to the studio on Monday for another session', 'how much is a physio session?');
  });
  it('a wait that took over an hour is how long something took, not someone taking over', { timeout: 120_000 }, async () => {
    await staysFirst('Bus to work: the 22 from Leith Walk, 25 minutes', 'The 22 took over an hour this morning, roadworks on Leith Walk', 'how long is the bus to work?');
    await staysFirst('Civic: Honda Civic 2015, reg SK15 XYZ, MOT in March', 'The Civic took over ten minutes to start in the frost', "when is the Civic's MOT?");
  });
  it('things packed in a box are no thing given up', { timeout: 120_000 }, async () => {
    await staysFirst('Lunch boxes: Ella takes a sandwich, Sam takes pasta', "Packed in extra fruit in Ella's lunch box for the trip", 'what does Ella take for lunch?');
  });
  it('a thing that stopped working is a problem told, not a fact that changed', { timeout: 120_000 }, async () => {
    const older = 'Square will not take cards / says offline: turn on Offline Payments in Square settings, then restart the iPad';
    const newer = 'kitchen printer stopped printing orders: reconnect it to the wifi, then Square settings > Hardware > Printers';
    await withMemories(
      [...FILLER, older, newer],
      async (t) => {
        const { hits } = await t.client.call('memory.search', { query: 'Square card reader says offline', limit: 5 });
        assert.equal(hits[0].memory.text, older, `the memory that answers it stays first: ${hits.map((h) => h.memory.text).join(' | ')}`);
        assert.equal(hits.find((h) => h.memory.text === older)!.explain.replacedBy, null, 'nothing replaces it');
      },
      { oneAMinute: true },
    );
  });
  it('puts a newer memory that says it ditched the thing an older one names above it', { timeout: 120_000 }, async () => {
    const older = 'Phone contract with Tesco Mobile, £34 a month, ends in May';
    const newer = 'Ditched Tesco. On a Lebara sim-only deal, £8 a month, kept my number';
    const hits = await ranksAbove(older, newer, 'which network is my phone contract on?', /"ditched"/);
    assert.equal(hits.find((h) => h.memory.text === newer)!.explain.replaces, hits.find((h) => h.memory.text === older)!.memory.id, 'it says which memory it updates');
  });
});

describe('memory search: a long memory that says many times that things changed', () => {
  it('is read for what it says changed in time that grows with its length, not with its square', { timeout: 120_000 }, async () => {
    // One run-on clause (no stop, comma or 'and') with a change word every few words, as dictated notes can be.
    const runOn = (n: number) => 'Kim took over the rota with Sam who ditched the old desk plan, upped the hours '.replace(',', '').repeat(n);
    const cpu = (text: string) => {
      const from = process.cpuUsage();
      const found = changedThing(text, 'Rota desk: Mondays', () => true);
      const used = process.cpuUsage(from);
      assert.match(found ?? '', /about "rota"/);
      return used.user + used.system;
    };
    cpu(runOn(10));
    const short = cpu(runOn(25));
    const long = cpu(runOn(250));
    // Ten times the text: about ten times the work (a hundred times when each change word reads all the words before it).
    assert.ok(long < 30 * short + 50_000, `${runOn(250).length} characters ${long} µs, ${runOn(25).length} characters ${short} µs`);
  });
});
