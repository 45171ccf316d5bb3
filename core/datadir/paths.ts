import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

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

export function dataPaths(dir: string): DataPaths {
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
