// `npm run bench:compare [-- --against REF] [--rounds N] [filter…]`: the benchmark suites of this
// checkout side by side with those of another commit (default: the previous one, HEAD~1), in one
// run on the same machine. Each suite runs in a process of its own, base and this checkout in turn
// (the order swapped every round, so neither always runs on a warmer or busier machine), and one
// JSON object says, per metric, the median of each side, the change, the noise seen between rounds,
// and whether this checkout is worse beyond that noise.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRenderer, prepareBase, runNode, suiteNeedsRenderer } from './compare-base.js';
import { median, round } from './lib.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
let against = 'HEAD~1';
let rounds = 3;
const filters: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--against') against = args[++i] ?? fail('--against needs a commit');
  else if (args[i] === '--rounds') rounds = Number(args[++i]);
  else filters.push(args[i]);
}
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) fail('--rounds takes a whole number from 1 to 20');

function fail(message: string): never {
  process.stderr.write(`bench:compare: ${message}\n`);
  process.exit(2);
}

const git = (...a: string[]) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
let baseCommit: string;
try {
  baseCommit = git('rev-parse', '--verify', `${against}^{commit}`);
} catch {
  fail(`no commit ${against} in this repository`);
}
const headCommit = git('rev-parse', 'HEAD');
const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';

// The base commit's files in a temporary folder with a node_modules of its own (hard links to this
// checkout's files) and its command line built by its own build script (bench/compare-base.ts).
process.stderr.write(`bench:compare: preparing ${against} (${baseCommit.slice(0, 7)})\n`);
const base = await prepareBase(root, baseCommit);
const baseDir = base.dir;
process.on('exit', base.cleanup);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
if (base.cliBuildError) process.stderr.write(`bench:compare: ${against}'s command line did not build: ${base.cliBuildError}\n`);
// This checkout's build as its npm scripts leave it (rebuilt only when a source changed).
const headBuildError = existsSync(join(root, 'scripts/build-cli.mjs')) ? await runNode(['scripts/build-cli.mjs', '--if-stale'], root) : null;

const suitesOf = (dir: string) =>
  existsSync(join(dir, 'bench/suites'))
    ? readdirSync(join(dir, 'bench/suites'))
        .filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))
        .map((n) => n.slice(0, -3))
    : [];
const headSuites = suitesOf(root).filter((name) => !filters.length || filters.some((f) => `${name}.ts`.includes(f)));
const baseSuites = new Set(suitesOf(baseDir));
const suites = headSuites.filter((name) => baseSuites.has(name));
const onlyHere = headSuites.filter((name) => !baseSuites.has(name));
if (!suites.length) fail(`no suite to compare: ${against} has none of ${headSuites.join(', ') || '(no suites)'}`);

// A suite that runs the built UI in a browser gets each side's renderer built from its own sources
// (vite build into its dist/renderer); a suite whose UI did not build on either side is skipped.
const skipped: Record<string, string> = {};
if (suites.some((name) => suiteNeedsRenderer(root, name) || suiteNeedsRenderer(baseDir, name))) {
  process.stderr.write('bench:compare: building the renderer of both sides\n');
  const [baseError, headError] = [await buildRenderer(baseDir), await buildRenderer(root)];
  for (const name of suites.filter((n) => suiteNeedsRenderer(root, n) || suiteNeedsRenderer(baseDir, n))) {
    if (baseError || headError) skipped[name] = `needs the built UI, which did not build: ${[baseError && `base: ${baseError}`, headError && `head: ${headError}`].filter(Boolean).join('; ')}`;
  }
}

type Metric = { value: number; unit: string; target: string | null };
type SuiteRun = { metrics: Record<string, Metric>; error: string | null };

/** Runs one suite of one side in a process of its own and reads its metrics from the runner's JSON. */
function runSuite(dir: string, suite: string): Promise<SuiteRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', `${suite}.ts`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', () => {
      try {
        const report = JSON.parse(out.slice(out.indexOf('{'))) as { suites: Record<string, Record<string, unknown>> };
        const raw = report.suites[suite] ?? {};
        if (typeof raw.error === 'string') return resolve({ metrics: {}, error: raw.error });
        const metrics: Record<string, Metric> = {};
        for (const [key, value] of Object.entries(raw)) {
          const m = value as { value?: unknown; unit?: unknown; target?: unknown };
          if (m && typeof m === 'object' && typeof m.value === 'number' && typeof m.unit === 'string') metrics[key] = { value: m.value, unit: m.unit, target: typeof m.target === 'string' ? m.target : null };
        }
        resolve({ metrics, error: null });
      } catch {
        resolve({ metrics: {}, error: `no report (exit): ${err.trim().split('\n').slice(-3).join(' ') || out.slice(0, 200)}` });
      }
    });
  });
}

