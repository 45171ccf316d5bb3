/**
 * Splits a shell command line into the simple commands it runs and the files it redirects to, the
 * way a POSIX shell would read it: `;`, `&&`, `||`, `|`, `|&`, `&`, newlines, `( … )` groups,
 * `$( … )`, backticks, `<( … )` / `>( … )`, and redirections (`>`, `>>`, `>|`, `&>`, `2>`, `<`, `<>`).
 * A command a prefix rule allows is then allowed only when every part is, and every redirection
 * target is checked as a file write or read. What it cannot read for certain it refuses.
 */

export interface ShellCommand {
  /** The words after quote removal, joined by one space: what command rules match against. */
  text: string;
  words: string[];
  /** The words again, with what the shell would still expand in each (for the path check of arguments). */
  parts: ShellWord[];
  /** The command name is not literal (`$CMD`, `$(…)`, a glob): no allow rule can vouch for it. */
  dynamicHead: boolean;
}

/** One word of a command as the shell would see it before expansion. */
export interface ShellWord {
  /** After quote removal; a substitution reads `$(…)`. */
  text: string;
  /** Where the first unquoted `*`, `?` or `[` is, or -1: the shell would expand the word to matching names. */
  globAt: number;
  /** Where the first variable or substitution is, or -1: what the word becomes is not known before it runs. */
  varAt: number;
  /** An unquoted `~` starts the word (the shell puts a home folder there). */
  tilde: boolean;
}

export interface ShellRedirection {
  op: string;
  target: string;
  /** `>`-like redirections write (or create) the target; `<` reads it. */
  access: 'write' | 'read';
  /** The target is not a literal path (`$HOME/x`, `$(…)`, a glob). */
  dynamic: boolean;
}

export type ShellSplit = { ok: true; commands: ShellCommand[]; redirections: ShellRedirection[] } | { ok: false; reason: string };

class ShellSyntaxError extends Error {}

const SUBST = '$(…)';
/** Shell reserved words that may stand before a simple command (or alone, closing a compound one). */
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'while', 'until', 'do', 'done', 'time', 'esac']);

/** Splits `line`; a line it cannot read with certainty is `{ ok: false, reason }`. */
export function splitShellCommand(line: string): ShellSplit {
  if (line.includes('\0')) return { ok: false, reason: 'the command contains a NUL byte' };
  const out: { commands: ShellCommand[]; redirections: ShellRedirection[] } = { commands: [], redirections: [] };
  try {
    const end = parseList(line, 0, null, out);
    if (end !== line.length) throw new ShellSyntaxError(`unexpected ")" at ${end}`);
  } catch (err) {
    if (err instanceof ShellSyntaxError) return { ok: false, reason: `the command cannot be read safely: ${err.message}` };
    throw err;
  }
  if (!out.commands.length && !out.redirections.length) return { ok: false, reason: 'the command is empty' };
  return { ok: true, ...out };
}

type Word = { text: string; dynamic: boolean; quoted: boolean; globAt: number; varAt: number; tilde: boolean };
type Kind = 'glob' | 'var' | 'tilde' | undefined;

