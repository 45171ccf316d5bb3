#!/usr/bin/env node
// The `agent-blob` command. It runs the JavaScript built into dist/cli/ (`npm install` builds it;
// `npm start`, `npm run host`, `npm test` and `npm run bench` rebuild it when the content of a source,
// of scripts/build-cli.mjs or of package-lock.json changed).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
// Answered before anything else loads: scripts ask for it to check that the command works.
if (argv.includes('--version') && !argv.includes('--help')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`agent-blob ${version}\n`);
  process.exit(0);
}

// The build is not compared with the sources here (a hash of every source file, some tens of ms of CPU
// at every start): the npm scripts that run it (start, host, test, bench) rebuild a stale one first, and after
// editing the sources by hand, `npm run build:cli` does. Only a missing build is built now.
// A memory search is a read: dist/cli/direct-search.cjs answers it from the database without starting
// the core when no running app holds the data folder, and says when the command line must run instead.
// It and the host, started again and again with the same build, run as scripts (dist/cli/*.cjs)
// through V8's code cache (bin/code-cache.js), kept beside the build.
const search = argv.includes('memory') && argv.includes('search');
const host = firstWord(argv) === 'host';
let cli;
let cached = null;
const load = async (query = '') => {
  if (!host && !search) return import(`../dist/cli/main.js${query}`);
  const { loadCached } = await import('./code-cache.js');
  try {
    cached = loadCached(new URL(`../dist/cli/${search ? 'direct-search' : 'main'}.cjs`, import.meta.url), { cacheDir: fileURLToPath(new URL('../dist/cli/code-cache/', import.meta.url)) });
  } catch (err) {
    throw err?.code === 'ENOENT' ? Object.assign(new Error(err.message), { code: 'ERR_MODULE_NOT_FOUND' }) : err;
  }
  return cached.exports;
};
try {
  cli = await load();
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  try {
    await (await import('../scripts/build-cli.mjs')).buildCli();
    cli = await load(`?built=${Date.now()}`);
  } catch (buildErr) {
    process.stderr.write(`agent-blob: the command could not be built (${err.message.split('\n')[0]}): ${buildErr?.message ?? buildErr}\nRun npm install (or npm run build:cli) and try again.\n`);
    process.exit(1);
  }
}
// Output whose reader has gone (EPIPE: `| head` had enough, the program that started it was killed) is
// dropped, as the command line's processIO() drops it: the search still exits with its own status, and
// no stack trace is printed, whenever the error arrives. Any other error of stdout still ends the process.
if (search) {
  process.stdout.on('error', (err) => {
    if (err?.code !== 'EPIPE') throw err;
  });
}
// The search's build (its bundle's hash) keys the full-text index it keeps in the data folder's cache.
const answered = search ? await cli.directMemorySearch(argv, process.env, (text) => process.stdout.write(text), cached.hash) : null;
if (search) {
  // What the search compiled, for the next one (written only when this start had no cache).
  cached.saveCache();
  cached = null;
}
if (answered !== null) {
  process.stdout.write('', () => process.exit(answered));
} else {
  const { main, processIO } = search ? await import('../dist/cli/main.js') : cli;
  // A long-running command says when it serves: what its start compiled is then worth caching.
  const io = { ...processIO(), ready: () => cached?.saveCache() };
  const code = await main(argv, io);
  io.dispose();
  // Exit once stdout has drained, so piped output is never cut short.
  process.stdout.write('', () => process.exit(code));
}

/** The first word of the command line that is not an option (as the command line reads it). */
function firstWord(args) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--') return undefined;
    if (args[i] === '--data-dir') i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return undefined;
}
