import type { PermissionTestResult } from '../contract/index.js';
import { compilePathGlob } from './glob.js';
import type { ShellCommand, ShellWord } from './shell.js';

type Part = PermissionTestResult['parts'][number];

/** Bounds on the path check of a command's arguments; past them the call asks. */
export const MAX_ARGUMENT_CHECKS = 200;
export const MAX_GLOB_NAMES = 2000;

/** What the check needs of the policy and the file system. */
export interface ArgumentIO {
  /** Where relative paths lead when the folder cannot be followed (for the absolute ones only). */
  fallback: string;
  /** The parts (nothing when allowed) of reading `raw`, relative to `base`, as a file tool would. */
  read(text: string, raw: string, base: string): Part[];
  exists(path: string): boolean;
  /** The real path `raw` leads to from `base`, or null. */
  resolve(raw: string, base: string): string | null;
  /** The names in a folder (null: cannot list); absent where listing is not possible. */
  list: ((folder: string) => string[] | null) | null;
}

/**
 * Checks the arguments of every command of a line that name paths (see `argumentChecks`); only what
 * is not allowed becomes a part. The folder each command runs in is followed through `cd`: a relative
 * path is checked against the working folder and every folder a `cd` before it named (a `cd` inside
 * `( … )` does not outlive it, so both are possible); after a `cd` that cannot be followed (`cd -`,
 * `popd`, `cd $X`), relative paths cannot be placed: a path is denied, a bare name asks.
 */
export function checkArguments(commands: readonly ShellCommand[], cwd: string, io: ArgumentIO): Part[] {
  const out: Part[] = [];
  let bases: string[] | null = [cwd];
  let budget = MAX_ARGUMENT_CHECKS;
  const part = (text: string, decision: 'ask' | 'deny', reason: string): Part => ({ kind: 'argument', text, decision, ruleId: null, reason });
  const readAt = (text: string, raw: string): Part[] => {
    if (bases) return bases.flatMap((base) => io.read(text, raw, base));
    return isRelative(raw) ? [part(text, 'deny', 'a relative path after a change of folder that cannot be followed')] : io.read(text, raw, io.fallback);
  };
  const check = (c: ArgumentCheck, text: string): Part[] => {
    if (c.kind === 'unknown') return [part(text, 'ask', c.why)];
    if (c.kind === 'path') return readAt(text, c.raw);
    if (c.kind === 'entry') {
      // A bare name is inside the folder the command runs in; only a link there can lead elsewhere.
      if (!bases) return [part(text, 'ask', 'a name in a folder that a change of folder made unknown')];
      return bases.some((b) => io.exists(`${b}/${c.raw}`)) ? readAt(text, `./${c.raw}`) : [];
    }
    const folder = readAt(text, c.folder);
    if (folder.length) return folder;
    if (!io.list) return [part(text, 'ask', 'the names a glob matches cannot be listed here')];
    const matches = compilePathGlob(c.pattern);
    for (const base of bases ?? [io.fallback]) {
      const where = io.resolve(c.folder, base);
      if (!where) continue;
      const names = io.list(where) ?? [];
      if (names.length > MAX_GLOB_NAMES) return [part(text, 'ask', `${c.folder} holds more than ${MAX_GLOB_NAMES} names to check`)];
      for (const name of names) {
        if (matches && matches(name) === false) continue;
        const bad = io.read(text, `${where}/${name}`, base);
        if (bad.length) return bad.map((p) => ({ ...p, reason: `the glob matches ${name}: ${p.reason}` }));
      }
    }
    return [];
  };
  for (const command of commands) {
    for (const word of command.parts.slice(1)) {
      for (const c of argumentChecks(word)) {
        if (--budget < 0) return [...out, part(command.text.slice(0, 200), 'ask', `more than ${MAX_ARGUMENT_CHECKS} arguments to check`)];
        out.push(...check(c, word.text));
      }
    }
    const change = folderChange(command);
    if (!change) continue;
    if (!change.known || !change.to || !bases) {
      bases = null;
      continue;
    }
    const to = change.to;
    if (command.parts.length === 1) out.push(...readAt(command.text, '~'));
    const raw = !to.tilde && to.text.startsWith('~') ? `./${to.text}` : to.text;
    const next: string[] = bases.map((b) => io.resolve(raw, b)).filter((p): p is string => p !== null);
    bases = [...new Set([...bases, ...next])];
    if (bases.length > 8) bases = null;
  }
  return out;
}

function isRelative(raw: string): boolean {
  return !raw.startsWith('/') && !raw.startsWith('~') && !/^file:/i.test(raw) && !/^[A-Za-z]:[\\/]/.test(raw) && !raw.startsWith('\\\\');
}

