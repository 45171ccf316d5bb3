// The folder electron-builder packages from. Packaging rebuilds native modules for Electron where
// it finds them; pointed at the checkout, that rebuild would replace the Node build of
// better-sqlite3 that the CLI and the tests load. So the app is staged in a folder of its own — its
// package.json, the built dist/, resources/ and a copy of the production node_modules — and
// electron-builder rebuilds and packs that copy. The checkout's node_modules is only read.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { wordVectorsFileName } from '../../core/memory/vectors/index.js';
import { sqliteVecLibrary } from './native-check.js';

interface PackageJson {
  dependencies?: Record<string, string>;
  [key: string]: unknown;
}

interface LockEntry {
  version?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface Lockfile {
  packages?: Record<string, LockEntry>;
}

export interface Target {
  platform: string;
  arch: string;
}

/** Fetches `name@version` as an npm tarball into `dir`; returns its path. */
export type FetchPackage = (name: string, version: string, dir: string) => string;

/** Dependencies the desktop app does not load: the CLI's TypeScript runner (and its bundler). */
const NOT_IN_THE_APP = new Set(['tsx']);

/** The package.json the installed app carries: its metadata and runtime dependencies only. */
export function stagedPackageJson(pkg: PackageJson): PackageJson & { dependencies: Record<string, string> } {
  const dependencies = Object.fromEntries(Object.entries(pkg.dependencies ?? {}).filter(([name]) => !NOT_IN_THE_APP.has(name)));
  const keep = ['name', 'version', 'description', 'productName', 'desktopName', 'homepage', 'author', 'license', 'repository', 'main', 'type'];
  return { ...Object.fromEntries(keep.filter((key) => pkg[key] !== undefined).map((key) => [key, pkg[key]])), dependencies };
}

/**
 * The lock's paths (`node_modules/a`, `node_modules/a/node_modules/b`) of every package the given
 * dependencies need, resolved the way Node resolves them. Optional dependencies that are not
 * installed (other platforms) are left out.
 */
export function productionPackages(lock: Lockfile, dependencies: Record<string, string>): string[] {
  const packages = lock.packages ?? {};
  const found = new Set<string>();
  const visit = (from: string, name: string, optional: boolean): void => {
    let base = from;
    for (;;) {
      const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
      if (packages[candidate]) {
        if (found.has(candidate)) return;
        found.add(candidate);
        const entry = packages[candidate];
        for (const dep of Object.keys(entry.dependencies ?? {})) visit(candidate, dep, false);
        for (const dep of Object.keys(entry.optionalDependencies ?? {})) visit(candidate, dep, true);
        for (const dep of Object.keys(entry.peerDependencies ?? {})) {
          if (!entry.peerDependenciesMeta?.[dep]?.optional) visit(candidate, dep, true);
        }
        return;
      }
      if (!base) {
        if (!optional) throw new Error(`package-lock.json has no ${name} (needed from ${from || 'the app'})`);
        return;
      }
      const cut = base.lastIndexOf('/node_modules/');
      base = cut < 0 ? '' : base.slice(0, cut);
    }
  };
  for (const name of Object.keys(dependencies)) visit('', name, false);
  return [...found].sort();
}

/** Downloads `name@version` from the npm registry into `dir`; returns the tarball's path. */
export const npmPack: FetchPackage = (name, version, dir) => {
  const packed = spawnSync('npm', ['pack', `${name}@${version}`, '--json', '--pack-destination', dir], { encoding: 'utf8', shell: process.platform === 'win32' });
  if (packed.status !== 0) throw new Error(`npm pack ${name}@${version} failed: ${packed.stderr.trim().split('\n').pop()}`);
  return join(dir, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);
};

/**
 * Makes sure `stageDir/node_modules` holds sqlite-vec's library for every target. The checkout
 * has only this machine's; the others are fetched from the npm registry at the locked version,
 * and refused unless they match the lock's integrity hash.
 */
export function addSqliteVecLibraries(stageDir: string, lock: Lockfile, targets: Target[], { log = console.log, fetch = npmPack }: { log?: (line: string) => void; fetch?: FetchPackage } = {}): void {
  for (const { platform, arch } of targets) {
    const { packageName, file } = sqliteVecLibrary(platform, arch);
    const dest = join(stageDir, 'node_modules', packageName);
    if (existsSync(join(dest, file))) continue;
    const locked = lock.packages?.[`node_modules/${packageName}`];
    if (!locked) throw new Error(`package-lock.json does not list ${packageName}: sqlite-vec publishes no library for ${platform}-${arch}`);
    if (!locked.integrity || !locked.version) throw new Error(`package-lock.json records no version and integrity for ${packageName}`);
    log(`Fetching ${packageName}@${locked.version} for the ${platform}-${arch} build…`);
    const work = mkdtempSync(join(tmpdir(), 'agent-blob-vec-'));
    try {
      const tarball = fetch(packageName, locked.version, work);
      const [algorithm] = locked.integrity.split('-');
      const actual = `${algorithm}-${createHash(algorithm).update(readFileSync(tarball)).digest('base64')}`;
      if (actual !== locked.integrity) throw new Error(`${packageName}@${locked.version} does not match package-lock.json's integrity (got ${actual})`);
      mkdirSync(dest, { recursive: true });
      const untar = spawnSync('tar', ['-xzf', tarball, '-C', dest, '--strip-components=1'], { encoding: 'utf8' });
      if (untar.status !== 0 || !existsSync(join(dest, file))) throw new Error(`unpacking ${tarball} failed: ${untar.stderr || `no ${file} in it`}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

/**
 * Stages the app from the checkout `root` into `stageDir` (emptied first) for the given targets
 * (`[{platform, arch}]`). Needs `npm run build` to have run. `withModules: false` stages only the
 * metadata and files (installers made from an already packed app, `--prepackaged`).
 */
export function stageApp({
  root,
  distDir = join(root, 'dist'),
  stageDir,
  targets,
  log = console.log,
  withModules = true,
  fetch,
}: {
  root: string;
  /** The built app (`npm run build` output). */
  distDir?: string;
  stageDir: string;
  targets: Target[];
  log?: (line: string) => void;
  withModules?: boolean;
  fetch?: FetchPackage;
}): PackageJson & { dependencies: Record<string, string> } {
  for (const built of ['electron/main.js', 'electron/preload.cjs', 'renderer/desktop.html']) {
    if (!existsSync(join(distDir, built))) throw new Error(`${join(distDir, built)} is missing: run npm run build first`);
  }
  // Without it the app would run, warn in the doctor and search without the words' meaning.
  const vectors = join(distDir, 'vectors', wordVectorsFileName());
  if (!existsSync(vectors)) throw new Error(`${vectors} is missing: the word vectors the offline embedder ships with were not built (run npm install or npm run build first)`);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Lockfile;
  rmSync(stageDir, { recursive: true, force: true });
  mkdirSync(stageDir, { recursive: true });
  const staged = stagedPackageJson(pkg);
  writeFileSync(join(stageDir, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
  cpSync(distDir, join(stageDir, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });
  cpSync(join(root, 'resources'), join(stageDir, 'resources'), { recursive: true });
  if (!withModules) return staged;
  for (const path of productionPackages(lock, staged.dependencies)) {
    const src = join(root, path);
    if (!existsSync(src)) continue;
    // Nested node_modules are their own entries in the list; copy each package's own files only.
    const nested = `${join(src, 'node_modules')}${sep}`;
    cpSync(src, join(stageDir, path), { recursive: true, dereference: true, filter: (file) => !`${file}${sep}`.startsWith(nested) });
  }
  addSqliteVecLibraries(stageDir, lock, targets, { log, fetch });
  return staged;
}
