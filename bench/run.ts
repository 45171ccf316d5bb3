// `npm run bench [-- name...]`: runs every suite in bench/suites (or those whose file name contains
// one of the arguments), one after another, and prints one JSON object of their metrics.
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { nowMs, round } from './lib.js';

interface Suite {
  run(): Promise<Record<string, unknown>>;
}

const suitesDir = fileURLToPath(new URL('./suites/', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(suitesDir)
  .filter((name) => /\.ts$/.test(name) && !name.endsWith('.d.ts'))
  .filter((name) => !filters.length || filters.some((f) => name.includes(f)))
  .sort();

const report: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  node: process.version,
  platform: `${process.platform} ${process.arch}`,
  cpus: cpus().length,
  // Other work on the machine moves every number; the baselines move with it, this says by how much.
  loadAverageAtStart: loadavg().map((n) => round(n)),
  suites: {} as Record<string, unknown>,
};
const suites = report.suites as Record<string, unknown>;
const unmet: string[] = [];
let failed = 0;
const started = nowMs();

for (const file of files) {
  const name = file.replace(/\.ts$/, '');
  const start = nowMs();
  try {
    const suite = (await import(pathToFileURL(join(suitesDir, file)).href)) as Suite;
    if (typeof suite.run !== 'function') throw new Error(`${file} exports no run()`);
    const metrics = await suite.run();
    suites[name] = { ...metrics, durationMs: round(nowMs() - start) };
    for (const [key, value] of Object.entries(metrics)) {
      if (value && typeof value === 'object' && (value as { met?: unknown }).met === false) unmet.push(`${name}.${key}`);
    }
  } catch (err) {
    failed++;
    suites[name] = { error: err instanceof Error ? err.message : String(err), durationMs: round(nowMs() - start) };
  }
}

report.durationMs = round(nowMs() - started);
report.loadAverageAtEnd = loadavg().map((n) => round(n));
report.targetsMissed = unmet;
report.suitesFailed = failed;
// A missed target is a number to look at, not a crash; a suite that could not run is. Exit once the
// report is flushed so a handle a suite left open cannot hang the run.
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`, () => process.exit(failed ? 1 : 0));
