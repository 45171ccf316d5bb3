// Start-up of the built command and host, each against bare Node started the same way in the same
// run (interleaved, so a busy machine slows both alike):
//   `agent-blob --version` against `node -e 0`: target at most 3x;
//   `agent-blob help` (loads the command table) against `node -e 0`: reported;
//   `agent-blob host` until it prints its URL, against plain `node` opening an HTTP server and
//   printing its address: cold (a new data folder: created, database made and migrated) with a
//   target < 400 ms (median), and warm (the same folder again, as every later start is);
//   the first `--version` of the run (before the file cache holds the bundle) is reported apart.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchDir, median, metric, nowMs, timeToUrl } from '../lib.js';
import { buildCli, whyRebuild } from '../../scripts/build-cli.mjs';

const RUNS = 7;
const TIMEOUT_MS = 30_000;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/agent-blob.js', import.meta.url));

const BARE_SERVER = `require('node:http').createServer().listen(0, '127.0.0.1', function () {
  console.log('http://127.0.0.1:' + this.address().port + '/?token=x');
});`;

export async function run(): Promise<Record<string, unknown>> {
  // Timed as people run it: built once (npm install does it), not rebuilt on the way.
  if (whyRebuild()) await buildCli();
  const version: number[] = [];
  const help: number[] = [];
  const bareExit: number[] = [];
  const host: number[] = [];
  const hostWarm: number[] = [];
  const hostCpu: number[] = [];
  const bareServer: number[] = [];
  const bareServerCpu: number[] = [];
  const firstBare = await timeToExit(['-e', '0']);
  const firstVersion = await timeToExit([CLI, '--version']);
  const warmDir = benchDir();
  for (let i = 0; i < RUNS; i++) {
    bareExit.push(await timeToExit(['-e', '0']));
    version.push(await timeToExit([CLI, '--version']));
    help.push(await timeToExit([CLI, 'help']));
    const dir = benchDir();
    try {
      const started = await timeToUrl([CLI, 'host', '--data-dir', dir.path, '--port', '0'], { ...process.env, ANTHROPIC_API_KEY: '' }, ROOT);
      host.push(started.wallMs);
      if (started.cpuMs !== null) hostCpu.push(started.cpuMs);
    } finally {
      dir.cleanup();
    }
    // The same folder each time: the first start made it, every later one is a warm start.
    const warm = await timeToUrl([CLI, 'host', '--data-dir', warmDir.path, '--port', '0'], { ...process.env, ANTHROPIC_API_KEY: '' }, ROOT);
    if (i > 0) hostWarm.push(warm.wallMs);
    const bareStarted = await timeToUrl(['-e', BARE_SERVER], process.env, ROOT);
    bareServer.push(bareStarted.wallMs);
    if (bareStarted.cpuMs !== null) bareServerCpu.push(bareStarted.cpuMs);
  }
  warmDir.cleanup();
  const bare = median(bareExit);
  const versionRatio = median(version) / bare;
  const hostMedian = median(host);
  return {
    cli_version_median_ms: metric(median(version), 'ms', { baseline: { value: bare, what: 'node -e 0, median' } }),
    cli_version_vs_bare_node: metric(versionRatio, 'x', { target: '<= 3x node -e 0', met: versionRatio <= 3 }),
    cli_help_median_ms: metric(median(help), 'ms', { baseline: { value: bare, what: 'node -e 0, median' } }),
    cli_version_first_ms: metric(firstVersion, 'ms', { baseline: { value: firstBare, what: 'the first node -e 0 of the run' } }),
    host_start_median_ms: metric(hostMedian, 'ms', { baseline: { value: median(bareServer), what: 'node -e http server, median' }, target: '< 400 ms', met: hostMedian < 400 }),
    host_start_warm_median_ms: metric(median(hostWarm), 'ms', { baseline: { value: median(bareServer), what: 'node -e http server, median' }, target: '< 400 ms', met: median(hostWarm) < 400 }),
    // CPU time the host used until it listened: what a busy machine inflates least (Linux only).
    ...(hostCpu.length
      ? { host_start_cpu_median_ms: metric(median(hostCpu), 'ms', { baseline: { value: median(bareServerCpu), what: 'node -e http server, CPU ms, median' } }) }
      : {}),
    host_start_max_ms: metric(Math.max(...host), 'ms', { baseline: { value: Math.max(...bareServer), what: 'node -e http server, max' } }),
    runs: RUNS,
    notes: 'spawn to exit (CLI) and spawn to the URL line on stdout, then stopped with SIGTERM (host cold: a fresh data folder each time, the database created and migrated; warm: one folder started before)',
  };
}

/** Spawns node with `args` and resolves with ms until it exits (successfully). */
function timeToExit(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = nowMs();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(nowMs() - start);
      else reject(new Error(`${args.join(' ')} exited (${signal ?? code}): ${err.trim().slice(0, 400)}`));
    });
  });
}
