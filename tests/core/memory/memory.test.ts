import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { createMemoryProjector, createOfflineEmbedder } from '../../../core/memory/index.js';
import { startTestCore, type TestCore } from '../../support/index.js';

const DAY = 86_400_000;

async function withCore(fn: (t: TestCore, clock: ManualClock) => Promise<void>): Promise<void> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const t = await startTestCore({ clock, ids: createSequentialIds() });
  try {
    await fn(t, clock);
  } finally {
    await t.close();
  }
}

function ids(hits: { memory: { id: string } }[]): string[] {
  return hits.map((h) => h.memory.id);
}

describe('memory store and search', () => {
  it('finds a memory by a stemmed word and by meaning, and explains each rank', () =>
    withCore(async (t) => {
      await t.client.call('memory.add', { text: 'I am allergic to peanuts and cashews', area: 'main' });
      await t.client.call('memory.add', { text: 'The deploy script lives in ops/deploy.sh', area: 'instruments' });
      await t.client.call('memory.add', { text: 'My brother Tom lives in Oslo', area: 'main' });
      const lexical = await t.client.call('memory.search', { query: 'peanut allergy' });
      assert.match(lexical.hits[0].memory.text, /peanuts/);
      assert.ok(lexical.hits[0].explain.bm25Rank === 1);
      assert.ok(lexical.hits[0].highlights.length >= 1);
      const marked = lexical.hits[0].highlights.map(([start, end]) => lexical.hits[0].memory.text.slice(start, end).toLowerCase());
      assert.deepEqual(marked, ['allergic', 'peanuts'], 'the query word and the related word it matched');
      const semantic = await t.client.call('memory.search', { query: 'where does my sibling live?' });
      assert.match(semantic.hits[0].memory.text, /brother/);
      assert.equal(semantic.hits[0].explain.vectorRank, 1);
    }));

  it('filters by area and by pinned, and a pin lifts a memory above an equal one', () =>
    withCore(async (t) => {
      const a = await t.client.call('memory.add', { text: 'Coffee order: flat white', area: 'main' });
      const b = await t.client.call('memory.add', { text: 'Coffee machine descaling: run the rinse cycle twice', area: 'solutions' });
      const onlySolutions = await t.client.call('memory.search', { query: 'coffee', area: 'solutions' });
      assert.deepEqual(ids(onlySolutions.hits), [b.memory.id]);
      await t.client.call('memory.pin', { id: a.memory.id, pinned: true });
      const pinned = await t.client.call('memory.search', { query: 'coffee', pinned: true });
      assert.deepEqual(ids(pinned.hits), [a.memory.id]);
      assert.equal(pinned.hits[0].explain.pinBoost > 1, true);
      const list = await t.client.call('memory.list', { pinned: true });
      assert.deepEqual(list.memories.map((m) => m.id), [a.memory.id]);
    }));

  it('a forgotten memory is gone from full-text, vector and hybrid search and from export', () =>
    withCore(async (t) => {
      const keep = await t.client.call('memory.add', { text: 'Wifi password for the cabin is on the fridge', area: 'main' });
      const gone = await t.client.call('memory.add', { text: 'Bank PIN reminder: the card is in the blue wallet', area: 'main' });
      const row = t.core.memory.queries.get(gone.memory.id)!;
      const before = await t.client.call('memory.search', { query: 'bank card wallet' });
      assert.equal(before.hits[0].memory.id, gone.memory.id);
      assert.deepEqual(await t.client.call('memory.forget', { ids: [gone.memory.id] }), { forgotten: 1 });
      assert.deepEqual(t.core.memory.queries.fullText('"wallet"', 10), [], 'full-text index still has it');
      const [vector] = createOfflineEmbedder().embedSync!([gone.memory.text], 'document');
      assert.ok(before.hits[0].explain.vectorRank !== null);
      assert.ok(!t.core.memory.vectors.knn(vector, 10).some((n) => n.rowid === row.rowid), 'vector index still has it');
      const after = await t.client.call('memory.search', { query: 'bank card wallet' });
      assert.ok(!ids(after.hits).includes(gone.memory.id));
      const exported = await t.client.call('memory.export', {});
      assert.equal(exported.count, 1);
      assert.ok(!exported.jsonl.includes('wallet'));
      assert.ok(exported.jsonl.includes(keep.memory.id));
      await assert.rejects(t.client.call('memory.get', { id: gone.memory.id }), /no memory/);
      const event = t.events.find((e) => e.type === 'memory.forgotten');
      assert.ok(event && !JSON.stringify(event.data).includes('wallet'), 'the forget event must not keep the text');
    }));

  it('never inserts an exact duplicate after normalisation, and merges a near duplicate', () =>
    withCore(async (t, clock) => {
      const first = await t.client.call('memory.add', { text: 'My favourite tea is Earl Grey.', area: 'main' });
      const same = await t.client.call('memory.add', { text: '  my FAVOURITE tea is earl grey ', area: 'main' });
      assert.equal(same.outcome, 'duplicate');
      assert.equal(same.memory.id, first.memory.id);
      const accents = await t.client.call('memory.add', { text: 'Café opens at 8', area: 'main' });
      assert.equal((await t.client.call('memory.add', { text: 'cafe opens at 8!', area: 'main' })).memory.id, accents.memory.id);
      clock.advance(DAY);
      const near = await t.client.call('memory.add', { text: 'My favourite tea is the Earl Grey', area: 'main', source: { kind: 'run', runId: 'run_9', messageId: 'msg_9' } });
      assert.equal(near.outcome, 'merged');
      assert.equal(near.memory.id, first.memory.id);
      assert.equal(near.memory.updatedAt, clock.now());
      assert.deepEqual(near.memory.source, { kind: 'run', runId: 'run_9', messageId: 'msg_9' }, 'the source follows the newest conversation');
      assert.equal((await t.client.call('memory.list', {})).total, 2);
    }));

  it('an imported rewording of a memory is merged into it, while records that differ in a name or a day stay apart', () =>
    withCore(async (t, clock) => {
      const line = (text: string, area = 'main') => JSON.stringify({ text, area, created_at: clock.now() });
      const first = await t.client.call('memory.import', {
        jsonl: [
          line('Spare house key: under the blue flowerpot by the back door. Marta next door keeps the second one'),
          line('Ravi recommended the book The Overstory', 'fragments'),
          line('The recycling bins go out on Tuesday evening'),
          line('Dentist checkup booked with Dr Okafor for the autumn'),
        ].join('\n'),
      });
      assert.equal(first.imported, 4);
      const key = (await t.client.call('memory.list', {})).memories.find((m) => m.text.startsWith('Spare house key'))!;
      clock.advance(DAY);
      const reworded = await t.client.call('memory.import', { jsonl: line('marta next door has our second house key; the spare is hidden under the blue flowerpot near the back door') });
      assert.deepEqual([reworded.imported, reworded.merged], [0, 1], 'the rewording is merged');
      const merge = t.core.db.prepare("SELECT data FROM events WHERE type = 'memory.merged' ORDER BY seq DESC LIMIT 1").get() as { data: string };
      assert.equal(JSON.parse(merge.data).memoryId, key.id, 'into the memory it rewords');
      const records = await t.client.call('memory.import', {
        jsonl: [line('Pavel recommended the book The Overstory', 'fragments'), line('Ravi recommended the book Piranesi', 'fragments'), line('The recycling bins go out on Thursday evening')].join('\n'),
      });
      assert.equal(records.imported, 3, 'another name, book or day is another record');
      assert.equal((await t.client.call('memory.list', {})).total, 7);
    }));

  it('a newer fact that replaces an older one ranks first and is flagged as a possible contradiction', () =>
    withCore(async (t, clock) => {
      const old = await t.client.call('memory.add', { text: 'I live in Berlin, in the Kreuzberg district', area: 'main' });
      clock.advance(200 * DAY);
      const replacement = await t.client.call('memory.add', { text: 'I moved and now live in Lisbon, in the Alfama district', area: 'main' });
      assert.equal(replacement.outcome, 'added');
      assert.equal(replacement.conflictsWith, old.memory.id);
      assert.equal(replacement.memory.supersedes, old.memory.id);
      const { hits } = await t.client.call('memory.search', { query: 'which district do I live in?' });
      assert.deepEqual(ids(hits).slice(0, 2), [replacement.memory.id, old.memory.id]);
      assert.ok(hits[1].explain.supersededPenalty < 1);
      // Correcting the memory clears the flag.
      const edited = await t.client.call('memory.update', { id: replacement.memory.id, text: 'I live in Lisbon, in the Alfama district' });
      assert.equal(edited.conflictsWith, null);
      assert.equal((await t.client.call('memory.search', { query: 'Alfama' })).hits[0].memory.text, 'I live in Lisbon, in the Alfama district');
    }));

  it('an imported fact and its later replacement, never linked at write time, rank newer first', () =>
    withCore(async (t, clock) => {
      const jsonl = [
        JSON.stringify({ text: 'My hairdresser is Lena', area: 'main', created_at: clock.now() - 400 * DAY }),
        JSON.stringify({ text: 'These days my hairdresser is Marco, who moved here from Turin last year', area: 'main', created_at: clock.now() - 20 * DAY }),
        JSON.stringify({ text: 'Lena recommended a shampoo for dry hair', area: 'fragments', created_at: clock.now() - 300 * DAY }),
      ].join('\n');
      assert.equal((await t.client.call('memory.import', { jsonl })).imported, 3);
      const { hits } = await t.client.call('memory.search', { query: 'Who is my hairdresser?' });
      const texts = hits.map((h) => h.memory.text);
      const newer = texts.findIndex((x) => x.includes('Marco'));
      const older = texts.findIndex((x) => x === 'My hairdresser is Lena');
      assert.ok(newer >= 0 && older >= 0, 'both facts are found');
      assert.equal(newer, 0);
      assert.ok(newer < older);
assert.ok(hits[older].explain.supersededPenalty < 1, 'the older fact is the one pushed down');
    }));

  it('of two imported memories that answer the question as fully and share its topic, the newer ranks first and says which it replaces', () =>
    withCore(async (t, clock) => {
      const jsonl = [
        JSON.stringify({ text: 'Piano lessons: Mrs Kowalski, Mondays', area: 'main', created_at: clock.now() - 300 * DAY }),
        JSON.stringify({ text: 'Piano lessons are with Mr Brandt on Thursday evenings after school, paid per term by card', area: 'main', created_at: clock.now() - 10 * DAY }),
        JSON.stringify({ text: 'The piano tuner comes every spring', area: 'main', created_at: clock.now() - 200 * DAY }),
      ].join('\n');
      assert.equal((await t.client.call('memory.import', { jsonl })).imported, 3);
      const { hits } = await t.client.call('memory.search', { query: 'When are the piano lessons?' });
      const texts = hits.map((h) => h.memory.text);
      const newer = texts.findIndex((x) => x.includes('Brandt'));
      const older = texts.findIndex((x) => x.includes('Kowalski'));
      assert.ok(newer >= 0 && older >= 0, 'both are found');
      assert.ok(newer < older, 'the newer one ranks above the older one');
      assert.equal(hits[older].explain.replacedBy, hits[newer].memory.id);
      assert.ok(hits[older].explain.supersededPenalty < 1);
      const tuner = hits.find((h) => h.memory.text.includes('tuner'));
      assert.equal(tuner?.explain.replacedBy ?? null, null, 'a memory on another subject is not replaced');
    }));

  it('a newer memory that states most of an older one anew, with other words and another value, ranks above it', () =>
    withCore(async (t, clock) => {
      const jsonl = [
        JSON.stringify({ text: 'job title: software engineer II on the payments team, band 3', area: 'main', created_at: clock.now() - 500 * DAY }),
        JSON.stringify({ text: 'promotion came through: senior software engineer on the payments team, band 4', area: 'main', created_at: clock.now() - 30 * DAY }),
        JSON.stringify({ text: 'the payments team has standup at 9:45 in the huddle room', area: 'main', created_at: clock.now() - 200 * DAY }),
        JSON.stringify({ text: 'my job interview prep notes are in the blue folder', area: 'main', created_at: clock.now() - 100 * DAY }),
      ].join('\n');
      assert.equal((await t.client.call('memory.import', { jsonl })).imported, 4);
      const { hits } = await t.client.call('memory.search', { query: "what's my job title?" });
      const texts = hits.map((h) => h.memory.text);
      const newer = texts.findIndex((x) => x.startsWith('promotion'));
      const older = texts.findIndex((x) => x.startsWith('job title'));
      assert.ok(newer >= 0 && older >= 0, 'both are found');
      assert.ok(newer < older, 'the newer one ranks above the older one');
      assert.ok(hits[newer].explain.updateBoost >= 1);
      assert.equal(hits[older].explain.replacedBy, hits[newer].memory.id, 'explain says which memory replaced it');
      const standup = hits.find((h) => h.memory.text.includes('standup'));
      assert.equal(standup?.explain.replacedBy ?? null, null, 'a memory sharing only the team is not replaced');
    }));

  it('a newer memory sharing only a name with an older one does not replace it for a question only the older one answers', () =>
    withCore(async (t, clock) => {
      const jsonl = [
        JSON.stringify({ text: 'Anna is vegetarian', area: 'main', created_at: clock.now() - 300 * DAY }),
        JSON.stringify({ text: "Anna's birthday is in May", area: 'main', created_at: clock.now() - 10 * DAY }),
        // Other memories make "anna" nearly as rare as "vegetarian", as in a real store.
        ...OTHER_FACTS.map((text, i) => JSON.stringify({ text, area: 'main', created_at: clock.now() - (100 + i) * DAY })),
      ].join('\n');
      assert.equal((await t.client.call('memory.import', { jsonl })).imported, 2 + OTHER_FACTS.length);
      const { hits } = await t.client.call('memory.search', { query: 'Is Anna vegetarian?' });
      const texts = hits.map((h) => h.memory.text);
      const answer = texts.indexOf('Anna is vegetarian');
      const birthday = texts.indexOf("Anna's birthday is in May");
      assert.equal(answer, 0, 'the memory that answers ranks first');
      assert.ok(birthday === -1 || birthday > answer);
      assert.equal(hits[answer].explain.replacedBy, null, 'the birthday does not replace the diet');
      assert.equal(hits[answer].explain.supersededPenalty, 1);
    }));

  it('a newer memory that says the subject of the question changed ranks above the older one, and explain says why', () =>
    withCore(async (t, clock) => {
      const jsonl = [
        JSON.stringify({ text: 'Priya works as a nurse at the children\'s hospital, mostly night shifts', area: 'main', created_at: clock.now() - 400 * DAY }),
        JSON.stringify({ text: 'Priya left the hospital and started at a dental practice in Leith', area: 'main', created_at: clock.now() - 30 * DAY }),
        JSON.stringify({ text: 'Priya and I watch the rugby at the pub on Saturdays', area: 'main', created_at: clock.now() - 200 * DAY }),
        ...OTHER_FACTS.map((text, i) => JSON.stringify({ text, area: 'main', created_at: clock.now() - (100 + i) * DAY })),
      ].join('\n');
      assert.equal((await t.client.call('memory.import', { jsonl })).imported, 3 + OTHER_FACTS.length);
      const { hits } = await t.client.call('memory.search', { query: 'Where does Priya work?' });
      const texts = hits.map((h) => h.memory.text);
      const newer = texts.findIndex((x) => x.includes('dental practice'));
      const older = texts.findIndex((x) => x.includes('nurse'));
      assert.ok(newer >= 0 && older >= 0, 'both are found');
      assert.ok(newer < older, 'the newer one ranks above the older one');
      assert.equal(hits[older].explain.replacedBy, hits[newer].memory.id);
      assert.match(hits[older].explain.replacedBecause ?? '', /"left" about the same subject \("priya"\)/);
      const rugby = hits.find((h) => h.memory.text.includes('rugby'));
      assert.equal(rugby?.explain.replacedBy ?? null, null, 'a memory about Priya that says nothing changed replaces nothing');
    }));

  it('a newer memory that says the thing an older one is about changed joins the results above it, and explain says why', () =>
    withCore(async (t, clock) => {
      const jsonl = [
        JSON.stringify({ text: 'climbing gym: the Crux in Ballard, $89 a month', area: 'main', created_at: clock.now() - 500 * DAY }),
        JSON.stringify({ text: 'cancelled the Crux, joined Summit co-op in Fremont (walkable)', area: 'main', created_at: clock.now() - 40 * DAY }),
        // Names the Crux too, in passing: the gym changing says nothing about it.
        JSON.stringify({ text: 'no campus board until the shoulder heals, said the coach at the Crux', area: 'main', created_at: clock.now() - 200 * DAY }),
        // Shares "free", a word English uses everywhere: no thing of its own.
        JSON.stringify({ text: 'free weights: a bench and two kettlebells in the garage', area: 'main', created_at: clock.now() - 300 * DAY }),
        JSON.stringify({ text: 'car-free now, sold the Civic', area: 'main', created_at: clock.now() - 30 * DAY }),
        ...OTHER_FACTS.map((text, i) => JSON.stringify({ text, area: 'main', created_at: clock.now() - (100 + i) * DAY })),
      ].join('\n');
      assert.equal((await t.client.call('memory.import', { jsonl })).imported, 5 + OTHER_FACTS.length);
      const { hits } = await t.client.call('memory.search', { query: 'which climbing gym do I go to?' });
      const texts = hits.map((h) => h.memory.text);
      const older = texts.findIndex((x) => x.startsWith('climbing gym: the Crux'));
      const newer = texts.findIndex((x) => x.startsWith('cancelled the Crux'));
      assert.ok(older >= 0, 'the older memory is found by the query');
      assert.ok(newer >= 0 && newer < older, 'the newer one ranks above it');
      assert.equal(hits[newer].explain.replaces, hits[older].memory.id);
      assert.equal(hits[older].explain.replacedBy, hits[newer].memory.id);
      assert.match(hits[older].explain.replacedBecause ?? '', /"cancelled" about "crux"/);
      assert.ok(hits[older].confident, 'the older memory answers the question');
      // It says the gym changed, not which gym it is now as the question asks: shown above it, as a long shot.
      assert.ok(!hits[newer].confident, 'the newer one brought in only because it names the thing is not a confident answer');
      const { hits: coach } = await t.client.call('memory.search', { query: 'when can I use the campus board again?', limit: 3 });
      assert.ok(coach[0].memory.text.includes('coach'));
      assert.equal(coach[0].explain.replacedBy, null, 'a memory naming the gym in passing is not replaced');
      assert.ok(!coach.some((h) => h.memory.text.startsWith('cancelled')));
      const { hits: weights } = await t.client.call('memory.search', { query: 'what free weights do I have?', limit: 3 });
      assert.ok(weights[0].memory.text.startsWith('free weights'));
      assert.equal(weights[0].explain.replacedBy, null, 'sharing a common word is sharing no thing');
    }));

  it('a rejected proposal, one still waiting, and a memory already saved are not proposed again', () =>
    withCore(async (t) => {
      const source = { kind: 'run' as const, runId: null, messageId: null };
      await t.client.call('memory.add', { text: 'My favourite tea is Earl Grey', area: 'main' });
      assert.equal(await t.core.memoryProposals.propose({ text: 'my favourite tea is Earl Grey!', area: 'main', source }), null, 'the same text');
      assert.equal(await t.core.memoryProposals.propose({ text: 'My favourite tea is the Earl Grey', area: 'main', source }), null, 'a near duplicate');
      const waiting = await t.core.memoryProposals.propose({ text: 'I take the 7:40 train to work', area: 'main', source });
      assert.ok(waiting);
      assert.equal(await t.core.memoryProposals.propose({ text: 'I take the 7:40 train to work.', area: 'main', source }), null, 'already waiting for an answer');
      await t.client.call('memory.resolveProposal', { proposalId: waiting.proposalId, action: 'reject' });
      assert.equal(await t.core.memoryProposals.propose({ text: 'i take the 7:40 train to work', area: 'main', source }), null, 'rejected before');
      const fresh = await t.core.memoryProposals.propose({ text: 'My sister lives in Porto', area: 'main', source });
      assert.equal(fresh?.status, 'pending', 'something new is still proposed');
      assert.equal((await t.client.call('memory.proposals', {})).proposals.length, 2);
    }));

  it('imported conversation fragments are not flagged as contradicting each other; a changed fact in main still is', () =>
    withCore(async (t, clock) => {
      const fragments = [
        'User asked about the new climbing gym; assistant said it opens now at 7',
        'User asked about the new bakery; assistant said it opens at 7 since March',
        'User said they started running again and now run 5 km',
        'User said they started swimming again and now swim 2 km',
        'User asked which new phone to buy; assistant suggested checking the battery first',
        'User asked which new laptop to buy; assistant suggested checking the screen first',
      ];
      const facts = [
        JSON.stringify({ text: 'My dentist is Dr. Weber in Hauptstrasse', area: 'main', created_at: clock.now() - 300 * DAY }),
        JSON.stringify({ text: 'My dentist is now Dr. Okafor in Hauptstrasse', area: 'main', created_at: clock.now() - 10 * DAY }),
      ];
      const jsonl = [...fragments.map((text, i) => JSON.stringify({ text, area: 'fragments', created_at: clock.now() - (100 - i) * DAY })), ...facts].join('\n');
      assert.equal((await t.client.call('memory.import', { jsonl })).imported, 8);
      const listed = (await t.client.call('memory.list', {})).memories;
      assert.deepEqual(listed.filter((m) => m.area === 'fragments' && m.conflictsWith).map((m) => m.text), []);
      const okafor = listed.find((m) => m.text.includes('Okafor'))!;
      assert.equal(okafor.conflictsWith, listed.find((m) => m.text.includes('Weber'))!.id);
      assert.equal((await t.client.call('memory.status', {})).conflicts, 1);
    }));

  it('an import of the same file twice adds nothing the second time and reports bad lines by number', () =>
    withCore(async (t) => {
      const jsonl = [
        JSON.stringify({ text: 'Dentist is Dr. Weber on Main Street', area: 'main', created_at: '2025-03-01T10:00:00.000Z' }),
        '{not json',
        JSON.stringify({ text: 'To fix the flaky VPN, restart the tun interface', area: 'solutions', created_at: 1740000000000, pinned: true }),
        JSON.stringify({ area: 'main' }),
        JSON.stringify({ text: 'x', area: 'nowhere' }),
        '',
      ].join('\n');
      const first = await t.client.call('memory.import', { jsonl });
      assert.equal(first.imported, 2);
      assert.equal(first.deduped, 0);
      assert.deepEqual(first.errors.map((e) => e.line), [2, 4, 5]);
      const second = await t.client.call('memory.import', { jsonl });
      assert.equal(second.imported, 0);
      assert.equal(second.deduped, 2);
      assert.equal((await t.client.call('memory.list', {})).total, 2);
      const third = await t.client.call('memory.import', { jsonl: JSON.stringify({ text: 'The dentist is Dr. Weber on Main Street', area: 'main' }) });
      assert.deepEqual([third.imported, third.merged], [0, 1]);
    }));

  it('an export imported into an empty data folder keeps text, area, pinned and times', async () => {
    let exported = '';
    await withCore(async (t, clock) => {
      await t.client.call('memory.add', { text: 'Standup is at 9:30 on weekdays', area: 'main', pinned: true, createdAt: Date.UTC(2024, 1, 2, 3, 4, 5, 678) });
      await t.client.call('memory.add', { text: 'Use jq -r to print raw strings', area: 'instruments' });
      clock.advance(DAY);
      const frag = await t.client.call('memory.add', { text: 'User said the trip to Kyoto was in April', area: 'fragments' });
      clock.advance(DAY);
      await t.client.call('memory.update', { id: frag.memory.id, text: 'User said the trip to Kyoto was in early April' });
      exported = (await t.client.call('memory.export', {})).jsonl;
    });
    await withCore(async (t) => {
      const result = await t.client.call('memory.import', { jsonl: exported });
      assert.equal(result.imported, 3);
      const again = (await t.client.call('memory.export', {})).jsonl;
      const strip = (s: string) => s.trim().split('\n').map((l) => { const { id: _id, ...rest } = JSON.parse(l); return rest; });
      assert.deepEqual(strip(again), strip(exported));
    });
  });

  it('every change is an event, and the table can be rebuilt from the log', () =>
    withCore(async (t) => {
      const a = await t.client.call('memory.add', { text: 'Partner birthday is 14 July', area: 'main' });
      await t.client.call('memory.pin', { id: a.memory.id, pinned: true });
      await t.client.call('memory.update', { id: a.memory.id, text: 'Partner birthday is 14 July (Sam)' });
      const types = t.events.filter((e) => e.type.startsWith('memory.')).map((e) => e.type);
      assert.deepEqual(types, ['memory.added', 'memory.pinned', 'memory.updated']);
      await t.client.call('memory.add', { text: 'Gone soon', area: 'fragments' }).then((g) => t.client.call('memory.forget', { ids: [g.memory.id] }));
      const snapshot = () => t.core.db.prepare('SELECT id, area, text, pinned, created_at, updated_at FROM memories ORDER BY id').all();
      const live = snapshot();
      t.core.db.exec('DELETE FROM memories');
      const project = createMemoryProjector(t.core.db);
      t.core.db.transaction(() => t.core.log.since(0, 10_000).forEach(project))();
      assert.deepEqual(snapshot(), live);
      const m = await t.client.call('memory.get', { id: a.memory.id });
      assert.equal(m.pinned, true);
      assert.equal(m.text, 'Partner birthday is 14 July (Sam)');
    }));

  it('rejects bad input with a typed error and unknown ids with not_found', () =>
    withCore(async (t) => {
      await assert.rejects(t.client.call('memory.add', { text: '   ', area: 'main' }), (e: { code: string }) => e.code === 'invalid_input');
      await assert.rejects(t.client.call('memory.forget', { ids: ['mem_404'] }), (e: { code: string }) => e.code === 'not_found');
      await assert.rejects(t.client.call('memory.pin', { id: 'mem_404', pinned: true }), (e: { code: string }) => e.code === 'not_found');
    }));
});

const OTHER_FACTS = [
  'The car is due for its service in October',
  'My dentist is Dr Okafor on Elm Street',
  'The wifi password is on the fridge',
  'I take the 7:40 train to work',
  'The cat gets half a pouch at breakfast',
  'Bin day is Tuesday',
  'My passport expires in 2029',
  'The boiler was serviced last winter',
  'Tom prefers window seats on flights',
  'The spare key is under the blue pot',
  'I run on Saturday mornings by the river',
  'The gym membership renews in March',
  'Grandma likes lilies, not roses',
  'The printer needs XL cartridges',
  'Book club meets on the first Thursday',
  'My bank branch closes at 4 on Fridays',
  'The garden tap leaks when fully open',
  'Lunch with Priya every other Wednesday',
];
