import { lstatSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { AppError, type AppEvent, type Artifact, type WorkerEnvelopeInput } from '../contract/index.js';
import type { ReadableDB, ReadStatement, WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { Ids } from '../util/index.js';

type Row = { id: string; run_id: string; name: string; type: string; size: number; path: string; created_at: number };

/** Keeps `artifacts` in step with `artifact.created` events. */
export function createArtifactsProjector(db: WritableDB): (event: AppEvent) => void {
  const insert = db.prepare('INSERT OR IGNORE INTO artifacts (id, run_id, name, type, size, path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  return (event) => {
    if (event.type !== 'artifact.created' || !event.runId) return;
    insert.run(event.data.id, event.runId, event.data.name, event.data.type, event.data.size, event.data.path, event.ts);
  };
}

/** Where a run's artifacts show in the timeline, and who made them (see `artifact.created`). */
export interface ArtifactPlace {
  source: string;
  threadId: string;
  runThreadId: string;
}

/** A file written and waiting for its `artifact.created` event. */
export interface WrittenArtifact {
  id: string;
  name: string;
  type: string;
  size: number;
  /** Relative to the artifacts folder. */
  path: string;
}

/**
 * Files runs hand back, under the data folder's `artifacts/<run id>/`, one row each. The file is
 * written first and its row comes with the event, so a row never points at a missing file; a file
 * whose event never committed is removed by `discard`.
 */
export class ArtifactStore {
  private readonly byId: ReadStatement;
  private readonly ofRun: ReadStatement;

  constructor(
    db: ReadableDB,
    private readonly log: EventLog,
    private readonly ids: Ids,
    readonly folder: string,
    private readonly placeOf: (runId: string) => ArtifactPlace | null = () => null,
  ) {
    this.byId = db.prepare('SELECT * FROM artifacts WHERE id = ?');
    this.ofRun = db.prepare('SELECT * FROM artifacts WHERE run_id = ? ORDER BY rowid');
  }

  /** Writes a run's artifacts to disk; `record` then appends their events (inside the run's transaction). */
  write(runId: string, inputs: WorkerEnvelopeInput['artifacts']): WrittenArtifact[] {
    if (!inputs.length) return [];
    const dir = join(this.folder, safeSegment(runId));
    mkdirSync(dir, { recursive: true });
    const taken = new Set<string>();
    return inputs.map((input) => {
      const name = input.name.trim();
      const file = uniqueName(safeFileName(name), taken);
      const abs = join(dir, file);
      writeFileSync(abs, input.content, { encoding: 'utf8', mode: 0o600 });
      return { id: this.ids.next('art'), name, type: input.type?.trim() || mediaTypeOf(file), size: Buffer.byteLength(input.content, 'utf8'), path: relative(this.folder, abs).split(sep).join('/') };
    });
  }

  /** Appends `artifact.created` for each written file, each an item of the timeline. Call inside a log transaction. */
  record(runId: string, written: readonly WrittenArtifact[]): void {
    if (!written.length) return;
    const place = this.placeOf(runId);
    for (const a of written) this.log.append('artifact.created', place ? { ...a, ...place } : a, runId);
  }

  /** Removes files whose events were never recorded (the run ended first). */
  discard(written: readonly WrittenArtifact[]): void {
    for (const a of written) if (!this.get(a.id)) rmSync(join(this.folder, a.path), { force: true });
  }

  get(id: string): Artifact | null {
    const row = this.byId.get(id) as Row | undefined;
    return row ? toArtifact(row) : null;
  }

  ofRunId(runId: string): Artifact[] {
    return (this.ofRun.all(runId) as Row[]).map(toArtifact);
  }

  /**
   * An artifact, where it is, and its text when it is text of at most 1 MB. Only a plain file inside
   * the artifacts folder is read: a symlink, or a path that leads out of the folder (a row restored
   * with `../`), is refused with `denied`.
   */
  read(id: string): { artifact: Artifact; path: string; text: string | null } {
    const row = this.byId.get(id) as Row | undefined;
    if (!row) throw new AppError('not_found', `no artifact ${id}`);
    const path = join(this.folder, row.path);
    let size: number;
    try {
      const real = realpathSync(path);
      const inside = relative(realpathSync(this.folder), real);
      if (!inside || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) throw new AppError('denied', `artifact ${id} points outside the artifacts folder (${row.path})`);
      const stat = lstatSync(path);
      if (!stat.isFile()) throw new AppError('denied', `artifact ${id} is not a plain file in the artifacts folder (a symlink or folder at ${row.path})`);
      size = stat.size;
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('not_found', `the file of artifact ${id} is gone from ${path}`);
    }
    const textual = /^text\/|json|xml|yaml|csv|markdown|javascript|typescript/.test(row.type);
    let text: string | null = null;
    if (textual && size <= 1_000_000) {
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        throw new AppError('not_found', `the file of artifact ${id} is gone from ${path}`);
      }
    }
    return { artifact: toArtifact(row), path, text };
  }
}

function toArtifact(row: Row): Artifact {
  return { id: row.id, runId: row.run_id, name: row.name, type: row.type, size: row.size, createdAt: row.created_at };
}

/** A name that is one path segment on every OS: no separators, no `..`, no reserved characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).filter(Boolean).at(-1) ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[<>:"|?*\u0000-\u001f]/g, '_').replace(/^\.+/, '').replace(/[. ]+$/, '').slice(0, 120);
  return cleaned || 'artifact.txt';
}

function safeSegment(id: string): string {
  return id.replace(/[^\w.-]/g, '_');
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
    const dot = name.lastIndexOf('.');
    candidate = dot > 0 ? `${name.slice(0, dot)}-${n}${name.slice(dot)}` : `${name}-${n}`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

const MEDIA_TYPES: Record<string, string> = {
  md: 'text/markdown',
  txt: 'text/plain',
  json: 'application/json',
  csv: 'text/csv',
  html: 'text/html',
  ts: 'text/typescript',
  js: 'text/javascript',
  py: 'text/x-python',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  xml: 'application/xml',
};

function mediaTypeOf(file: string): string {
  const ext = file.includes('.') ? file.slice(file.lastIndexOf('.') + 1).toLowerCase() : '';
  return MEDIA_TYPES[ext] ?? 'text/plain';
}
