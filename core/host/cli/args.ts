import { parseArgs } from 'node:util';
import { AppError } from '../../contract/index.js';
import type { CliCommand, OptionSpec } from './types.js';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', value: 'DIR', description: 'the data folder (default: the app\'s own, or $AGENT_BLOB_DATA_DIR)' },
  json: { type: 'boolean', description: 'print machine-readable JSON instead of text' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

/** The words before the first flag-like token, skipping global options and their values. */
export function leadingWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') break;
    if (token === '--data-dir') {
      i++;
      continue;
    }
    if (token.startsWith('-')) continue;
    words.push(token);
  }
  return words;
}

/** The command whose name is the longest prefix of the leading words. */
export function findCommand(commands: readonly CliCommand[], words: readonly string[]): CliCommand | null {
  let best: CliCommand | null = null;
  for (const command of commands) {
    const name = command.name.split(' ');
    if (name.length > words.length || !name.every((w, i) => w === words[i])) continue;
    if (!best || name.length > best.name.split(' ').length) best = command;
  }
  return best;
}

export interface ParsedCommandLine {
  args: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
}

/** Parses the command line of `command`; unknown flags and missing values are usage errors. */
export function parseCommandLine(command: CliCommand, argv: readonly string[]): ParsedCommandLine {
  const rest = [...argv];
  for (const word of command.name.split(' ')) {
    const at = rest.indexOf(word);
    if (at >= 0) rest.splice(at, 1);
  }
  const specs = { ...GLOBAL_OPTIONS, ...command.options };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  try {
    const { values, positionals } = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
    return { args: positionals, flags: values as ParsedCommandLine['flags'] };
  } catch (err) {
    throw new AppError('invalid_input', `${(err as Error).message.replace(/\. To specify a positional.*$/s, '')}; see agent-blob ${command.name} --help`);
  }
}

/** A non-negative integer flag, or a usage error naming the flag. */
export function intFlag(flags: ParsedCommandLine['flags'], name: string, fallback?: number): number | undefined {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(value)) {
    throw new AppError('invalid_input', `--${name} needs a whole number, not "${String(raw)}"`);
  }
  return value;
}
