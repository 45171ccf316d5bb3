// Host start to listening: spawn `agent-blob host` on a fresh data folder and time until it prints
// its URL, against spawning plain `node` that opens an HTTP server and prints its address.
// Target: < 1.5 s (median of the runs).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { benchDir, median, metric, nowMs } from '../lib.js';

const RUNS = 5;
const TIMEOUT_MS = 20_000;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/agent-blob.js', import.meta.url));
const URL_LINE = /http:\/\/127\.0\.0\.1:\d+\/\S*token=\S+/;

const BARE_SERVER = `require('node:http').createServer().listen(0, '127.0.0.1', function () {
  console.log('http://127.0.0.1:' + this.address().port + '/?token=x');
});`;

export async function run(): Promise<Record<string, unknown>> {
  if (!existsSync(CLI)) throw new Error('bin/agent-blob.js is missing: the host command cannot be timed');
  const host: number[] = [];
  const bare: number[] = [];
  const loader: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = benchDir();
    try {
      host.push(await timeToUrl([CLI, 'host', '--data-dir', dir.path, '--port', '0'], { ...process.env, ANTHROPIC_API_KEY: '' }));
    } finally {
      dir.cleanup();
    }
    bare.push(await timeToUrl(['-e', BARE_SERVER], process.env));
    loader.push(await timeToUrl(['--import', 'tsx', '-e', BARE_SERVER], process.env));
  }
  const value = median(host);
  return {
    host_start_median_ms: metric(value, 'ms', { baseline: { value: median(bare), what: 'node -e http server, median' }, target: '< 1500 ms', met: value < 1500 }),
    host_start_max_ms: metric(Math.max(...host), 'ms', { baseline: { value: Math.max(...bare), what: 'node -e http server, max' } }),
    // How much of the start is the TypeScript loader alone (the CLI runs core's .ts through tsx).
    tsx_loader_start_median_ms: metric(median(loader), 'ms', { baseline: { value: median(bare), what: 'node -e http server, median' } }),
    runs: RUNS,
    notes: 'spawn to the URL line on stdout, fresh data folder each time (creates and migrates the database); the process is then stopped with SIGTERM',
  };
}

/** Spawns node with `args`, resolves with ms until a URL line appears on stdout, then stops it. */
function timeToUrl(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = nowMs();
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let elapsed: number | null = null;
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (elapsed === null && URL_LINE.test(out)) {
        elapsed = nowMs() - start;
        child.kill('SIGTERM');
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (elapsed !== null) resolve(elapsed);
      else reject(new Error(`${args.slice(0, 2).join(' ')} exited (${signal ?? code}) before printing a URL: ${(err || out).trim().slice(0, 400)}`));
    });
  });
}
