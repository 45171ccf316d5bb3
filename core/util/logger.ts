import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Most to least detailed; a level filter keeps a level and everything after it. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Structured logs, one JSON object a line. Never pass secrets; `redact` runs over every line anyway.
 * A line about a run carries `runId` (and `toolCallId`, `requestId` where there is one).
 */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { log() {} };

/** A logger that adds `fields` to every line (`withFields(logger, { runId })`). */
export function withFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return { log: (level, msg, more) => logger.log(level, msg, { ...fields, ...more }) };
}

export interface FileLoggerOptions {
  redact?: (text: string) => string;
  /** The file is rotated before it would pass this size (default 5 MB). */
  maxBytes?: number;
  /** Rotated files kept beside the current one: `agent-blob.1.log` (newest) … `agent-blob.N.log` (default 4). */
  keep?: number;
  now?: () => number;
}

export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_KEEP = 4;

/** `agent-blob.log` -> `agent-blob.3.log`: the name of the n-th rotated file (n >= 1). */
export function rotatedLogName(file: string, n: number): string {
  const ext = extname(file);
  return join(dirname(file), `${basename(file, ext)}.${n}${ext}`);
}

/**
 * A logger that appends JSON lines to a file (the data folder's `logs/agent-blob.log`), rotated by
 * size: at most `keep + 1` files of about `maxBytes` each, so the logs of a year stay small.
 */
export function createFileLogger(file: string, options: FileLoggerOptions = {}): Logger & { rotate(): void } {
  const redact = options.redact ?? ((t: string) => t);
  const maxBytes = options.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const keep = options.keep ?? DEFAULT_LOG_KEEP;
  const now = options.now ?? Date.now;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let size = sizeOf(file);
  const rotate = () => {
    rmSync(rotatedLogName(file, keep), { force: true });
    for (let n = keep - 1; n >= 1; n--) {
      try {
        renameSync(rotatedLogName(file, n), rotatedLogName(file, n + 1));
      } catch {
        // that one does not exist yet
      }
    }
    if (keep > 0) renameSync(file, rotatedLogName(file, 1));
    else rmSync(file, { force: true });
    size = 0;
  };
  return {
    log(level, msg, fields) {
      const line = `${redact(JSON.stringify({ ts: new Date(now()).toISOString(), level, msg, ...fields }))}\n`;
      const bytes = Buffer.byteLength(line);
      try {
        if (size > 0 && size + bytes > maxBytes) rotate();
        appendFileSync(file, line, { mode: 0o600 });
        size += bytes;
      } catch {
        // A full disk or a removed folder must not take the app down with it.
        size = sizeOf(file);
      }
    },
    rotate() {
      try {
        if (sizeOf(file) > 0) rotate();
      } catch {
        // as above
      }
    },
  };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
