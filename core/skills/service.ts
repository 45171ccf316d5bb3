import { watch, type FSWatcher } from 'node:fs';
import { AppError, type AppEvent, type HealthCheck, type SkillInfo } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { Clock, Logger, TimerHandle } from '../util/index.js';
import { readSkills, skillFiles, type SkillRecord } from './catalog.js';

export interface SkillsServiceDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  logger: Logger;
  /** The app's bundled skills (null: none). */
  bundledDir: string | null;
  /** The data folder's `skills/`. */
  userDir: string;
  /** How long changes on disk settle before the folders are read again. */
  debounceMs: number;
}

/** Keeps `skill_settings` in step with the log. */
export function createSkillsProjector(db: WritableDB): (event: AppEvent) => void {
  const upsert = db.prepare('INSERT INTO skill_settings (name, enabled, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at');
  return (event) => {
    if (event.type === 'skill.toggled') upsert.run(event.data.name, event.data.enabled ? 1 : 0, event.ts);
  };
}

/**
 * The skills found in the bundled folder and the data folder, which of them are on, and the index the
 * system prompt lists. Folders are read again when they change (debounced); a skill with problems is
 * listed with them and never offered.
 */
export class SkillsService {
  private skills: SkillRecord[] = [];
  private watchers: FSWatcher[] = [];
  private timer: TimerHandle | null = null;
  private signature = '';
  private readonly disabledStmt;

  constructor(private readonly deps: SkillsServiceDeps) {
    this.disabledStmt = deps.db.prepare('SELECT name FROM skill_settings WHERE enabled = 0');
  }

  /** Reads the folders; true when something changed since the last read. */
  reload(): boolean {
    const bundled = readSkills(this.deps.bundledDir, 'bundled');
    const user = readSkills(this.deps.userDir, 'user');
    this.skills = [...bundled, ...user];
    const signature = JSON.stringify(this.skills);
    const changed = signature !== this.signature;
    this.signature = signature;
    return changed;
  }

  /** Starts following both folders; a change reads them again after `debounceMs` and is announced as `skills.reloaded`. */
  watch(): void {
    for (const dir of [this.deps.bundledDir, this.deps.userDir]) {
      if (!dir) continue;
      try {
        const watcher = watch(dir, { recursive: true }, () => this.changed());
        watcher.on('error', (err) => this.deps.logger.log('warn', 'a skills folder cannot be followed', { dir, error: String(err) }));
        this.watchers.push(watcher);
      } catch (err) {
        this.deps.logger.log('warn', 'a skills folder cannot be followed', { dir, error: String(err) });
      }
    }
  }

  stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private changed(): void {
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      try {
        if (!this.reload()) return;
        const infos = this.list();
        this.deps.log.transaction(() => this.deps.log.append('skills.reloaded', { skills: infos.length, problems: infos.filter((s) => s.problems.length).length }, null));
      } catch (err) {
        this.deps.logger.log('error', 'reading the skills folders failed', { error: String(err) });
      }
    }, this.deps.debounceMs);
  }

  /** Every skill found, bundled first then the user's, each by name. */
  list(): SkillInfo[] {
    const disabled = this.disabled();
    const userNames = new Set(this.skills.filter((s) => s.source === 'user' && !s.problems.length).map((s) => s.name));
    return this.skills.map((s) => ({
      name: s.name,
      description: s.description,
      source: s.source,
      folder: s.folder,
      enabled: !disabled.has(s.name),
      allowedTools: s.allowedTools,
      problems: s.problems,
      overriddenBy: s.source === 'bundled' && userNames.has(s.name) ? 'user' : null,
    }));
  }

  /** The skill a name means: the user's when there is a valid one, else the bundled one. */
  find(name: string): SkillRecord | null {
    const matches = this.skills.filter((s) => s.name === name);
    return matches.find((s) => s.source === 'user' && !s.problems.length) ?? matches.find((s) => !s.problems.length) ?? matches[0] ?? null;
  }

  info(name: string): SkillInfo {
    const record = this.find(name);
    if (!record) throw new AppError('not_found', `no skill named ${name}; see skills list`);
    return this.list().find((s) => s.folder === record.folder)!;
  }

  show(name: string): SkillInfo & { body: string; files: string[] } {
    const info = this.info(name);
    const record = this.find(name)!;
    return { ...info, body: record.body, files: skillFiles(record.folder) };
  }

  setEnabled(name: string, enabled: boolean): SkillInfo {
    this.info(name);
    this.deps.log.transaction(() => this.deps.log.append('skill.toggled', { name, enabled }, null));
    return this.info(name);
  }

  /** The skills a run may use: valid, enabled, one per name, by name. */
  offered(): SkillRecord[] {
    const disabled = this.disabled();
    const byName = new Map<string, SkillRecord>();
    for (const s of this.skills) {
      if (s.problems.length || disabled.has(s.name)) continue;
      if (!byName.has(s.name) || s.source === 'user') byName.set(s.name, s);
    }
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A warning for each skill that cannot load, naming the file and the line. */
  healthChecks(): HealthCheck[] {
    const broken = this.skills.filter((s) => s.problems.length);
    if (!broken.length) return [{ name: 'skills', status: 'ok', detail: `${this.offered().length} skill(s) offered, ${this.skills.length} found` }];
    return broken.map((s) => ({
      name: `skill ${s.name}`,
      status: 'warn' as const,
      detail: `not loaded: ${s.problems.map((p) => `${p.file}${p.line === null ? '' : `:${p.line}`}: ${p.message}`).join('; ')}`,
    }));
  }

  private disabled(): Set<string> {
    return new Set((this.disabledStmt.all() as { name: string }[]).map((r) => r.name));
  }
}
