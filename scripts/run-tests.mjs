#!/usr/bin/env node
// Runs the test suite with Node's test runner (Node 20 has no --test glob): every
// `tests/**/*.test.ts`, or those whose path contains one of the arguments (or the test file an argument names).
//
// The test files are built first, from today's sources, into plain JavaScript with source maps
// (scripts/build-tests.mjs): a test process then spends no time compiling TypeScript. TEST_BUILD=0
// runs the TypeScript through tsx instead (slower; no build step).
//
// Three limits keep a hung test from stalling a run (each overridable, in ms; 0 turns it off):
//   TEST_TIMEOUT_MS       each test and each hook (default 3 min; scripts/test-timeouts.mjs)
//   TEST_FILE_TIMEOUT_MS  each test file's process (default 8 min)
//   TEST_RUN_TIMEOUT_MS   the whole run (default 20 min): the run is stopped and fails
//
// Stopped by SIGINT or SIGTERM, or when the process that started it goes away (npm killed with
// SIGTERM passes it to its shell, which dies without passing it on), the run stops at once with every
// process it started, rather than running on unseen.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passthrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const fileTimeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 8 * 60_000);
const runTimeoutMs = Number(process.env.TEST_RUN_TIMEOUT_MS ?? 20 * 60_000);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' || entry.name === 'node_modules' ? [] : walk(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

// A filter that names a test file runs it even where the walk does not look (a fixture's).
const named = filters.filter((x) => x.endsWith('.test.ts') && existsSync(join(root, x)));
const files = [...new Set([...walk(join(root, 'tests')).filter((f) => !filters.length || filters.some((x) => f.includes(x))), ...named])].sort();
if (!files.length) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
// Tests run `agent-blob` as a child process: it must be today's code, not an earlier build.
const cli = await import('./build-cli.mjs');
if (cli.whyRebuild()) await cli.buildCli();
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const viaTsx = process.env.TEST_BUILD === '0';
let testBuild = null;
if (!viaTsx) {
  const { buildTests } = await import('./build-tests.mjs');
  const started = Date.now();
  testBuild = await buildTests(files);
  console.log(`built ${files.length} test files in ${Date.now() - started} ms`);
}
const removeBuild = () => {
  if (testBuild) rmSync(testBuild.outdir, { recursive: true, force: true });
};
const args = [...(viaTsx ? ['--import', 'tsx'] : ['--enable-source-maps']), '--import', './scripts/test-timeouts.mjs', '--test', `--test-concurrency=${concurrency}`];
if (fileTimeoutMs > 0) args.push(`--test-timeout=${fileTimeoutMs}`);
// Each test file's process notes its time (scripts/test-timeouts.mjs); the slowest are printed at the end.
// TEST_TIMES_FILE moves it (a test that runs this runner keeps the outer run's file intact).
const timesFile = process.env.TEST_TIMES_FILE ?? join(root, 'dist', 'test-times.jsonl');
mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(timesFile, '');
// Its own process group, so that a run past its limit is stopped with every process it started.
const child = spawn(process.execPath, [...args, ...passthrough, ...(testBuild ? testBuild.built : files)], { cwd: root, stdio: 'inherit', detached: true, env: { ...process.env, TEST_TIMES_FILE: timesFile } });
const stopChildren = () => {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
const limit =
  runTimeoutMs > 0
    ? setTimeout(() => {
        console.error(`\nthe test run passed its limit of ${Math.round(runTimeoutMs / 1000)} s (TEST_RUN_TIMEOUT_MS) and was stopped`);
        stopChildren();
        removeBuild();
        process.exit(1);
      }, runTimeoutMs)
    : null;
const stopRun = () => {
  stopChildren();
  removeBuild();
  process.exit(130);
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, stopRun);
// The parent's end is seen as this process being adopted by another (init or a subreaper).
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    console.error('\nthe process that started the test run ended: the run was stopped');
    stopRun();
  }
}, 250).unref();
child.on('exit', (code, signal) => {
  if (limit) clearTimeout(limit);
  removeBuild();
  slowestFiles();
  process.exit(code ?? (signal ? 1 : 0));
});

/**
 * The ten slowest test files of the run (each file's process from its start to its exit, and the CPU
 * time it used), and all of them in dist/test-times.json: where to look when the suite grows slow.
 */
function slowestFiles() {
  let rows;
  try {
    rows = readFileSync(timesFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .sort((a, b) => b.wallMs - a.wallMs);
    writeFileSync(timesFile.replace(/\.jsonl$/, '.json'), JSON.stringify(rows, null, 1) + '\n');
  } catch {
    return;
  }
  if (rows.length < 2) return;
  console.log(`\nslowest test files (wall s, CPU s; ${rows.length} files in dist/test-times.json):`);
  for (const r of rows.slice(0, 10)) console.log(`${(r.wallMs / 1000).toFixed(1).padStart(8)} ${(r.cpuMs / 1000).toFixed(1).padStart(7)}  ${r.file}`);
}