/** Which way is better: as the target says (`>= …`, `<= …`), else lower for times and sizes, higher for rates and shares, none for counts. */
function direction(unit: string, target: string | null): 'lower' | 'higher' | null {
  if (target && /^\s*>/.test(target)) return 'higher';
  if (target && /^\s*</.test(target)) return 'lower';
  if (/\/s$|share/.test(unit)) return 'higher';
  if (['fires', 'slots', 'workers', 'min'].includes(unit)) return null;
  return 'lower';
}

/** Below this change a difference is noise whatever the rounds say. */
const MIN_NOISE = 0.1;

const report: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  loadAverageAtStart: loadavg().map((n) => round(n)),
  base: { ref: against, commit: baseCommit, preparedInMs: round(base.preparedInMs), cliBuildError: base.cliBuildError },
  head: { commit: headCommit, uncommittedChanges: dirty, cliBuildError: headBuildError },
  rounds,
  suitesOnlyHere: onlyHere,
  suitesSkipped: skipped,
  suites: {} as Record<string, unknown>,
};
const out = report.suites as Record<string, unknown>;
const worse: string[] = [];
const better: string[] = [];

for (const suite of suites.filter((name) => !skipped[name])) {
  const samples = { base: [] as SuiteRun[], head: [] as SuiteRun[] };
  for (let r = 0; r < rounds; r++) {
    const order: ('base' | 'head')[] = r % 2 === 0 ? ['base', 'head'] : ['head', 'base'];
    for (const side of order) samples[side].push(await runSuite(side === 'base' ? baseDir : root, suite));
    process.stderr.write(`bench:compare: ${suite} round ${r + 1}/${rounds}\n`);
  }
  const errors = [...samples.base.map((s) => s.error && `base: ${s.error}`), ...samples.head.map((s) => s.error && `head: ${s.error}`)].filter(Boolean);
  const metrics: Record<string, unknown> = {};
  const keys = new Set(samples.head.flatMap((s) => Object.keys(s.metrics)));
  for (const key of keys) {
    const values = (side: 'base' | 'head') => samples[side].map((s) => s.metrics[key]?.value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const base = values('base');
    const head = values('head');
    const { unit, target } = samples.head.find((s) => s.metrics[key])!.metrics[key];
    if (!base.length || !head.length) {
      metrics[key] = { unit, base: null, head: head.length ? { median: round(median(head)), samples: head } : null, verdict: 'not in both' };
      continue;
    }
    const mb = median(base);
    const mh = median(head);
    // How far apart the rounds of one side were, relative to its median: what counts as noise here.
    const spread = (v: number[], m: number) => (m === 0 ? 0 : (Math.max(...v) - Math.min(...v)) / Math.abs(m));
    const noise = Math.max(MIN_NOISE, spread(base, mb), spread(head, mh));
    const change = mb === 0 ? (mh === 0 ? 0 : Infinity) : (mh - mb) / Math.abs(mb);
    const way = direction(unit, target);
    let verdict = 'same';
    if (way === null) verdict = 'not a speed';
    else if (Math.abs(change) > noise) verdict = (way === 'lower') === change > 0 ? 'worse' : 'better';
    if (verdict === 'worse') worse.push(`${suite}.${key}`);
    if (verdict === 'better') better.push(`${suite}.${key}`);
    metrics[key] = { unit, base: { median: round(mb), samples: base.map(round) }, head: { median: round(mh), samples: head.map(round) }, change: round(change), noise: round(noise), verdict };
  }
  out[suite] = { metrics, errors };
}

report.loadAverageAtEnd = loadavg().map((n) => round(n));
report.worseBeyondNoise = worse;
report.betterBeyondNoise = better;
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`, () => process.exit(0));
