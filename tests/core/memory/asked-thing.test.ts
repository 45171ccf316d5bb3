import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { askedThing } from '../../../core/memory/asked.js';
import { confident, withMemories } from './stores.js';

const NOTES = [
  "Leo's hat size is 52 cm, he grows out of beanies fast",
  'Car insurance is with Allianz, renews every March',
  'Blood test in May: potassium level 4.1, normal range',
  'hangboard: 7s on, 3s off, six reps, three sets',
  'The plumber is Dave, 0412 555 019',
  'Book club meets on the first Thursday',
  'The gym is open until 10pm on weekdays',
  'Bins go out on Tuesday night',
  'morning routine: stretch, coffee, walk the dog',
  'bedtime routine for the kids starts at 7',
  'guest wifi: "harbour-5g", password on the fridge',
  'the office network printer is on the second floor',
  'network drive backups run every night',
];

describe('askedThing', () => {
  it('finds the thing a "what/who/when is X?" question asks about, and its head', () => {
    assert.deepEqual(askedThing("What's Dan's mobile number?"), { words: ['dan', 'mobile', 'number'], head: 'number' });
    assert.deepEqual(askedThing('Who is the director of nursing at TGH?'), { words: ['director', 'nursing'], head: 'director' });
    assert.deepEqual(askedThing("what's the password for the staff wifi?"), { words: ['password', 'staff', 'wifi'], head: 'password' });
    assert.deepEqual(askedThing("What is the name of Tom's wife?"), { words: ['tom', 'wife'], head: 'wife' });
    assert.deepEqual(askedThing("what's the hardest boulder grade i've sent?"), { words: ['hardest', 'boulder', 'grade'], head: 'grade' });
    assert.deepEqual(askedThing('How much is our condo rent?'), { words: ['condo', 'rent'], head: 'rent' });
    assert.deepEqual(askedThing('What is the home wifi network called?', (w) => w === 'called'), { words: ['home', 'wifi', 'network'], head: 'network', verb: 'called' });
    assert.deepEqual(askedThing('how much is the monthly rent?'), { words: ['rent'], head: 'rent' }, 'the period is the kind of value, as in "per month"');
    const adverb = (w: string) => ['again', 'currently'].includes(w);
    assert.deepEqual(askedThing("What's the wifi password again?", undefined, adverb), { words: ['wifi', 'password'], head: 'password' }, 'an adverb is no head');
    assert.deepEqual(askedThing('What is currently the wifi password?', undefined, adverb), { words: ['wifi', 'password'], head: 'password' });
    assert.deepEqual(askedThing('Who is my GP now?'), { words: ['gp'], head: 'gp' }, '"now" says when, not which');
    assert.deepEqual(askedThing('How much are choir fees a term?'), { words: ['choir', 'fees'], head: 'fees' }, '"a term" is the rate, not the head');
    assert.deepEqual(askedThing('What is the name of the vet for the dog?'), { words: ['vet', 'dog'], head: 'vet' });
  });

  it('is null where a verb carries the question, for several clauses, and for what is no question', () => {
    assert.equal(askedThing('What oven does Sofia use?'), null);
    assert.equal(askedThing("When's Mum's birthday and what's her number?"), null);
    assert.equal(askedThing('How often am I on call?'), null);
    assert.equal(askedThing('the radiators stay cold'), null);
  });
});

