import { createInterface } from 'node:readline/promises';
import { isAppError } from '../../contract/index.js';
import { defaultDataDir } from '../../datadir/index.js';
import { onStopSignals } from '../shutdown.js';
import { GLOBAL_OPTIONS, findCommand, leadingWords, parseCommandLine } from './args.js';
import { COMMAND_GROUPS } from './commands/index.js';
import { openConnection, type CliConnection } from './connect.js';
import { EXIT, type CliCommand, type CliIO, type CommandContext, type OptionSpec } from './types.js';

const ALL_COMMANDS: CliCommand[] = COMMAND_GROUPS.flatMap((group) => group.commands);

/**
 * The real process: stdout, stderr, env, a signal aborted by the first Ctrl-C, SIGTERM or hangup of the
 * terminal the output goes to (onStopSignals), and one when the reader of stdout has gone.
 */
export function processIO(): CliIO & { dispose(): void } {
  const controller = new AbortController();
  const stopListening = onStopSignals({
    stop: () => controller.abort(),
    // A second Ctrl-C while the first is being handled means "stop now".
    now: () => process.exit(EXIT.interrupted),
    onHangupIgnored: () => writeUnlessGone(process.stderr, 'agent-blob: SIGHUP ignored: its output does not go to a terminal (stop it with SIGTERM)\n'),
  });
  const ask = async (question: string, signal: AbortSignal): Promise<string> => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // readline takes Ctrl-C from the terminal; hand it on so it still cancels the run.
    rl.on('SIGINT', () => process.emit('SIGINT', 'SIGINT'));
    try {
      return await rl.question(question, { signal });
    } finally {
      rl.close();
    }
  };
  dropOutputWhenReaderGone(process.stdout);
  dropOutputWhenReaderGone(process.stderr);
  // Nobody reads the output any more (`| head` had enough): a command that would print for ever
  // (`logs --follow`) stops; one that ends by itself (a chat reply, the host) goes on to its end.
  const gone = new AbortController();
  const onStdoutGone = (err: NodeJS.ErrnoException) => {
    if (isReaderGone(err, process.stdout)) gone.abort();
  };
  process.stdout.on('error', onStdoutGone);
  return {
    stdout: (text) => writeUnlessGone(process.stdout, text),
    stderr: (text) => writeUnlessGone(process.stderr, text),
    env: process.env,
    signal: controller.signal,
    outputGone: gone.signal,
    ask: process.stdin.isTTY && process.stderr.isTTY ? ask : undefined,
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    dispose() {
      stopListening();
      process.stdout.off('error', onStdoutGone);
    },
  };
}

const readerGone = new WeakSet<NodeJS.WritableStream>();

/**
 * What a write fails with when nobody reads the output any more: the pipe or socket was closed at
 * the other end, or the stream was already ended or destroyed. Anything else (a TypeError, a full
 * disk) is a fault to report, not output to drop.
 */
