import { main } from '../../../core/host/cli/main.js';
import type { CliIO } from '../../../core/host/cli/types.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `agent-blob` in this process with captured output; `interrupt` aborts like Ctrl-C. */
export function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  interrupt?: AbortController,
  ask?: CliIO['ask'],
  stdin?: string,
): Promise<CliResult> & { output(): string; errors(): string } {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env,
    signal: (interrupt ?? new AbortController()).signal,
    ask,
    readStdin: stdin === undefined ? undefined : async () => stdin,
  };
  const done = main(argv, io).then((code) => ({ code, stdout, stderr }));
  return Object.assign(done, { output: () => stdout, errors: () => stderr });
}