/**
 * Which words of a command count as paths. A rule like `allow ls *` vouches for the command, not for
 * where its arguments lead: `ls -la ~/.ssh` and `ls ..` name folders a file tool could not read. Each
 * argument (every word after the command name) is read as the shell would expand it:
 *
 * - a word with a `/`, or `.`/`..`, or an unquoted leading `~`, is a path (a URL such as
 *   `https://…` is not; `file:` URLs are);
 * - the value of `--opt=VALUE`, `-oVALUE` (when VALUE has a `/` or starts with `~` or `.`) and of
 *   `name=VALUE` (`dd if=/etc/x`) is read the same way;
 * - a bare name (`notes.txt`) names something in the working folder: it is checked when it exists,
 *   since it may be a symbolic link or a hard link to a file elsewhere;
 * - an unquoted glob (`*.md`, `../*`) is checked through its folder, and every name in that folder it
 *   could match; a glob across folders (`src/*\/x`) cannot be placed for certain;
 * - a word with a variable or a substitution (`$HOME/x`, `$(…)`) cannot be known before it runs: its
 *   literal folder, if any, is checked, and the call asks a person;
 * - `-`, `--` and `/dev/null` are not files.
 */
type ArgumentCheck =
  | { kind: 'path'; raw: string }
  | { kind: 'entry'; raw: string }
  | { kind: 'glob'; folder: string; pattern: string }
  | { kind: 'unknown'; raw: string; why: string };

/** What to check for one argument. */
export function argumentChecks(word: ShellWord): ArgumentCheck[] {
  const { text } = word;
  if (text === '-' || text === '--' || text === '/dev/null') return [];
  let value = text;
  let offset = 0;
  if (text.startsWith('-')) {
    const eq = text.indexOf('=');
    const short = /^-[A-Za-z0-9](.+)$/.exec(text);
    if (eq > 0) offset = eq + 1;
    else if (short && !text.startsWith('--') && /^[~.]|\//.test(short[1])) offset = 2;
    else return word.varAt >= 0 ? [{ kind: 'unknown', raw: text, why: 'an option with a variable or substitution' }] : [];
    value = text.slice(offset);
  } else {
    const assignment = /^[A-Za-z_][A-Za-z0-9_.-]*=/.exec(text);
    if (assignment) {
      // `if=/etc/x` is a path after the `=`; the whole word is a relative name (checked below too).
      const rest: ShellWord = { text: text.slice(assignment[0].length), globAt: shift(word.globAt, assignment[0].length), varAt: shift(word.varAt, assignment[0].length), tilde: false };
      return [...checksOf(rest, false), ...checksOf(word, word.tilde)];
    }
  }
  if (!value) return [];
  return checksOf({ text: value, globAt: shift(word.globAt, offset), varAt: shift(word.varAt, offset), tilde: offset === 0 ? word.tilde : value.startsWith('~') }, offset === 0 ? word.tilde : value.startsWith('~'));
}

function shift(at: number, by: number): number {
  return at < 0 ? -1 : Math.max(0, at - by);
}

function checksOf(word: ShellWord, tilde: boolean): ArgumentCheck[] {
  const text = word.text;
  if (!text || text === '/dev/null') return [];
  // A quoted `~` is a folder named `~`, not the home folder.
  const asPath = (raw: string) => (!tilde && raw.startsWith('~') ? `./${raw}` : raw);
  if (word.varAt >= 0) {
    const literal = text.slice(0, word.varAt);
    const slash = literal.lastIndexOf('/');
    const checks: ArgumentCheck[] = [];
    if (slash >= 0 && (word.globAt < 0 || word.globAt > slash)) checks.push({ kind: 'path', raw: asPath(literal.slice(0, slash) || '/') });
    else if (tilde && !literal.includes('/')) checks.push({ kind: 'path', raw: '~' });
    checks.push({ kind: 'unknown', raw: text, why: 'a variable or substitution: where it leads is known only when it runs' });
    return checks;
  }
  if (word.globAt >= 0) {
    const literal = text.slice(0, word.globAt);
    const slash = literal.lastIndexOf('/');
    const folder = slash < 0 ? '.' : literal.slice(0, slash) || '/';
    const pattern = text.slice(slash + 1);
    if (pattern.includes('/')) return [{ kind: 'path', raw: asPath(folder) }, { kind: 'unknown', raw: text, why: 'a glob across folders cannot be placed for certain' }];
    return [{ kind: 'glob', folder: asPath(folder), pattern }];
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text) && !/^file:/i.test(text)) return [];
  if (tilde || text.includes('/') || text === '.' || text === '..' || /^file:/i.test(text)) return [{ kind: 'path', raw: asPath(text) }];
  return [{ kind: 'entry', raw: text }];
}

/** Commands that change the shell's folder for the commands after them. */
export function folderChange(command: ShellCommand): { to: ShellWord | null; known: boolean } | null {
  const head = command.words[0];
  if (head !== 'cd' && head !== 'pushd' && head !== 'popd' && head !== 'chdir') return null;
  if (head === 'popd') return { to: null, known: false };
  const args = command.parts.slice(1).filter((w) => !(w.text.startsWith('-') && w.text.length > 1 && w.varAt < 0));
  if (!args.length) return head === 'pushd' ? { to: null, known: false } : { to: { text: '~', globAt: -1, varAt: -1, tilde: true }, known: true };
  const to = args[0];
  if (to.text === '-' || to.varAt >= 0 || to.globAt >= 0) return { to: null, known: false };
  return { to, known: true };
}