const READER_GONE = new Set(['EPIPE', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * Whether `err`, from writing to `stream`, says nobody reads it any more: one of READER_GONE, or EIO
 * from a terminal, which is what writing to a closed terminal gives (a command left running in the
 * background when its terminal window was closed). EIO from a file is a failing disk, and thrown.
 */
function isReaderGone(err: unknown, stream: { readonly isTTY?: boolean }): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  return READER_GONE.has(code) || (code === 'EIO' && stream.isTTY === true);
}

/**
 * A program that reads our output may go first (it was killed, `| head` had enough): writing to the
 * pipe then fails with EPIPE, an 'error' event that would end the process unhandled, before a command
 * finishes its clean-up (the host's lock and database). Output nobody can read is dropped instead.
 * Installed once and kept until exit, as the last write's error comes after the command returned.
 */
function dropOutputWhenReaderGone(stream: NodeJS.WriteStream): void {
  if (stream.listeners('error').includes(onOutputError)) return;
  stream.on('error', onOutputError);
}

function onOutputError(this: NodeJS.WriteStream, err: NodeJS.ErrnoException): void {
  if (!isReaderGone(err, this)) throw err;
  readerGone.add(this);
}

/**
 * Writes `text` unless the stream's reader has gone: a write that fails because it has (thrown at
 * once by a stream that writes synchronously) is dropped with all later ones; any other error is thrown.
 */
export function writeUnlessGone(stream: NodeJS.WritableStream & { readonly destroyed: boolean; readonly isTTY?: boolean }, text: string): void {
  if (readerGone.has(stream) || stream.destroyed) return;
  try {
    stream.write(text);
  } catch (err) {
    if (!isReaderGone(err, stream)) throw err;
    readerGone.add(stream);
  }
}

/** Runs one command line and returns its exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes('--version')) {
    const { APP_VERSION } = await import('../../app.js');
    io.stdout(`agent-blob ${APP_VERSION}\n`);
    return EXIT.ok;
  }
  const words = leadingWords(argv);
  const command = findCommand(ALL_COMMANDS, words);
  const wantsHelp = argv.includes('--help') || argv.includes('-h') || words[0] === 'help';
  if (!command) {
    const topic = words[0] === 'help' ? words[1] : words[0];
    const group = COMMAND_GROUPS.find((g) => g.name === topic);
    if (group) {
      io.stdout(groupHelp(group.name));
      return wantsHelp ? EXIT.ok : EXIT.usage;
    }
    if (words.length && words[0] !== 'help') {
      io.stderr(`agent-blob: unknown command "${words.join(' ')}"\n\n`);
      io.stderr(overallHelp());
      return EXIT.usage;
    }
    io.stdout(overallHelp());
    return wantsHelp || words[0] === 'help' ? EXIT.ok : EXIT.usage;
  }
  if (wantsHelp) {
    io.stdout(commandHelp(command));
    return EXIT.ok;
  }
  const json = argv.includes('--json');
  const opened: { connection: CliConnection | null; connecting: Promise<CliConnection> | null } = { connection: null, connecting: null };
  try {
    const parsed = parseCommandLine(command, argv);
    const dataDir = typeof parsed.flags['data-dir'] === 'string' ? parsed.flags['data-dir'] : defaultDataDir(io.env);
    const ctx: CommandContext = {
      args: parsed.args,
      flags: parsed.flags,
      json,
      dataDir,
      io,
      async connect() {
        opened.connecting ??= openConnection(dataDir, io.env).then((c) => (opened.connection = c));
        return (await opened.connecting).client;
      },
      connection: () => opened.connection?.mode ?? null,
    };
    return await command.run(ctx);
  } catch (err) {
    return reportError(io, json, err);
  } finally {
    await opened.connection?.close().catch(() => undefined);
  }
}

/** Prints an error the way the output mode wants it and picks the exit code for it. */
export function reportError(io: CliIO, json: boolean, err: unknown): number {
  const code = isAppError(err) ? err.code : 'internal';
  const message = isAppError(err) ? err.message : `unexpected error: ${(err as Error)?.message ?? String(err)}`;
  if (json) io.stdout(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
  io.stderr(`agent-blob: ${message}\n`);
  if (code === 'invalid_input') return EXIT.usage;
  if (code === 'unavailable' || (code === 'conflict' && /already running/.test(message))) return EXIT.unavailable;
  return EXIT.failed;
}

function usageLine(command: CliCommand): string {
  return `agent-blob ${command.name}${command.params ? ` ${command.params}` : ''}`;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    return `  ${flag.padEnd(24)} ${spec.description}`;
  });
}

function overallHelp(): string {
  const lines = ['Agent Blob: a local-first personal AI assistant.', '', 'Usage: agent-blob <command> [options]', '', 'Commands:'];
  for (const command of ALL_COMMANDS) lines.push(`  ${(command.name + (command.params ? ` ${command.params}` : '')).padEnd(24)} ${command.summary}`);
  lines.push('', 'Options for every command:', ...optionLines(GLOBAL_OPTIONS), '');
  lines.push('The command line talks to the running app when one owns the data folder, and starts the core itself otherwise.');
  lines.push('Run "agent-blob <command> --help" for a command\'s options. Exit codes: 0 ok, 1 failed, 2 usage, 3 unavailable, 130 interrupted.', '');
  return lines.join('\n');
}

/** Help for every group of that name: a capability may add commands to a group from its own file (runs show). */
function groupHelp(name: string): string {
  const groups = COMMAND_GROUPS.filter((g) => g.name === name);
  const commands = groups.flatMap((g) => g.commands);
  return [`${groups[0].summary}`, '', ...commands.map((c) => `  ${usageLine(c).padEnd(36)} ${c.summary}`), '', 'Run "agent-blob <command> --help" for its options.', ''].join('\n');
}

function commandHelp(command: CliCommand): string {
  const lines = [`Usage: ${usageLine(command)} [options]`, '', command.summary, ''];
  if (command.options && Object.keys(command.options).length) lines.push('Options:', ...optionLines(command.options), '');
  lines.push('Options for every command:', ...optionLines(GLOBAL_OPTIONS), '');
  return lines.join('\n');
}
