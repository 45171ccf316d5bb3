import { lstatSync, mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError, BackupSettingsSchema, type BackupFile, type BackupSettings } from '../contract/index.js';
import { backupDatabase, type DataPaths } from '../datadir/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import { refuseKeysIn, SETTINGS_ROW_EVENTS, SettingsRow } from '../settings/index.js';

const KEY = SETTINGS_ROW_EVENTS['backups.changed'];

/** Off until the person turns it on; a week of daily copies in the data folder's `backups/`. */
export const DEFAULT_BACKUPS: BackupSettings = { daily: false, keep: 7, folder: null };

/**
 * `agent-blob-20261206T031500Z.sqlite.gz`: the time of the copy, in UTC, is in its name. Copies are
 * gzip-compressed (a database compresses to about a tenth); uncompressed `.sqlite` copies of
 * earlier versions are still listed, kept and let go the same way.
 */
const NAME = /^agent-blob-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:-(\d+))?\.sqlite(?:\.gz)?$/;

/** The daily backup's settings, one settings row; a change is a `backups.changed` event. */
export class BackupSettingsStore {
  private readonly row: SettingsRow<typeof BackupSettingsSchema>;

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
  ) {
    this.row = new SettingsRow(db, KEY, BackupSettingsSchema, DEFAULT_BACKUPS);
  }

  get(): BackupSettings {
    return this.row.read();
  }

  update(patch: Partial<BackupSettings>, paths: DataPaths): BackupSettings {
    const next = BackupSettingsSchema.parse({ ...this.get(), ...patch });
    if (next.folder !== null) checkFolder(resolve(next.folder), paths);
    refuseKeysIn(this.log, next);
    // The settings projector writes the row from the event.
    this.log.transaction(() => this.log.append('backups.changed', next));
    return next;
  }
}

/** The folder the copies go to: the setting, else the data folder's `backups/`. */
export function backupFolder(settings: BackupSettings, paths: DataPaths): string {
  return settings.folder === null ? join(paths.dir, 'backups') : resolve(settings.folder);
}

/** The copies this feature made in `folder`, newest first (other files there are not its own and are left alone). */
export function listBackups(folder: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const files: BackupFile[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m) continue;
    const path = join(folder, name);
    try {
      const stat = lstatSync(path);
      if (!stat.isFile()) continue;
      const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
      files.push({ name, path, bytes: stat.size, at });
    } catch {
      // Removed between listing and looking.
    }
  }
  return files.sort((a, b) => b.at - a.at || b.name.localeCompare(a.name));
}

/**
 * Makes a copy of the live database in the backup folder (created if missing, 0700), checked like
 * every backup (`integrity_check`, one file) and gzip-compressed, named after `now`; then removes this feature's older
 * copies beyond the newest `keep`. Never removes a file it did not name.
 */
export async function makeBackup(db: WritableDB, paths: DataPaths, settings: BackupSettings, now: number): Promise<{ made: BackupFile; removed: string[] }> {
  const folder = backupFolder(settings, paths);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new AppError('unavailable', `the backup folder ${folder} could not be created: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  checkFolder(folder, paths);
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let name = `agent-blob-${stamp}.sqlite.gz`;
  for (let n = 2; existing(join(folder, name)); n++) name = `agent-blob-${stamp}-${n}.sqlite.gz`;
  const result = await backupDatabase(db, paths, join(folder, name));
  const made: BackupFile = { name, path: result.path, bytes: result.bytes, at: Math.floor(now / 1000) * 1000 };
  const removed: string[] = [];
  for (const old of listBackups(folder).filter((f) => f.path !== made.path).slice(Math.max(0, settings.keep - 1))) {
    rmSync(old.path, { force: true });
    removed.push(old.path);
  }
  return { made, removed };
}

/** The backup folder must not be the data folder itself (copies beside the live files). */
function checkFolder(folder: string, paths: DataPaths): void {
  let real = folder;
  try {
    real = realpathSync.native(folder);
  } catch {
    // Not there yet: made at the first copy.
  }
  if (real === realpathSync.native(paths.dir)) {
    throw new AppError('invalid_input', `${folder} is the data folder itself; choose another folder for backups (or leave it empty for its backups/ folder)`);
  }
}

function existing(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
