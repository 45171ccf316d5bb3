// Loaded into every test process by scripts/run-tests.mjs (`--import`): gives each test and each
// hook a timeout unless it states its own. Node 20's `--test-timeout` bounds a whole test file, not
// the tests inside it, so a hung test would otherwise hold its file until that limit and say nothing
// about which test hung.
//
// `node:test`'s named exports are live bindings of its CommonJS exports object: replacing the
// functions there and calling syncBuiltinESMExports() is what every `import { it } from 'node:test'`
// then sees.
//
// node:test reports a test's `location` (TAP's `location:`, spec's "test at …") as the place its
// `it`/`test`/`describe`/hook was called from: the direct caller of that function. Called through a
// wrapper, that would be this file for every test. So each wrapper finds its own caller in a stack
// trace (put back on the TypeScript line by --enable-source-maps, or by tsx), and calls node:test
// from a one-line function compiled with that file, line and column (`callFrom`): the location is
// the test's line in its source file. `describe` and `.skip`/`.todo` get the same treatment, so a
// built test file (dist/test-build/…, removed after the run) never shows up as a location either.
//
// It also notes how long the test file's process ran, and the CPU time it used, in the file named by
// TEST_TIMES_FILE (one JSON line per file; scripts/run-tests.mjs prints the slowest).
import { appendFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { relative } from 'node:path';
import { runInThisContext } from 'node:vm';

const require = createRequire(import.meta.url);
const nodeTest = require('node:test');

/** Per test and per hook; TEST_TIMEOUT_MS overrides it (0 turns it off). */
const TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS ?? 180_000);

/**
 * Where the function `below` was called from, as a stack trace shows it (file URL or path, line,
 * column; source-mapped), or null when the trace has no such frame.
 */
export function callerOf(below) {
  const limit = Error.stackTraceLimit;
  const holder = {};
  try {
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, below);
    const frame = String(holder.stack ?? '').split('\n')[1] ?? '';
    const match = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/.exec(frame);
    return match ? { file: match[1], line: Number(match[2]), column: Number(match[3]) } : null;
  } catch {
    return null;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

const trampolines = new Map();

/**
 * Calls `fn(...args)` from a function whose code sits at `at` (file, line, column): whatever asks
 * for its caller's location (node:test does) gets `at`, not this file.
 */
export function callFrom(at, fn, args) {
  if (!at || at.line < 2 || at.column < 1) return fn(...args);
  const key = `${at.file}:${at.line}:${at.column}`;
  let trampoline = trampolines.get(key);
  if (!trampoline) {
    // The call `f(…)` starts at `at.column` of line `at.line`: the line before holds the arrow.
    const code = `(f, a) =>\n${' '.repeat(at.column - 1)}f(...a)`;
    trampoline = runInThisContext(code, { filename: at.file, lineOffset: at.line - 2 });
    trampolines.set(key, trampoline);
  }
  return trampoline(fn, args);
}

/** `test(name?, options?, fn?)`: called from its caller's place, with `timeout` added to the options when they have none. */
function testAt(original, timeout) {
  return function test(a, b, c) {
    const at = callerOf(test);
    if (!timeout) return callFrom(at, original, [a, b, c]);
    let name;
    let options;
    let fn;
    if (typeof a === 'function') fn = a;
    else if (a !== null && typeof a === 'object') [options, fn] = [a, b];
    else if (typeof b === 'function') [name, fn] = [a, b];
    else [name, options, fn] = [a, b, c];
    return callFrom(at, original, [name, { timeout, ...options }, fn]);
  };
}

/** `before(fn?, options?)` and the other hooks. */
function hookAt(original, timeout) {
  return function hook(fn, options) {
    return callFrom(callerOf(hook), original, [fn, timeout ? { timeout, ...options } : options]);
  };
}

for (const name of ['test', 'describe']) {
  const original = nodeTest[name];
  // A suite's own timeout would bound all its tests together; only tests and hooks get one.
  const timeout = name === 'test' && TIMEOUT_MS > 0 ? TIMEOUT_MS : 0;
  const wrapped = testAt(original, timeout);
  wrapped.only = testAt(original.only, timeout);
  wrapped.skip = testAt(original.skip, 0);
  wrapped.todo = testAt(original.todo, 0);
  nodeTest[name] = wrapped;
}
nodeTest.it = nodeTest.test;
nodeTest.suite = nodeTest.describe;
nodeTest.only = nodeTest.test.only;
nodeTest.skip = nodeTest.test.skip;
nodeTest.todo = nodeTest.test.todo;
for (const name of ['before', 'after', 'beforeEach', 'afterEach']) nodeTest[name] = hookAt(nodeTest[name], TIMEOUT_MS > 0 ? TIMEOUT_MS : 0);
syncBuiltinESMExports();

const timesFile = process.env.TEST_TIMES_FILE;
// The test file: its source, also when the process runs its build (dist/test-build/<run>/tests/…/x.test.js).
const testFile = process.argv[1]?.replace(/^(.*)[\\/]dist[\\/]test-build[\\/]\d+[\\/](.*)\.js$/, '$1/$2.ts');
if (timesFile && testFile?.endsWith('.test.ts')) {
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    const line = { file: relative(process.cwd(), testFile), wallMs: Math.round(performance.now()), cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
    try {
      appendFileSync(timesFile, `${JSON.stringify(line)}\n`);
    } catch {
      // The figure is a convenience; a test run never fails over it.
    }
  });
}
