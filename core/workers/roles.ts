import { z } from 'zod';
import { AppError, WorkerPoolSettingsSchema, WorkerRoleSchema, type WorkerPoolSettings, type WorkerRole } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import { refuseKeysIn, SettingsRow } from '../settings/index.js';

const KEY = 'workers.settings';

export const DEFAULT_POOL: WorkerPoolSettings = { maxRunning: 3, maxDepth: 2 };

/** The roles a fresh data folder starts with; the user edits, adds and removes them. */
export const DEFAULT_ROLES: readonly WorkerRole[] = [
  {
    name: 'researcher',
    description: 'Finds and reads sources (files, web pages, memory) and reports what they say, with where each fact came from.',
    systemPrompt:
      'You are a careful researcher. Read the sources the task points to, or find them. Report what they say, not what you assume; say where each fact came from and what you could not find.',
    model: null,
    tools: ['read_text', 'list_dir', 'search_files', 'http_get', 'memory_search', 'current_time'],
    memory: 'read',
    budget: { tokens: 200_000, costUsd: 1, wallTimeSec: 15 * 60 },
  },
  {
    name: 'coder',
    description: 'Reads and changes code in the allowed folders and runs commands to check its work.',
    systemPrompt:
      'You are a careful programmer. Read the code before changing it, make the smallest change that does the task, run what checks it, and report exactly what you changed and what you verified.',
    model: null,
    tools: ['read_text', 'write_text', 'list_dir', 'search_files', 'run_command', 'current_time'],
    memory: 'none',
    budget: { tokens: 400_000, costUsd: 2, wallTimeSec: 30 * 60 },
  },
  {
    name: 'writer',
    description: 'Drafts and edits text (notes, letters, summaries) and hands the result back as an artifact.',
    systemPrompt:
      'You are a clear, plain writer. Write what the task asks for in the reader\'s terms, short sentences, no filler. Put a finished text in an artifact; keep the summary to what you wrote and why.',
    model: null,
    tools: ['read_text', 'list_dir', 'memory_search', 'current_time'],
    memory: 'read',
    budget: { tokens: 150_000, costUsd: 0.5, wallTimeSec: 10 * 60 },
  },
];

const StoredSchema = z.object({ roles: z.array(WorkerRoleSchema), pool: WorkerPoolSettingsSchema });
type Stored = { roles: WorkerRole[]; pool: WorkerPoolSettings };

/** Worker roles and the pool's limits, stored as one settings row; a change is a `settings.changed` event. */
export class WorkerSettingsService {
  private readonly row: SettingsRow<typeof StoredSchema>;
  private cache: Stored | null = null;

  constructor(
    db: WritableDB,
    private readonly log: EventLog,
    private readonly onPoolChange: (pool: WorkerPoolSettings) => void = () => {},
  ) {
    this.row = new SettingsRow(db, KEY, StoredSchema, { roles: [...DEFAULT_ROLES], pool: DEFAULT_POOL });
  }

  roles(): readonly WorkerRole[] {
    return this.read().roles;
  }

  role(name: string): WorkerRole | null {
    return this.read().roles.find((r) => r.name === name) ?? null;
  }

  pool(): WorkerPoolSettings {
    return this.read().pool;
  }

  /** Adds a role, or replaces the one with its name. */
  saveRole(role: WorkerRole): WorkerRole {
    const roles = this.read().roles.filter((r) => r.name !== role.name);
    const index = this.read().roles.findIndex((r) => r.name === role.name);
    roles.splice(index === -1 ? roles.length : index, 0, role);
    this.write({ ...this.read(), roles }, ['workers.roles']);
    return role;
  }

  removeRole(name: string): { name: string } {
    if (!this.role(name)) throw new AppError('not_found', `no worker role named ${name}`);
    this.write({ ...this.read(), roles: this.read().roles.filter((r) => r.name !== name) }, ['workers.roles']);
    return { name };
  }

  setPool(patch: Partial<WorkerPoolSettings>): WorkerPoolSettings {
    const pool = WorkerPoolSettingsSchema.parse({ ...this.read().pool, ...patch });
    this.write({ ...this.read(), pool }, ['workers.pool']);
    this.onPoolChange(pool);
    return pool;
  }

  private read(): Stored {
    if (this.cache) return this.cache;
    const stored: Partial<Record<keyof Stored, unknown>> = this.row.readStored();
    // Role by role, so one a newer or older version wrote differently costs only that role.
    const roles = Array.isArray(stored.roles)
      ? stored.roles.flatMap((r) => {
          const parsed = WorkerRoleSchema.safeParse(r);
          return parsed.success ? [parsed.data] : [];
        })
      : [...DEFAULT_ROLES];
    const pool = WorkerPoolSettingsSchema.safeParse(stored.pool);
    this.cache = { roles, pool: pool.success ? pool.data : DEFAULT_POOL };
    return this.cache;
  }

  private write(next: Stored, keys: string[]): void {
    refuseKeysIn(this.log, next);
    // The settings projector writes the row from the event.
    this.log.transaction(() => this.log.append('settings.changed', { keys, values: { [KEY]: next } }));
    this.cache = next;
  }
}