describe('memory search: what a question asks about', () => {
  it('a memory about the thing asked answers; one about a sibling of it is a long shot', { timeout: 120_000 }, async () => {
    await withMemories(NOTES, async (t) => {
      assert.ok((await confident(t, "What's Leo's hat size?")).includes(NOTES[0]), "the hat size answers Leo's hat size");
      assert.deepEqual(await confident(t, "What's Leo's shoe size?"), [], 'his hat size is no answer to his shoe size');
      assert.ok((await confident(t, 'Who is our car insurance with?')).includes(NOTES[1]));
      assert.deepEqual(await confident(t, 'Who is our boat insurance with?'), [], 'car insurance is no answer for the boat');
      assert.ok((await confident(t, "What's my potassium level?")).includes(NOTES[2]));
      assert.deepEqual(await confident(t, "What's my cholesterol level?"), [], 'a potassium level is no cholesterol level');
    });
  });

  it('a note may leave out the head of what is asked and give the value', { timeout: 120_000 }, async () => {
    await withMemories(NOTES, async (t) => {
      assert.ok((await confident(t, "What's my hangboard routine?")).includes(NOTES[3]), 'the hangboard note answers the routine');
      // "called" is what is done to the thing, not its head: "network" is, and the note gives the name.
      assert.ok((await confident(t, 'What is the guest wifi network called?')).includes(NOTES[10]), 'the guest wifi note answers what its network is called');
    });
  });

  it('a period word says what kind of value is asked, which a note gives with the value', { timeout: 120_000 }, async () => {
    const bills = [
      'rent $2,350/mo, due 1st, zelle to petrakis',
      'gym membership is $60 monthly',
      'electricity bill comes monthly, about $140',
      'monthly budget review on the last sunday',
      'phone plan $45 a month',
      'netflix is $18/month',
      'water bill quarterly, ~$90',
    ];
    await withMemories([...NOTES, ...bills], async (t) => {
      assert.ok((await confident(t, 'how much is the monthly rent?')).includes(bills[0]), 'the rent note answers the monthly rent');
    });
  });

  it('an adverb neither is the head of what is asked nor says which thing', { timeout: 120_000 }, async () => {
    const wifi = 'wifi: HarbourHouse / pw tidepool-88';
    await withMemories([...NOTES, wifi], async (t) => {
      assert.ok((await confident(t, 'What is the wifi password?')).includes(wifi), 'the wifi note gives its password');
      assert.ok((await confident(t, "What's the wifi password again?")).includes(wifi), '"again" changes nothing that is asked');
      assert.ok((await confident(t, 'What is the wifi password now?')).includes(wifi), 'nor does "now"');
    });
  });

  it('a word the question writes in two parts is answered by a note that writes it as one', { timeout: 120_000 }, async () => {
    const ebike = 'ebike lock code 5521';
    await withMemories([...NOTES, ebike, 'gate code at the allotment is 4512'], async (t) => {
      assert.ok((await confident(t, "What's the ebike lock code?")).includes(ebike));
      assert.ok((await confident(t, "What's the e-bike lock code?")).includes(ebike), 'e-bike is the ebike');
      assert.ok((await confident(t, "What's the e bike lock code?")).includes(ebike));
    });
  });

  it("whose thing is asked is answered by that owner's name, not by a name near it in meaning", { timeout: 120_000 }, async () => {
    const lily = "Lily's piano teacher is Mrs Park";
    await withMemories([...NOTES, lily], async (t) => {
      assert.ok((await confident(t, "what's lily's piano teacher called?")).includes(lily));
      assert.ok(!(await confident(t, "what's lucy's piano teacher called?")).includes(lily), "Lily's teacher is no answer for Lucy's");
    });
  });

  it('a verb saying what was done to the thing makes its head the thing, which the answer must name', { timeout: 120_000 }, async () => {
    const notes = ['Car serviced at Kwik Fit in May', 'Boiler lost pressure last winter: top it up to 1.5 bar', 'Winter tyres kept in the garage loft', 'Bikes stored in the shed'];
    await withMemories(notes, async (t) => {
      for (const q of ['Where was the boiler last serviced?', 'Where was the boiler serviced?']) assert.ok(!(await confident(t, q)).includes(notes[0]), `${q}: the car was serviced, not the boiler`);
      assert.deepEqual(await confident(t, 'Where are the tyres stored?'), [notes[2]], 'the bikes are no tyres');
    });
  });

  it('a rate after the thing ("a term") is not its head', { timeout: 120_000 }, async () => {
    const choir = ['choir: $120 a term, bank transfer to Rob', 'Choir rehearses Tuesdays 7 to 9pm in the church hall', 'union fees $38 a fortnight'];
    await withMemories([...NOTES, ...choir], async (t) => {
      assert.ok((await confident(t, 'How much are choir fees?')).includes(choir[0]));
      assert.ok((await confident(t, 'How much are choir fees a term?')).includes(choir[0]), 'the choir note gives the fee a term');
    });
  });
});
