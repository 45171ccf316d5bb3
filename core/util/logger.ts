import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logs, one JSON object a line. Never pass secrets; `redact` runs over every line anyway. */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { log() {} };

/** A logger that appends JSON lines to a file (the data folder's `logs/agent-blob.log`). */
export function createFileLogger(file: string, redact: (text: string) => string = (t) => t): Logger {
  mkdirSync(dirname(file), { recursive: true });
  return {
    log(level, msg, fields) {
      const line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields });
      try {
        appendFileSync(file, redact(line) + '\n', { mode: 0o600 });
      } catch {
        // A full disk or a removed folder must not take the app down with it.
      }
    },
  };
}
