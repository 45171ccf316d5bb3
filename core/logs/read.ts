import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../util/index.js';

/** The log file in the data folder's `logs/`; rotated copies are `agent-blob.1.log` (newest) and up. */
export const LOG_FILE = 'agent-blob.log';

/** One line of the log. */
export interface LogEntry {
  ts: string;
  level: LogLevel;
  msg: string;
  runId?: string;
  [field: string]: unknown;
}

export interface LogFilter {
  /** Only lines about this run. */
  runId?: string;
  /** Only this level and more severe ones. */
  minLevel?: LogLevel;
}

/** The log files of `logsDir`, oldest first: the rotated ones by number, then the current one. */
export function logFiles(logsDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(logsDir);
  } catch {
    return [];
  }
  const rotated = names
    .map((name) => ({ name, n: /^agent-blob\.(\d+)\.log$/.exec(name)?.[1] }))
    .filter((f): f is { name: string; n: string } => f.n !== undefined)
    .sort((a, b) => Number(b.n) - Number(a.n))
    .map((f) => join(logsDir, f.name));
  return names.includes(LOG_FILE) ? [...rotated, join(logsDir, LOG_FILE)] : rotated;
}

/** A log line as an entry; a line that is not one of ours (torn by a crash, edited) becomes an `unreadable` entry. */
export function parseLogLine(line: string): LogEntry {
  try {
    const value = JSON.parse(line) as Partial<LogEntry>;
    if (value && typeof value === 'object' && typeof value.msg === 'string' && LOG_LEVELS.includes(value.level as LogLevel)) return value as LogEntry;
  } catch {
    // below
  }
  return { ts: '', level: 'warn', msg: 'unreadable log line', line };
}

export function matchesFilter(entry: LogEntry, filter: LogFilter): boolean {
  if (filter.runId !== undefined && entry.runId !== filter.runId) return false;
  if (filter.minLevel && LOG_LEVELS.indexOf(entry.level) < LOG_LEVELS.indexOf(filter.minLevel)) return false;
  return true;
}

/** Where reading the current log file stopped: `followLogs` goes on from there. */
export interface LogCursor {
  ino: number;
  position: number;
}

/** Every entry of the logs in `logsDir` that passes `filter`, oldest first. */
export function readLogs(logsDir: string, filter: LogFilter = {}): LogEntry[] {
  return readLogsWithCursor(logsDir, filter).entries;
}

/** `readLogs`, and the cursor at the end of what it read of the current file. */
export function readLogsWithCursor(logsDir: string, filter: LogFilter = {}): { entries: LogEntry[]; cursor: LogCursor | null } {
  const entries: LogEntry[] = [];
  let cursor: LogCursor | null = null;
  const current = join(logsDir, LOG_FILE);
  for (const file of logFiles(logsDir)) {
    const ino = identity(file)?.ino;
    const read = readFrom(file, 0);
    // Only whole lines: a line being written now is read by the follower once it is complete.
    const complete = read.text.slice(0, read.text.lastIndexOf('\n') + 1);
    if (file === current && ino !== undefined) cursor = { ino, position: Buffer.byteLength(complete) };
    for (const line of complete.split('\n')) {
      if (!line) continue;
      const entry = parseLogLine(line);
      if (matchesFilter(entry, filter)) entries.push(entry);
    }
  }
  return { entries, cursor };
}

/**
 * Calls `onEntry` for each line appended to the current log after `from` (by default, after this
 * call), across rotations, until `signal` aborts. Polls every `pollMs`: another process writes the logs.
 */
export async function followLogs(
  logsDir: string,
  filter: LogFilter,
  onEntry: (entry: LogEntry) => void,
  signal: AbortSignal,
  options: { from?: LogCursor | null; pollMs?: number } = {},
): Promise<void> {
  const pollMs = options.pollMs ?? 250;
  const file = join(logsDir, LOG_FILE);
  let current: { ino: number; size: number } | null;
  let position: number;
  if (options.from) {
    current = { ino: options.from.ino, size: options.from.position };
    position = options.from.position;
  } else {
    current = identity(file);
    position = current?.size ?? 0;
  }
  let partial = '';
  const emit = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      const entry = parseLogLine(line);
      if (matchesFilter(entry, filter)) onEntry(entry);
    }
  };
  while (!signal.aborted) {
    await new Promise<void>((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      // Each wait takes its listener off again: following for hours adds none to the signal.
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, pollMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    if (signal.aborted) break;
    const now = identity(file);
    if (current && (!now || now.ino !== current.ino)) {
      // Rotated, maybe more than once since the last look: finish the file we were reading (now
      // agent-blob.N.log), then every newer rotated file, then the new current one from its start.
      const rotated = logFiles(logsDir).filter((f) => f !== file);
      const at = rotated.findIndex((f) => identity(f)?.ino === current!.ino);
      if (at >= 0) emit(readFrom(rotated[at], position).text);
      partial = '';
      for (const newer of rotated.slice(at + 1)) emit(readFrom(newer, 0).text);
      partial = '';
      position = 0;
    }
    current = now;
    if (!now) continue;
    if (now.size < position) position = 0; // truncated by hand
    if (now.size > position) {
      const read = readFrom(file, position);
      emit(read.text);
      position = read.end;
    }
  }
}

function identity(file: string): { ino: number; size: number } | null {
  try {
    const s = statSync(file);
    return { ino: s.ino, size: s.size };
  } catch {
    return null;
  }
}

/** What `file` holds from `position` on, and where that ends. */
function readFrom(file: string, position: number): { text: string; end: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { text: '', end: position };
  }
  try {
    const size = statSync(file).size;
    if (size <= position) return { text: '', end: position };
    const buffer = Buffer.alloc(size - position);
    const read = readSync(fd, buffer, 0, buffer.length, position);
    return { text: buffer.subarray(0, read).toString('utf8'), end: position + read };
  } finally {
    closeSync(fd);
  }
}
