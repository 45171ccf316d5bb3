// How the memory suites (memory.ts, memory-search.ts) make a large store and time searches in it:
// generated memories imported through the running core's `memory.import` in chunks, and searches
// through `memory.search`, each timed in wall and CPU time.
import type { Core } from '../core/app.js';
import { nowMs } from './lib.js';

const SUBJECTS = ['the billing service', 'my sister', 'the garden', 'the Heron project', 'the car', 'our landlord', 'the CI pipeline', 'grandma', 'the cat', 'the team offsite', 'the VPN', 'the dentist', 'the tax return', 'the kitchen', 'the bike'];
const VERBS = ['needs', 'mentioned', 'fixed', 'scheduled', 'postponed', 'asked about', 'prefers', 'complained about', 'ordered', 'reviewed'];
const OBJECTS = ['a new battery', 'the quarterly report', 'fresh basil', 'an extra monitor', 'the blue folder', 'a cheaper plan', 'the database index', 'train tickets', 'a birthday cake', 'the roof repair', 'new tyres', 'a standing desk'];
const WHEN = ['on Monday', 'next week', 'in April', 'before the holidays', 'after lunch', 'every Friday', 'at 7 pm', 'tomorrow morning'];
const WORDS = 'amber bristle cobalt dune ember fjord granite harbor iris juniper kestrel lagoon meadow nectar opal pebble quartz russet saffron tundra umber violet willow yarrow zephyr alder birch cedar dahlia elm fern ginger hazel ivy jasmine kale lilac maple nutmeg olive'.split(' ');
const AREAS = ['main', 'fragments', 'solutions', 'instruments'];

/** `n` memories as JSONL lines ("the car needs new tyres next week, note amber fjord 17"), the same for the same seed. */
export function generateMemories(n: number, seed = 1): string[] {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const text = `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(WHEN)}, note ${pick(WORDS)} ${pick(WORDS)} ${i}`;
    lines.push(JSON.stringify({ text, area: pick(AREAS), created_at: Date.UTC(2024, 0, 1) + i * 60_000 }));
  }
  return lines;
}

/** Queries shaped like the generated memories' first clause ("the car needs new tyres next week"). */
export function generateQueries(n: number, seed: number): string[] {
  return generateMemories(n, seed).map((l) => (JSON.parse(l) as { text: string }).text.split(',')[0]);
}

/** What importing took: memories stored, and per second of wall time and of CPU time. */
export interface Fill {
  imported: number;
  ms: number;
  cpuMs: number;
  perSecond: number;
  perCpuSecond: number;
}

/** Imports `lines[from..to)` into the core, `chunk` lines per `memory.import`. */
export async function fillStore(core: Core, lines: readonly string[], from: number, to: number, chunk = 10_000): Promise<Fill> {
  const t = nowMs();
  const c = process.cpuUsage();
  let imported = 0;
  for (let i = from; i < to; i += chunk) imported += (await core.gateway.call('memory.import', { jsonl: lines.slice(i, Math.min(to, i + chunk)).join('\n') })).imported;
  const used = process.cpuUsage(c);
  const ms = nowMs() - t;
  const cpuMs = (used.user + used.system) / 1000;
  return { imported, ms, cpuMs, perSecond: ((to - from) / ms) * 1000, perCpuSecond: ((to - from) / cpuMs) * 1000 };
}

/** Searches `queries` one after another in the core (after one search to warm up): wall and CPU time of each, in ms. */
export async function timeSearches(core: Core, queries: readonly string[], limit = 10): Promise<{ ms: number[]; cpuMs: number[] }> {
  await core.gateway.call('memory.search', { query: 'warm up', limit });
  const ms: number[] = [];
  const cpuMs: number[] = [];
  for (const query of queries) {
    const t = nowMs();
    const c = process.cpuUsage();
    await core.gateway.call('memory.search', { query, limit });
    const used = process.cpuUsage(c);
    ms.push(nowMs() - t);
    cpuMs.push((used.user + used.system) / 1000);
  }
  return { ms, cpuMs };
}
