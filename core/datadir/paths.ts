import { chmodSync, closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AppError, pathProblem } from '../contract/index.js';
import { storageError } from '../util/index.js';

/** Where things live inside a data folder. */
export interface DataPaths {
  dir: string;
  database: string;
  lock: string;
  secrets: string;
  logs: string;
  artifacts: string;
  /** Derived files that can be rebuilt at any time (the WordNet index when the app's folder is read-only). */
  cache: string;
  /** The user's own skills, one folder each with a SKILL.md. */
  skills: string;
}

/** The files of a data folder that hold the user's data or keys: readable by this user only. */
const PRIVATE_FILES = ['agent-blob.sqlite', 'agent-blob.sqlite-wal', 'agent-blob.sqlite-shm', 'agent-blob.lock', 'secrets.json', join('logs', 'agent-blob.log')];

/** Where a data folder's files are. Refuses an empty name (it would mean "the current folder") and control characters. */
export function dataPaths(dir: string): DataPaths {
  if (!dir.trim()) throw new AppError('invalid_input', 'the data folder is empty; give a folder name (an empty name would mean the current folder)');
  const problem = pathProblem(dir);
  if (problem) throw new AppError('invalid_input', `the data folder is refused: ${problem}`);
  const root = resolve(dir);
  return {
    dir: root,
    database: join(root, 'agent-blob.sqlite'),
    lock: join(root, 'agent-blob.lock'),
    secrets: join(root, 'secrets.json'),
    logs: join(root, 'logs'),
    artifacts: join(root, 'artifacts'),
    cache: join(root, 'cache'),
    skills: join(root, 'skills'),
  };
}

/**
 * Makes `dir` ready to be a data folder: created if missing (each missing level made here, mode
 * 0700), refused with a clear error if it is a file or cannot be made (a folder under `/proc`), its
 * database created 0600 so SQLite gives its WAL and shared-memory files the same mode, and files left
 * by an older version tightened to 0600. An existing folder is made 0700 when it is recognisably the
 * app's (it holds the database) or empty; a folder of other things is left as the person set it.
 */
export function prepareDataDir(dir: string): DataPaths {
  const paths = dataPaths(dir);
  const created = makeFolder(paths.dir);
  const stat = statSync(paths.dir);
  if (!stat.isDirectory()) throw new AppError('invalid_input', `the data folder ${paths.dir} is a file, not a folder; choose a folder`);
  if (process.platform !== 'win32') {
    const ours = created || existsSync(paths.database) || readdirSync(paths.dir).length === 0;
    if (ours && (stat.mode & 0o077) !== 0) chmodQuietly(paths.dir, 0o700);
    if (!existsSync(paths.database)) {
      try {
        closeSync(openSync(paths.database, 'a', 0o600));
      } catch (err) {
        throw storageError(err, paths) ?? new AppError('unavailable', `cannot create the database in ${paths.dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
    for (const name of PRIVATE_FILES) {
      const file = join(paths.dir, name);
      const mode = lstatOrNull(file);
      if (mode && mode.isFile() && (mode.mode & 0o077) !== 0) chmodQuietly(file, 0o600);
    }
  }
  return paths;
}

/**
 * Creates `dir` and the missing folders above it, one level at a time. (Node's recursive `mkdirSync`
 * loops for ever where the system answers ENOENT under an existing parent, as `/proc` does.)
 * Returns whether it created `dir`.
 */
function makeFolder(dir: string): boolean {
  const missing: string[] = [];
  let current = dir;
  while (!lstatOrNull(current)) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder, { mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(folder).isDirectory()) continue;
      if (code === 'EEXIST' || code === 'ENOTDIR') throw new AppError('invalid_input', `cannot create the data folder ${dir}: ${dirname(folder)} is a file, not a folder`);
      throw new AppError('unavailable', `cannot create the data folder ${dir}: ${code ?? (err as Error).message} at ${folder}`);
    }
  }
  return missing.length > 0;
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function chmodQuietly(path: string, mode: number): void {
  try {
    chmodSync(path, mode);
  } catch {
    // A folder owned by someone else keeps its mode; the files inside are still created 0600.
  }
}

/**
 * The default data folder, the same one Electron's `userData` resolves to for this app, so the
 * desktop app, the headless host and the CLI share it: `AGENT_BLOB_DATA_DIR` if set, else
 * `%APPDATA%\Agent Blob`, `~/Library/Application Support/Agent Blob`, or `$XDG_CONFIG_HOME/Agent Blob`.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.AGENT_BLOB_DATA_DIR) return resolve(env.AGENT_BLOB_DATA_DIR);
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Agent Blob');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Agent Blob');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Agent Blob');
}
