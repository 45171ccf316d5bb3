import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WAIT_MS } from '../support/wait.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Spawned {
  child: ChildProcess;
  /** The first line the child printed, parsed as JSON. */
  ready: Record<string, unknown>;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a Node child in the repo and waits for its first stdout line (JSON), or fails with its stderr.
 * The child's standard input is a pipe this process holds open and never writes: it closes when this
 * process ends, however it ends, so a child that stops when its input closes (`agent-blob host
 * --until-stdin-closes`, the crash children through `endWithParent`) never outlives a killed test run.
 */
export async function spawnUntilReady(args: string[], env: NodeJS.ProcessEnv, timeoutMs = WAIT_MS): Promise<Spawned> {
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('\n')) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the child exited before it was ready: ${err}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the child was not ready after ${timeoutMs} ms: ${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { child, ready: JSON.parse(out.split('\n')[0]) as Record<string, unknown>, stdout: () => out, stderr: () => err, exited };
}
