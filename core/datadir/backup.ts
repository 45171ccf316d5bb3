import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, linkSync, lstatSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { AppError, pathProblem } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { DataPaths } from './paths.js';

export interface BackupResult {
  path: string;
  bytes: number;
  /** The schema version the copy carries. */
  schemaVersion: number;
  /** `PRAGMA integrity_check` of the copy. */
  integrity: string;
  /** Whether the file is gzip-compressed (a name ending in `.gz`). */
  compressed: boolean;
}

/** A backup whose name ends in `.gz` is the checked copy, gzip-compressed: a database compresses to about a tenth. */
export function isCompressedName(path: string): boolean {
  return path.toLowerCase().endsWith('.gz');
}

/** Whether `path` starts with gzip's magic bytes. */
export function isGzipFile(path: string): boolean {
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(2);
      return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/** Writes `from` gzip-compressed to `to` (a file created here, exclusively, readable by this user only); the event loop keeps running meanwhile. */
export async function gzipFile(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createGzip(), createWriteStream(to, { flags: 'wx', mode: 0o600 }));
}

/** Writes the gzip-compressed `from` uncompressed to `to` (created here, exclusively, this user only). */
export async function gunzipFile(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createGunzip(), createWriteStream(to, { flags: 'wx', mode: 0o600 }));
}

/**
 * Copies the live database to `target` with SQLite's online backup: a consistent snapshot while the
 * app keeps running. The copy is written to a new file of its own beside the target (created here,
 * exclusively, readable by this user only), checked, turned into a single file (no `-wal`/`-shm`
 * beside it), then linked into place only if the name is still free. A target whose name ends in
 * `.gz` gets the checked copy gzip-compressed (about a tenth of the database). A failure removes the
 * files this backup created and nothing else.
 */
export async function backupDatabase(db: WritableDB, paths: DataPaths, target: string): Promise<BackupResult> {
  // The contract refuses these too; checked again because SQLite would cut the name at a NUL.
  const problem = pathProblem(target);
  if (problem) throw new AppError('invalid_input', `the backup path is refused: ${problem}`);
  if (!isAbsolute(target)) throw new AppError('invalid_input', `the backup path must be absolute: ${target}`);
  const path = resolve(target);
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new AppError('not_found', `the folder ${folder} does not exist`);
  // Compared as real paths: a link to the data folder must not let a copy land beside the live files.
  if (sameFile(realpathSync.native(folder), realpathSync.native(paths.dir))) {
    throw new AppError('invalid_input', `${path} is in the live data folder, beside its own files; choose another place`);
  }
  if (lstatOrNull(path)) throw new AppError('conflict', `${path} already exists; choose a new file name`);

  const partial = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  const compressed = isCompressedName(path);
  const packed = `${partial}.gz`;
  try {
    closeSync(openSync(partial, 'wx', 0o600));
  } catch (err) {
    throw new AppError('unavailable', `the backup could not be written in ${folder}: ${(err as Error).message}`);
  }
  try {
    await db.backup(partial);
    const copy = new Database(partial);
    let integrity: string;
    let schemaVersion: number;
    try {
      // The live database is in WAL mode and so is its copy: make the copy one self-contained file.
      copy.pragma('journal_mode = DELETE');
      integrity = String(copy.pragma('integrity_check', { simple: true }));
      schemaVersion = Number(copy.pragma('user_version', { simple: true }));
    } finally {
      copy.close();
    }
    if (integrity !== 'ok') throw new AppError('internal', `the backup copy failed its integrity check: ${integrity}`);
    if (compressed) {
      await gzipFile(partial, packed);
      rmSync(partial);
      placeWithoutOverwriting(packed, path);
    } else {
      placeWithoutOverwriting(partial, path);
    }
    return { path, bytes: statSync(path).size, schemaVersion, integrity, compressed };
  } catch (err) {
    for (const own of [partial, `${partial}-wal`, `${partial}-shm`, `${partial}-journal`, packed]) rmSync(own, { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError('unavailable', `the backup could not be written to ${path}: ${(err as Error).message}`);
  }
}

/** Gives `from` the name `to` only if nothing took that name meanwhile (a hard link fails on an existing name). */
function placeWithoutOverwriting(from: string, to: string): void {
  try {
    linkSync(from, to);
    rmSync(from);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new AppError('conflict', `${to} was created while the backup ran; choose a new file name`);
    // A file system without hard links: a rename, after one more look.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw err;
  }
  if (lstatOrNull(to)) throw new AppError('conflict', `${to} was created while the backup ran; choose a new file name`);
  renameSync(from, to);
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function sameFile(a: string, b: string): boolean {
  return process.platform === 'win32' || process.platform === 'darwin' ? a.toLowerCase() === b.toLowerCase() : a === b;
}