/** Parses commands until `closer` (or the end); returns the index after the closer. */
function parseList(src: string, start: number, closer: ')' | null, out: { commands: ShellCommand[]; redirections: ShellRedirection[] }): number {
  let i = start;
  let words: Word[] = [];
  let word: Word | null = null;
  let pendingRedirect: { op: string; access: 'write' | 'read' | 'none' } | null = null;

  const endWord = () => {
    if (!word) return;
    const w = word;
    word = null;
    if (pendingRedirect) {
      const r = pendingRedirect;
      pendingRedirect = null;
      if (r.access !== 'none') out.redirections.push({ op: r.op, target: w.text, access: r.access, dynamic: w.dynamic });
      return;
    }
    words.push(w);
  };
  const endCommand = () => {
    endWord();
    if (pendingRedirect) throw new ShellSyntaxError(`"${pendingRedirect.op}" has no target`);
    const literal = words.filter((w) => w.quoted || !['{', '}', '!'].includes(w.text));
    // `then rm -rf /` runs `rm`: a reserved word before a command is not the command, or a deny rule on `rm *` would miss it.
    let k = 0;
    while (k < literal.length && !literal[k].quoted && !literal[k].dynamic && RESERVED.has(literal[k].text)) k++;
    if (k > 0 && literal[k - 1].text === 'time' && literal[k]?.text === '-p' && !literal[k].quoted) k++;
    literal.splice(0, k);
    if (literal.length) {
      out.commands.push({
        text: literal.map((w) => w.text).join(' '),
        words: literal.map((w) => w.text),
        parts: literal.map((w) => ({ text: w.text, globAt: w.globAt, varAt: w.varAt, tilde: w.tilde })),
        dynamicHead: literal[0].dynamic,
      });
    }
    words = [];
  };
  const append = (text: string, dynamic = false, quoted = false, kind: Kind = dynamic ? 'var' : undefined) => {
    if (!word) word = { text: '', dynamic: false, quoted: false, globAt: -1, varAt: -1, tilde: false };
    if (kind === 'glob' && word.globAt < 0) word.globAt = word.text.length;
    if (kind === 'var' && word.varAt < 0) word.varAt = word.text.length;
    if (kind === 'tilde') word.tilde = true;
    word.text += text;
    word.dynamic ||= dynamic;
    word.quoted ||= quoted;
  };
  const substitution = (from: number, close: ')'): number => {
    const after = parseList(src, from, close, out);
    append(SUBST, true);
    return after;
  };

  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else if (c === '\n' || c === '\r' || c === ';') {
      endCommand();
      i += c === ';' && next === ';' ? 2 : 1;
    } else if (c === '&') {
      if (next === '>') {
        endWord();
        pendingRedirect = { op: src[i + 2] === '>' ? '&>>' : '&>', access: 'write' };
        i += src[i + 2] === '>' ? 3 : 2;
      } else {
        endCommand();
        i += next === '&' ? 2 : 1;
      }
    } else if (c === '|') {
      endCommand();
      i += next === '|' || next === '&' ? 2 : 1;
    } else if (c === '(') {
      if (word) throw new ShellSyntaxError('"(" inside a word');
      endCommand();
      i = parseList(src, i + 1, ')', out);
    } else if (c === ')') {
      if (closer !== ')') throw new ShellSyntaxError('unbalanced ")"');
      endCommand();
      return i + 1;
    } else if (c === '<' || c === '>') {
      // A word made only of digits right before the operator is the file descriptor it redirects.
      const current = word as Word | null;
      const fd = current && !current.quoted && !current.dynamic && /^\d+$/.test(current.text) ? current.text : '';
      if (fd) word = null;
      else endWord();
      if (pendingRedirect) throw new ShellSyntaxError('two redirections in a row');
      if (next === '(') {
        i = substitution(i + 2, ')');
        continue;
      }
      let op = c;
      let j = i + 1;
      if (c === '>' && (next === '>' || next === '|')) op += src[j++];
      else if (c === '<' && next === '<') {
        if (src[i + 2] === '<') {
          op = '<<<';
          j = i + 3;
        } else {
          throw new ShellSyntaxError('here-documents are not supported');
        }
      } else if (c === '<' && next === '>') op += src[j++];
      if (src[j] === '&' && (op === '>' || op === '<')) {
        // `2>&1`, `>&-`: duplicates a descriptor; `>& file` writes the file.
        j++;
        while (src[j] === ' ' || src[j] === '\t') j++;
        const m = /^(\d+|-)(?=$|[\s;&|<>()])/.exec(src.slice(j));
        if (m) {
          i = j + m[0].length;
          continue;
        }
        op += '&';
      }
      pendingRedirect = { op: fd + op, access: op === '<<<' ? 'none' : op === '<' ? 'read' : 'write' };
      i = j;
    } else if (c === '#' && !word) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '\\') {
      if (next === '\n') i += 2;
      else if (next === undefined) throw new ShellSyntaxError('a trailing backslash');
      else {
        append(next, false, true);
        i += 2;
      }
    } else if (c === "'") {
      const close = src.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('an unclosed single quote');
      append(src.slice(i + 1, close), false, true);
      i = close + 1;
    } else if (c === '"') {
      i = readDoubleQuoted(src, i + 1, append, substitution, out);
    } else if (c === '`') {
      i = readBackticks(src, i + 1, out);
      append(SUBST, true);
    } else if (c === '$') {
      i = readDollar(src, i, append, substitution);
    } else {
      const kind: Kind = c === '*' || c === '?' || c === '[' ? 'glob' : c === '~' && !word ? 'tilde' : undefined;
      append(c, kind !== undefined, false, kind);
      i++;
    }
  }
  if (closer) throw new ShellSyntaxError(`an unclosed "${closer === ')' ? '(' : closer}"`);
  endCommand();
  return i;
}

