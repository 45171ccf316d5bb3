import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { uptime } from 'node:os';
import { dirname } from 'node:path';
import { AppError } from '../contract/index.js';

/** What the lock file says about the process that owns a data folder. */
export interface LockInfo {
  pid: number;
  startedAt: number;
  /** Which app holds it: the desktop app, the headless host, or a CLI command running core in-process. */
  owner: 'desktop' | 'host' | 'cli';
  /** Where clients reach it, once its gateway listens. The token is as secret as the file (0600). */
  endpoint: { url: string; token: string } | null;
  /** The boot of the machine it was written in (`currentBoot()`); absent in locks of older versions. */
  boot?: string;
  /**
   * When the holding process started (`processStartTime`), where the system says: a live process
   * under the same pid that started at another time is another program that was given the pid.
   */
  processStart?: string;
}

/**
 * How far apart two boot times read from the wall clock may be and still be one boot: the clock can be
 * corrected while the machine runs, and a lock wrongly thought stale would let two processes write.
 */
const BOOT_SLACK_MS = 5 * 60_000;

/**
 * This boot of the machine: Linux's boot id, else when it booted, from the wall clock and the uptime
 * (to the second). A lock from another boot names a process id that has been given out again since.
 */
export function currentBoot(): string {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    if (id) return `id:${id}`;
  } catch {
    // not Linux, or no /proc: fall back to the boot time
  }
  return `at:${Math.round((Date.now() - uptime() * 1000) / 1000) * 1000}`;
}

/** Whether a lock was written before the machine last started (then its process is gone, whatever runs under its pid now). */
export function writtenBeforeBoot(lockBoot: string | undefined, boot: string): boolean {
  if (!lockBoot) return false; // an older version's lock: only the pid can tell
  if (lockBoot.startsWith('id:') && boot.startsWith('id:')) return lockBoot !== boot;
  if (lockBoot.startsWith('at:') && boot.startsWith('at:')) return Number(boot.slice(3)) - Number(lockBoot.slice(3)) > BOOT_SLACK_MS;
  return false;
}

export interface DataDirLock {
  readonly path: string;
  readonly info: LockInfo;
  /** Publishes the address clients reach this process at. */
  setEndpoint(endpoint: LockInfo['endpoint']): void;
  release(): void;
}

/** Thrown when another live process owns the data folder; carries its lock so a CLI can connect to it. */
export class DataDirBusyError extends AppError {
  readonly holder: LockInfo;
  constructor(path: string, holder: LockInfo) {
    const where = holder.endpoint ? `${holder.endpoint.url}` : 'no client endpoint';
    super('conflict', `Agent Blob is already running at ${where} (${holder.owner}, pid ${holder.pid}); lock file ${path}`);
    this.holder = holder;
  }
}

export function readLock(path: string): LockInfo | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return typeof parsed.pid === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * Whether a process with this id runs. Only a positive whole number names one process: `kill(0)`
 * signals the caller's own group and `kill(-1)` every process, so a lock saying pid 0 or -1 would
 * look alive for ever.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * When a process started, as the system counts it (Linux: clock ticks after boot, field 22 of
 * /proc/<pid>/stat), or undefined where it cannot be read (another system, no such process).
 */
export function processStartTime(pid: number): string | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name in parentheses may hold spaces and parentheses; the fields after the last ')' do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the process a lock names still holds it: it runs, the lock is of this boot, and the process
 * under that pid started when the holder did (else the pid was given to another program since).
 */
export function lockHolderAlive(holder: LockInfo, boot: string = currentBoot()): boolean {
  if (!isProcessAlive(holder.pid) || writtenBeforeBoot(holder.boot, boot)) return false;
  if (holder.processStart === undefined) return true; // an older version's lock, or a system that cannot say
  const started = processStartTime(holder.pid);
  return started === undefined || started === holder.processStart;
}

/**
 * Takes the data folder's lock, or throws `DataDirBusyError` naming the live holder. A lock left by a
 * dead process, written before the machine last started (its pid may belong to another program
 * now, after a crash or a Windows shutdown that skipped the clean quit), naming a pid now held by a
 * process that started at another time, or naming no process (0, -1) is taken over. Creation is
 * atomic (`O_EXCL`), so two starters cannot both win.
 */
export function acquireLock(path: string, owner: LockInfo['owner'], now: number = Date.now(), boot: string = currentBoot()): DataDirLock {
  mkdirSync(dirname(path), { recursive: true });
  const processStart = processStartTime(process.pid);
  const info: LockInfo = { pid: process.pid, startedAt: now, owner, endpoint: null, boot, ...(processStart ? { processStart } : {}) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      return makeLock(path, info);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readLock(path);
      if (holder && holder.pid !== process.pid && lockHolderAlive(holder, boot)) throw new DataDirBusyError(path, holder);
      if (!holder && attempt === 0) {
        // The holder may be between creating the file and writing it.
        sleepSync(50);
        if (readLock(path)) continue;
      }
      try {
        unlinkSync(path);
      } catch {
        // Someone else removed it first; try again.
      }
    }
  }
  throw new AppError('conflict', `could not take the lock ${path}`);
}

function makeLock(path: string, info: LockInfo): DataDirLock {
  let released = false;
  return {
    path,
    info,
    setEndpoint(endpoint) {
      // After release the file may belong to another process; never write over it.
      if (released) return;
      info.endpoint = endpoint;
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(info), { mode: 0o600 });
      renameSync(tmp, path);
    },
    release() {
      if (released) return;
      released = true;
      const holder = readLock(path);
      if (holder && holder.pid === process.pid) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    },
  };
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
