import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs a command with a terminal (a pseudo-terminal) for standard output, and for standard error too
 * unless asked otherwise, in a session of its own; closes the terminal, as closing its window does,
 * once the command has printed a given text (by default a line). With --controlling the terminal is
 * the command's controlling terminal, as for a command run in front in a terminal window: closing it
 * sends the command SIGHUP. Without, the command is one left running in the background, detached
 * from it. Then says how the command ended: by itself, or after SIGTERM, which a line on the runner's
 * own input asks for (or its input closing; SIGKILL 30 s later), also before the terminal has closed
 * (then it does not say that the terminal closed).
 */
const ON_A_TERMINAL = String.raw`
import fcntl, os, select, signal, subprocess, sys, termios
args = sys.argv[1:]
stderr_here = controlling = False
close_after = b'\n'
while args[0].startswith('--'):
    option = args.pop(0)
    if option == '--stderr-here': stderr_here = True
    elif option == '--controlling': controlling = True
    elif option == '--close-after': close_after = args.pop(0).encode()
def prepare_child():
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed if this runner is
    except Exception:
        pass
    if controlling:
        fcntl.ioctl(1, termios.TIOCSCTTY, 0)
master, slave = os.openpty()
child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=slave, stderr=None if stderr_here else slave, start_new_session=True, preexec_fn=prepare_child)
os.close(slave)
stopped = False
def stop():
    global stopped
    sys.stdin.readline()
    child.send_signal(signal.SIGTERM)
    stopped = True
seen = b''
while close_after not in seen:
    # Stopped even while the command has not printed what the terminal waits for (a failed test).
    if sys.stdin in select.select([master, sys.stdin], [], [])[0]:
        stop()
        break
    try:
        chunk = os.read(master, 4096)
    except OSError:  # EIO: every other end of the terminal is closed (the command ended)
        chunk = b''
    if not chunk: break
    seen += chunk
os.close(master)
if not stopped: print('terminal closed', flush=True)
while child.poll() is None and not stopped:
    if select.select([sys.stdin], [], [], 0.05)[0]:
        stop()
try:
    child.wait(timeout=30)
except subprocess.TimeoutExpired:
    child.kill()
    child.wait()
print('ended after SIGTERM' if stopped else 'ended by itself', flush=True)
`;

/** Why the terminal tests cannot run here, or false. */
export const noPty = process.platform === 'win32' ? 'no pseudo-terminals' : spawnSync('python3', ['-c', 'import pty'], { stdio: 'ignore' }).status !== 0 ? 'python3 makes the terminal' : false;

export interface TerminalOptions {
  /** Standard error stays this runner's pipe (stderr()) instead of the terminal. */
  stderrHere?: boolean;
  /** The terminal is the command's controlling terminal: closing it sends the command SIGHUP. */
  controlling?: boolean;
  /** The terminal closes once the command has printed this (by default its first line). */
  closeAfter?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * `command` (a program and its arguments, run in the repository) on a terminal that closes after it
 * printed its first line or `closeAfter`: what the runner says, and its standard error.
 */
export function onClosingTerminal(dir: string, command: string[], options: TerminalOptions = {}) {
  const script = join(dir, 'on-a-terminal.py');
  writeFileSync(script, ON_A_TERMINAL);
  const flags = [...(options.stderrHere ? ['--stderr-here'] : []), ...(options.controlling ? ['--controlling'] : []), ...(options.closeAfter ? ['--close-after', options.closeAfter] : [])];
  const runner = spawn('python3', [script, ...flags, ...command], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let said = '';
  let stderr = '';
  runner.stdout.on('data', (c: Buffer) => (said += c.toString()));
  runner.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const ended = new Promise<void>((resolve) => runner.once('close', () => resolve()));
  return {
    said: () => said,
    stderr: () => stderr,
    stop: () => runner.stdin.write('stop\n'),
    /** Stops the command if it still runs and waits for the runner to end. */
    finish: async () => {
      runner.stdin.end();
      await ended;
    },
  };
}
