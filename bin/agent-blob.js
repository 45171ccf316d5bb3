#!/usr/bin/env node
// The `agent-blob` command. It runs the JavaScript built into dist/cli/ (`npm install` builds it,
// so do `npm start` and `npm test`); in a checkout whose sources changed since, it rebuilds first.
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
// Answered before anything else loads: scripts ask for it to check that the command works.
if (argv.includes('--version') && !argv.includes('--help')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`agent-blob ${version}\n`);
  process.exit(0);
}

const build = await import('../scripts/build-cli.mjs');
const why = build.whyRebuild();
if (why) {
  try {
    await build.buildCli();
  } catch (err) {
    process.stderr.write(`agent-blob: the command could not be built (${why}): ${err?.message ?? err}\nRun npm install (or npm run build:cli) and try again.\n`);
    process.exit(1);
  }
}
const { main, processIO } = await import('../dist/cli/main.js');
const io = processIO();
const code = await main(argv, io);
io.dispose();
// Exit once stdout has drained, so piped output is never cut short.
process.stdout.write('', () => process.exit(code));
