import { spawn } from 'node:child_process';
import { lstatSync, realpathSync } from 'node:fs';
import { z } from 'zod';
import { PathSchema } from '../contract/index.js';
import { absoluteFor, resolveInsideRoots } from './paths.js';
import { ToolError, defineTool } from './types.js';

export const COMMAND_TIMEOUT_MS = 60_000;
export const COMMAND_OUTPUT_CAP = 64 * 1024;

/**
 * Runs a shell command in a folder inside the allowed roots, with a scrubbed environment, a timeout
 * and an output cap. It runs in its own process group so a cancel or timeout kills everything it started.
 */
export const runCommandTool = defineTool({
  name: 'run_command',
  description: 'Run a shell command (sh -c) in a folder inside the allowed roots; returns exit code, stdout and stderr.',
  args: z.object({
    command: z.string().min(1).max(10_000),
    cwd: PathSchema.optional().describe('working folder; the default is the first allowed root'),
    timeoutMs: z.number().int().min(100).max(600_000).optional(),
  }),
  capability: 'shell.exec',
  resource: (args) => args.command,
  workingDir: (args, ctx) => absoluteFor(args.cwd ?? ctx.roots[0] ?? '.', ctx),
  summarize: (args) => `run \`${args.command.slice(0, 200)}\`${args.cwd ? ` in ${args.cwd}` : ''}`,
  async run(args, ctx) {
    const cwd = ctx.approvedCwd === undefined ? resolveInsideRoots(args.cwd ?? ctx.roots[0] ?? '.', ctx) : checkedFolder(ctx.approvedCwd);
    if (ctx.signal.aborted) throw new ToolError('cancelled', 'the run was cancelled');
    const timeoutMs = args.timeoutMs ?? COMMAND_TIMEOUT_MS;
    return await new Promise((resolvePromise, reject) => {
      const child = spawn('/bin/sh', ['-c', args.command], { cwd, env: { ...ctx.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let clipped = false;
      let ended: 'timeout' | 'cancelled' | null = null;
      const take = (current: string, chunk: Buffer): string => {
        const room = COMMAND_OUTPUT_CAP - stdout.length - stderr.length;
        if (room <= 0) {
          clipped = true;
          return current;
        }
        const text = chunk.toString('utf8');
        if (text.length > room) clipped = true;
        return current + text.slice(0, room);
      };
      child.stdout.on('data', (c: Buffer) => (stdout = take(stdout, c)));
      child.stderr.on('data', (c: Buffer) => (stderr = take(stderr, c)));
      const killGroup = () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // the group is already gone
        }
      };
      const timer = setTimeout(() => {
        ended = 'timeout';
        killGroup();
      }, timeoutMs);
      const onAbort = () => {
        ended = 'cancelled';
        killGroup();
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.on('error', (err) => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        reject(new ToolError('failed', `cannot start the command: ${err.message}`));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        // Whatever the shell left behind in its group goes with it.
        killGroup();
        if (ended === 'cancelled') return reject(new ToolError('cancelled', 'the run was cancelled; the command was killed'));
        if (ended === 'timeout') return reject(new ToolError('timeout', `the command ran past ${timeoutMs} ms and was killed`));
        const exit = code ?? (signal ? `signal ${signal}` : 'unknown');
        const text = `exit ${exit}${clipped ? ' [output truncated]' : ''}\n--- stdout\n${stdout}${stderr ? `\n--- stderr\n${stderr}` : ''}`;
        resolvePromise({ text, data: { exitCode: code, signal, truncated: clipped } });
      });
    });
  },
});

/**
 * The folder the gate approved, still as it was checked: a real folder, no link anywhere on its path.
 * Anything else changed since the check, and the command does not run.
 */
function checkedFolder(path: string): string {
  let stat;
  let real;
  try {
    stat = lstatSync(path);
    real = realpathSync.native(path);
  } catch (err) {
    throw new ToolError('not_found', `the approved working folder ${path} is gone (${(err as NodeJS.ErrnoException).code ?? 'error'}); the command did not run`);
  }
  if (!stat.isDirectory()) throw new ToolError('failed', `the approved working folder ${path} is no longer a folder; the command did not run`);
  if (real !== path) throw new ToolError('denied', `the approved working folder ${path} now leads to ${real}; the command did not run`);
  return path;
}

/** Variable names that look like credentials; they never reach a command. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH|COOKIE|SESSION)/i;

/** The environment commands get: the parent's, minus anything that looks like a credential. */
export function scrubbedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SECRET_NAME.test(name)) continue;
    out[name] = value;
  }
  return out;
}
