import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { silentLogger } from '../../core/util/logger.js';
import type { startDesktop as StartDesktop } from '../../electron/main.js';
import { tempDir } from '../support/index.js';
import { createFakeElectron } from './fake-electron.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let outDir: string;

before(() => {
  // Inside the repository, so the bundle's npm imports resolve from node_modules as in the app.
  mkdirSync(join(root, 'test-output'), { recursive: true });
  outDir = mkdtempSync(join(root, 'test-output', 'electron-build-'));
  execFileSync(process.execPath, [join(root, 'electron', 'build.mjs'), '--outdir', outDir], { cwd: root, stdio: 'pipe' });
});

after(() => rmSync(outDir, { recursive: true, force: true }));

describe('build:electron', () => {
  test('the preload is one CommonJS file that requires nothing but electron', () => {
    const preload = readFileSync(join(outDir, 'preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(required)], ['electron']);
    assert.doesNotMatch(preload, /^\s*(import|export)\s/m, 'no ESM syntax left');
    assert.match(preload, /exposeInMainWorld\(DESKTOP_BRIDGE_KEY, bridge\)/);
    assert.match(preload, /"agent-blob:frame"/, 'the channel names are inlined');
  });

  test('the bundled main process runs the desktop shell, reports the package version and serves the contract', async () => {
    const { startDesktop } = (await import(pathToFileURL(join(outDir, 'main.js')).href)) as { startDesktop: typeof StartDesktop };
    const dir = tempDir('agent-blob-bundle-');
    const appRoot = join(dir.path, 'app');
    mkdirSync(join(appRoot, 'dist', 'renderer'), { recursive: true });
    writeFileSync(join(appRoot, 'dist', 'renderer', 'index.html'), '<!doctype html>');
    const fake = createFakeElectron();
    const desktop = await startDesktop(fake.api, { appRoot, dataDir: join(dir.path, 'data'), env: {}, platform: 'linux', core: { logger: silentLogger }, traySupport: async () => 'yes' });
    try {
      assert.ok(desktop);
      const info = await desktop.core.gateway.call('system.info', {});
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
      assert.equal(info.version, pkg.version, 'core found package.json from inside the bundle');
      assert.ok(desktop.gatewayUrl, 'the loopback gateway started');
    } finally {
      await desktop?.quit();
      dir.cleanup();
    }
  });
});
