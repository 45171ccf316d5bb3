import type { Client } from '../../contract/index.js';

/** Exit codes of every command; docs/cli.md lists them. */
export const EXIT = {
  ok: 0,
  /** The command ran and reports a failure: a failed run, a refused request, a hard doctor check. */
  failed: 1,
  /** The command line or the arguments were wrong. */
  usage: 2,
  /** The app could not be reached or the data folder could not be opened. */
  unavailable: 3,
  /** Stopped with Ctrl-C (a chat run was cancelled). */
  interrupted: 130,
} as const;

/** Where a command's output goes and what it may read; injected so tests run commands in-process. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl-C, SIGTERM or the hangup of the terminal the output goes to (onStopSignals). */
  signal: AbortSignal;
  /** Aborted once nobody reads stdout any more (EPIPE: `| head` had enough): a command that would print for ever (`logs --follow`) stops. */
  outputGone?: AbortSignal;
  /** All of standard input, for `chat -`. */
  readStdin?: () => Promise<string>;
  /** Asks the person at the terminal; absent when nobody is there (piped, scripted). */
  ask?: (question: string, signal: AbortSignal) => Promise<string>;
  /** Called by a long-running command (`host`) once it serves: bin/agent-blob.js then caches the compiled code. */
  ready?: () => void;
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help, with the value's name for string options: `--since SEQ`. */
  description: string;
  value?: string;
  /** May be given more than once (`--arg A --arg B`); its value is then a list. */
  multiple?: boolean;
}

/** How the CLI reached core: the running app over its WebSocket, or a core it started itself. */
export type ConnectionMode = { kind: 'app'; url: string; owner: string; pid: number } | { kind: 'inprocess' };

export interface CommandContext {
  /** Positional arguments after the command's name. */
  args: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
  json: boolean;
  dataDir: string;
  io: CliIO;
  /** Connects on first use (the running app, else an in-process core); closed after the command. */
  connect(): Promise<Client>;
  /** How `connect` reached core; null before it was called. */
  connection(): ConnectionMode | null;
}

/** One command of the CLI, named by one or more words (`runs cancel`). */
export interface CliCommand {
  name: string;
  /** What follows the name in usage lines: `ID`, `"text"`. */
  params?: string;
  summary: string;
  options?: Record<string, OptionSpec>;
  run(ctx: CommandContext): Promise<number>;
}

/** A family of commands in one file (`runs list`, `runs cancel`); registered in commands/index.ts. */
export interface CommandGroup {
  name: string;
  summary: string;
  commands: CliCommand[];
}