function readDollar(src: string, i: number, append: (t: string, d?: boolean, q?: boolean) => void, substitution: (from: number, close: ')') => number): number {
  const next = src[i + 1];
  if (next === '(' && src[i + 2] === '(') {
    // `$(( … ))` arithmetic: read as a nested list; the second ")" must follow the first.
    const after = substitution(i + 3, ')');
    if (src[after] !== ')') throw new ShellSyntaxError('an unclosed "$(("');
    return after + 1;
  }
  if (next === '(') return substitution(i + 2, ')');
  if (next === '{') {
    const close = src.indexOf('}', i + 2);
    if (close < 0) throw new ShellSyntaxError('an unclosed "${"');
    if (/[`$(]/.test(src.slice(i + 2, close))) throw new ShellSyntaxError('a substitution inside "${…}"');
    append(src.slice(i, close + 1), true);
    return close + 1;
  }
  if (next === "'" || next === '"') throw new ShellSyntaxError('$\'…\' and $"…" quoting are not supported');
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(src.slice(i));
  if (m) {
    append(m[0], true);
    return i + m[0].length;
  }
  append('$');
  return i + 1;
}

function readDoubleQuoted(
  src: string,
  start: number,
  append: (t: string, d?: boolean, q?: boolean) => void,
  substitution: (from: number, close: ')') => number,
  out: { commands: ShellCommand[]; redirections: ShellRedirection[] },
): number {
  let i = start;
  append('', false, true);
  while (i < src.length) {
    const c = src[i];
    if (c === '"') return i + 1;
    if (c === '\\' && i + 1 < src.length && '"\\$`\n'.includes(src[i + 1])) {
      if (src[i + 1] !== '\n') append(src[i + 1], false, true);
      i += 2;
    } else if (c === '`') {
      i = readBackticks(src, i + 1, out);
      append(SUBST, true, true);
    } else if (c === '$') {
      i = readDollar(src, i, (t, d) => append(t, d, true), substitution);
    } else {
      append(c, false, true);
      i++;
    }
  }
  throw new ShellSyntaxError('an unclosed double quote');
}

function readBackticks(src: string, start: number, out: { commands: ShellCommand[]; redirections: ShellRedirection[] }): number {
  let i = start;
  let inner = '';
  while (i < src.length && src[i] !== '`') {
    if (src[i] === '\\' && i + 1 < src.length) {
      inner += src[i + 1];
      i += 2;
    } else inner += src[i++];
  }
  if (i >= src.length) throw new ShellSyntaxError('an unclosed backtick');
  const end = parseList(inner, 0, null, out);
  if (end !== inner.length) throw new ShellSyntaxError('unbalanced ")" inside backticks');
  return i + 1;
}
