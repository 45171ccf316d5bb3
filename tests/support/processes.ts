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

/**
 * Ends this process when its standard input closes. A child that `spawnUntilReady` started holds a
 * pipe from the test process as its input, which closes when that process ends however it ends (a
 * killed test run included), so the child does not outlive it. Its own tests kill it before that.
 */
export function endWithParent(): void {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}
