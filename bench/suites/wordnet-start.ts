// WordNet at a first start, each case in a process of its own (bench/wordnet-start-child.ts): the
// longest the event loop was held while a host core on a new data folder built the index (on a
// worker thread), beside the same index built on the main thread (as a start did before) — target
// < 200 ms; how long until WordNet was there, both ways; and the longest hold while a host core
// reads the file built at install time, beside an idle event loop over a second.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { metric } from '../lib.js';
import { buildCli, whyRebuild } from '../../scripts/build-cli.mjs';

const CHILD = fileURLToPath(new URL('../wordnet-start-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

type Measured = { maxBlockMs: number; readyMs: number };

export async function run(): Promise<Record<string, unknown>> {
  // The worker is the built one (dist/cli/lexicon-worker.js), as in the app.
  if (whyRebuild()) await buildCli();
  const worker = await measure('worker');
  const mainThread = await measure('main-thread');
  const cached = await measure('cached');
  const idle = await measure('idle');
  return {
    first_start_max_block_ms: metric(worker.maxBlockMs, 'ms', { baseline: { value: mainThread.maxBlockMs, what: 'the index built on the main thread' }, target: '< 200 ms', met: worker.maxBlockMs < 200 }),
    first_start_wordnet_ready_ms: metric(worker.readyMs, 'ms', { baseline: { value: mainThread.readyMs, what: 'the index built on the main thread' } }),
    cached_start_max_block_ms: metric(cached.maxBlockMs, 'ms', { baseline: { value: idle.maxBlockMs, what: 'an idle event loop over a second' } }),
    cached_start_wordnet_ready_ms: metric(cached.readyMs, 'ms'),
  };
}

function measure(mode: string): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Measured) : reject(new Error(`wordnet-start ${mode} exited ${code}: ${err.slice(-500)}`))));
  });
}
