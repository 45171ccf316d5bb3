// Loaded into every test process by scripts/run-tests.mjs (`--import`): gives each test and each
// hook a timeout unless it states its own. Node 20's `--test-timeout` bounds a whole test file, not
// the tests inside it, so a hung test would otherwise hold its file until that limit and say nothing
// about which test hung.
//
// `node:test`'s named exports are live bindings of its CommonJS exports object: replacing the
// functions there and calling syncBuiltinESMExports() is what every `import { it } from 'node:test'`
// then sees.
//
// It also notes how long the test file's process ran, and the CPU time it used, in the file named by
// TEST_TIMES_FILE (one JSON line per file; scripts/run-tests.mjs prints the slowest).
import { appendFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { relative } from 'node:path';

const require = createRequire(import.meta.url);
const nodeTest = require('node:test');

/** Per test and per hook; TEST_TIMEOUT_MS overrides it (0 turns it off). */
const TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS ?? 180_000);

/** `test(name?, options?, fn?)` with `timeout` added to the options when they have none. */
function withTimeout(original) {
  return function testWithTimeout(a, b, c) {
    let name;
    let options;
    let fn;
    if (typeof a === 'function') fn = a;
    else if (a !== null && typeof a === 'object') [options, fn] = [a, b];
    else if (typeof b === 'function') [name, fn] = [a, b];
    else [name, options, fn] = [a, b, c];
    return original(name, { timeout: TIMEOUT_MS, ...options }, fn);
  };
}

/** `before(fn?, options?)` and the other hooks. */
function hookWithTimeout(original) {
  return (fn, options) => original(fn, { timeout: TIMEOUT_MS, ...options });
}

if (TIMEOUT_MS > 0) {
  for (const name of ['test', 'it']) {
    const original = nodeTest[name];
    const wrapped = withTimeout(original);
    wrapped.only = withTimeout(original.only);
    wrapped.skip = original.skip;
    wrapped.todo = original.todo;
    nodeTest[name] = wrapped;
  }
  nodeTest.only = nodeTest.test.only;
  for (const name of ['before', 'after', 'beforeEach', 'afterEach']) nodeTest[name] = hookWithTimeout(nodeTest[name]);
  syncBuiltinESMExports();
}

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
