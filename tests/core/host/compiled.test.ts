import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildCli, hashFiles, whyRebuild } from '../../../scripts/build-cli.mjs';
import { REPO_ROOT, spawnUntilReady } from '../../crash/spawn.js';
import { WAIT_MS, startTestCore, tempDir } from '../../support/index.js';
import { runCli } from './cli-support.js';

// Loaded into the child before anything else: fails any attempt to load a TypeScript file.
const NO_TYPESCRIPT_HOOKS = `export async function load(url, context, next) {
  if (/\\.tsx?$/.test(new URL(url).pathname)) throw new Error('TypeScript loaded at run time: ' + url);
  return next(url, context);
}`;
const NO_TYPESCRIPT = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(NO_TYPESCRIPT_HOOKS)}`)});`,
)}`;
// The same for the command line's own modules: a memory search answered directly loads none of them.
const NO_CORE_HOOKS = `export async function load(url, context, next) {
  const path = new URL(url).pathname;
  if (path.includes('/dist/cli/main.js') || path.includes('/dist/cli/chunks/')) throw new Error('the command line was loaded: ' + url);
  return next(url, context);
}`;
const NO_CORE = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(NO_CORE_HOOKS)}`)});`,
)}`;

describe('the built command line', () => {
  it('runs a command and the host from JavaScript alone: no TypeScript file is loaded', async () => {
    if (whyRebuild()) await buildCli();
    const dir = tempDir();
    try {
      const env = { ...process.env, ANTHROPIC_API_KEY: '', NODE_OPTIONS: '' };
      const doctor = spawnSync(process.execPath, ['--import', NO_TYPESCRIPT, 'bin/agent-blob.js', 'doctor', '--no-probe', '--json', '--data-dir', dir.path], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env,
      });
      assert.doesNotMatch(doctor.stderr, /TypeScript loaded/);
      const report = JSON.parse(doctor.stdout) as { checks: { name: string; status: string }[] };
      assert.ok(report.checks.some((c) => c.name === 'connection' && c.status === 'ok'), doctor.stdout);

      const host = await spawnUntilReady(['--import', NO_TYPESCRIPT, 'bin/agent-blob.js', 'host', '--json', '--no-ui', '--until-stdin-closes', '--data-dir', dir.path], env);
      assert.match(String(host.ready.url), /^http:\/\/127\.0\.0\.1:\d+\//);
      host.child.kill('SIGTERM');
      assert.deepEqual(await host.exited, { code: 0, signal: null }, host.stderr());
      assert.doesNotMatch(host.stderr(), /TypeScript loaded/);
    } finally {
      dir.cleanup();
    }
  });

  it('answers a memory search from the database without loading the command line or the core, and with the same hits', async () => {
    if (whyRebuild()) await buildCli();
    const dir = tempDir();
    try {
      const t = await startTestCore({ dataDir: dir.path });
      const jsonl = ['My dentist is Dr. Okafor at the Riverside practice', 'The office wifi is called blob-guest', 'Our cat Miso is allergic to chicken'].map((text) => JSON.stringify({ text, area: 'main' })).join('\n');
      await t.client.call('memory.import', { jsonl });
      await t.close();
      const env = { ...process.env, NODE_OPTIONS: '' };
      const direct = spawnSync(process.execPath, ['--import', NO_CORE, 'bin/agent-blob.js', 'memory', 'search', 'who is my dentist', '--json', '--data-dir', dir.path], { cwd: REPO_ROOT, encoding: 'utf8', env });
      assert.equal(direct.status, 0, direct.stderr);
      const hits = JSON.parse(direct.stdout) as { text: string }[];
      assert.equal(hits[0].text, 'My dentist is Dr. Okafor at the Riverside practice');
      const viaCore = await runCli(['memory', 'search', 'who is my dentist', '--json', '--data-dir', dir.path], {});
      assert.deepEqual(hits.map((h) => h.text), (JSON.parse(viaCore.stdout) as { text: string }[]).map((h) => h.text));
      // What it does not answer (here: a refused argument) goes to the command line, which says why.
      const refused = spawnSync(process.execPath, ['--import', NO_CORE, 'bin/agent-blob.js', 'memory', 'search', 'x', '--area', 'attic', '--data-dir', dir.path], { cwd: REPO_ROOT, encoding: 'utf8', env });
      assert.match(refused.stderr, /the command line was loaded/);
      const plain = spawnSync(process.execPath, ['bin/agent-blob.js', 'memory', 'search', 'x', '--area', 'attic', '--data-dir', dir.path], { cwd: REPO_ROOT, encoding: 'utf8', env });
      assert.equal(plain.status, 2);
      assert.match(plain.stderr, /--area must be one of main, fragments, solutions, instruments/);
    } finally {
      dir.cleanup();
    }
  });

  it('exits 0 without a word on stderr when the reader of a directly answered memory search goes away, before the answer or in the middle of it', async () => {
    if (whyRebuild()) await buildCli();
    const dir = tempDir();
    try {
      const t = await startTestCore({ dataDir: dir.path });
      // Long enough that 200 hits (--json) fill more than a pipe holds: the reader can leave mid-answer.
      const jsonl = Array.from({ length: 220 }, (_, i) => JSON.stringify({ text: `Office wifi note ${i}: ${'the guest network rotates its password every month. '.repeat(48)}`, area: 'main' })).join('\n');
      await t.client.call('memory.import', { jsonl });
      await t.close();
      const env = { ...process.env, NODE_OPTIONS: '' };
      const args = ['--import', NO_CORE, 'bin/agent-blob.js', 'memory', 'search', 'office wifi password', '--limit', '200', '--json', '--data-dir', dir.path];
      const whole = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env, timeout: WAIT_MS });
      assert.equal(whole.status, 0, String(whole.stderr));
      assert.ok(whole.stdout.length > 256 * 1024, `an answer longer than a pipe holds (${whole.stdout.length} bytes)`);
      for (const readerLeaves of ['at once', 'after the first bytes'] as const) {
        // NO_CORE: the direct search answers (loading the command line would fail the run, on stderr).
        const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        let read = 0;
        if (readerLeaves === 'at once') child.stdout.destroy();
        else child.stdout.once('data', (c: Buffer) => ((read = c.length), child.stdout.destroy()));
        let timer: NodeJS.Timeout | undefined;
        const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
          child.once('close', (code, signal) => resolve({ code, signal }));
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`the search had not exited after ${WAIT_MS} ms (reader left ${readerLeaves}): ${stderr}`));
          }, WAIT_MS);
        }).finally(() => clearTimeout(timer));
        assert.deepEqual(exit, { code: 0, signal: null }, `${readerLeaves}: ${stderr}`);
        assert.equal(stderr, '', `reader left ${readerLeaves}`);
        if (readerLeaves !== 'at once') assert.ok(read > 0 && read < whole.stdout.length, `the reader left with part of the answer (${read} of ${whole.stdout.length} bytes)`);
      }
    } finally {
      dir.cleanup();
    }
  });

  it('is keyed on the content of its sources, the build script and the lock, which a real build records', async () => {
    if (whyRebuild()) await buildCli();
    assert.equal(whyRebuild(), null);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'dist', 'cli', 'inputs.json'), 'utf8')) as { inputs: Record<string, string> };
    for (const file of ['scripts/build-cli.mjs', 'package-lock.json', 'core/host/cli/main.ts', 'core/host/cli/direct-search.ts']) {
      assert.deepEqual(manifest.inputs[file], hashFiles(REPO_ROOT, [file])[file], file);
    }
  });

  it("maps the script's code after each import() handed to the code-cache loader to its source", { timeout: 120_000 }, async () => {
    if (whyRebuild()) await buildCli();
    const file = join(REPO_ROOT, 'dist', 'cli', 'main.cjs');
    const map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload);
    const lines = readFileSync(file, 'utf8').split('\n');
    const checked: string[] = [];
    lines.forEach((line, index) => {
      // `(await __scriptImport("html-to-text")).convert`, `__scriptImport("openai").then(...)`
      for (const call of line.matchAll(/__scriptImport\("([^"]+)"\) *\)?\.(then|convert)\b/g)) {
        const member = call[2];
        const entry = map.findEntry(index, call.index + call[0].length - member.length) as { originalSource: string; originalLine: number; originalColumn: number };
        const source = readFileSync(join(REPO_ROOT, 'dist', 'cli', entry.originalSource), 'utf8').split('\n')[entry.originalLine];
        assert.ok(source.startsWith(member, entry.originalColumn), `${call[1]}: .${member} maps to ${JSON.stringify(source.slice(entry.originalColumn, entry.originalColumn + 20))}`);
        checked.push(call[1]);
      }
    });
    assert.ok(checked.includes('@anthropic-ai/sdk') && checked.includes('openai'), checked.join(', '));
  });

  it('counts as stale when a source, the build script or the lock changed, whatever their modification times say', () => {
    const dir = tempDir();
    try {
      const files = { 'core/a.ts': 'export const a = 1;\n', 'core/b.ts': 'export const b = 2;\n', 'scripts/build-cli.mjs': '// options v1\n', 'package-lock.json': '{"lockfileVersion":3}\n' };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(join(dir.path, file, '..'), { recursive: true });
        writeFileSync(join(dir.path, file), text);
      }
      const built = () => {
        mkdirSync(join(dir.path, 'dist', 'cli'), { recursive: true });
        writeFileSync(join(dir.path, 'dist', 'cli', 'inputs.json'), JSON.stringify({ builtAt: Date.now(), inputs: hashFiles(dir.path, Object.keys(files)) }));
      };
      const past = new Date(Date.now() - 3_600_000);
      /** Writes `text` into `file` and gives it back a time before the build, as a copy with its times kept (`cp -p`) would. */
      const writeOld = (file: string, text: string) => {
        writeFileSync(join(dir.path, file), text);
        utimesSync(join(dir.path, file), past, past);
      };
      assert.equal(whyRebuild(dir.path), 'not built yet');
      built();
      assert.equal(whyRebuild(dir.path), null);

      writeOld('core/b.ts', 'export const b = 3;\n');
      assert.equal(whyRebuild(dir.path), 'core/b.ts changed');
      built();
      writeOld('scripts/build-cli.mjs', '// options v2\n');
      assert.equal(whyRebuild(dir.path), 'scripts/build-cli.mjs changed');
      built();
      writeOld('package-lock.json', '{"lockfileVersion":3,"packages":{}}\n');
      assert.equal(whyRebuild(dir.path), 'package-lock.json changed');
      built();

      // Touched (a checkout that rewrote it unchanged), or gone (an installed copy without sources): still current.
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(dir.path, 'core/a.ts'), later, later);
      rmSync(join(dir.path, 'core/b.ts'));
      assert.equal(whyRebuild(dir.path), null);

      // A build recorded by the earlier, time-keyed manifest is rebuilt once.
      writeFileSync(join(dir.path, 'dist', 'cli', 'inputs.json'), JSON.stringify({ builtAt: Date.now(), inputs: Object.keys(files) }));
      assert.equal(whyRebuild(dir.path), 'built without content hashes');
    } finally {
      dir.cleanup();
    }
  });
});
