import { existsSync, readFileSync } from 'node:fs';

/** Running, and not a zombie waiting for a reaper (a container's init may never reap it). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/**
 * The pid a shell wrote with `echo $! > file`, or undefined until the whole line is there: the shell
 * creates the file before it writes into it, so a file that exists may still be empty.
 */
export function pidIn(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const m = /^(\d+)\n$/.exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : undefined;
}
