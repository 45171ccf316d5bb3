/**
 * Glob matching in time bounded by the input size, never by backtracking. A regular expression built
 * from a glob (each `*` a `.*`) backtracks exponentially on inputs a model can choose: `echo * * * * done`
 * against a 1,605-character command held the event loop for ~39 s. These matchers read the input once
 * (command globs: literal pieces found left to right with KMP) or step a set of states per character
 * (path globs: a Thompson NFA), so the worst case is linear, or input × pattern for paths.
 */

/** Longest pattern and input a matcher accepts; longer inputs never match (a deny rule is unaffected: see `MAX_GLOB_INPUT`). */
export const MAX_GLOB_PATTERN = 2000;
/** Inputs longer than this are refused before any rule is tried (the policy denies them). */
export const MAX_GLOB_INPUT = 20_000;

/**
 * A text glob: `*` matches any run of characters (spaces and slashes too), `\*` is a literal star and
 * `\\` a literal backslash; everything else is literal. Linear in the text.
 */
export function compileWildcard(pattern: string): (text: string) => boolean {
  const pieces: string[] = [''];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) pieces[pieces.length - 1] += pattern[++i];
    else if (c === '*') pieces.push('');
    else pieces[pieces.length - 1] += c;
  }
  if (pieces.length === 1) {
    const only = pieces[0];
    return (text) => text === only;
  }
  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  const middle = pieces.slice(1, -1).filter(Boolean).map((p) => ({ text: p, table: kmpTable(p) }));
  return (text) => {
    if (text.length < head.length + tail.length || !text.startsWith(head) || !text.endsWith(tail)) return false;
    let from = head.length;
    const end = text.length - tail.length;
    for (const piece of middle) {
      const at = kmpFind(text, piece.text, piece.table, from, end);
      if (at < 0) return false;
      from = at + piece.text.length;
    }
    return true;
  };
}

function kmpTable(needle: string): Int32Array {
  const table = new Int32Array(needle.length);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle[i] !== needle[k]) k = table[k - 1];
    if (needle[i] === needle[k]) k++;
    table[i] = k;
  }
  return table;
}

/** The first index ≥ `from` where `needle` occurs wholly before `end`, or -1. Reads each character of the text once. */
function kmpFind(text: string, needle: string, table: Int32Array, from: number, end: number): number {
  for (let i = from, k = 0; i < end; i++) {
    while (k > 0 && text[i] !== needle[k]) k = table[k - 1];
    if (text[i] === needle[k]) k++;
    if (k === needle.length) return i - needle.length + 1;
  }
  return -1;
}

// --- path globs -----------------------------------------------------------------------------------

/** Brace expansions beyond this are refused: `{a,b}{c,d}…` grows as a product. */
const MAX_ALTERNATIVES = 256;

/** Whether `glob` uses extended-glob syntax (`!(…)`, `*(…)`, `+(…)`, `?(…)`, `@(…)`), which the automaton does not read. */
export function hasExtglob(glob: string): boolean {
  return /[!*+?@]\(/.test(glob);
}

/**
 * A path glob as the permission rules write them: `*` and `?` stay inside one folder, `**` as a whole
 * segment crosses folders (`a/**` also matches `a`), `[abc]`, `[a-z]`, `[^a]`, `{a,b}` alternatives
 * and `\\` escapes. Null when the glob cannot be read this way (extended globs, too many alternatives,
 * longer than `MAX_PATH_GLOB`). Folders are matched left to right between `**`s, names piece by piece
 * between `*`s, each at the leftmost place it fits: no backtracking. The matcher answers null
 * ("cannot tell") once it has spent `MAX_GLOB_STEPS` character tests: the caller decides which way
 * that falls (a deny rule matches, an allow rule does not), so no path costs more than that.
 */
export function compilePathGlob(glob: string): ((path: string) => boolean | null) | null {
  if (glob.length > MAX_PATH_GLOB || hasExtglob(glob)) return null;
  const alternatives = expandBraces(glob);
  if (!alternatives) return null;
  const programs = alternatives.map(compileSegments);
  return (path) => {
    if (path.length > MAX_PATH_INPUT) return null;
    const parts = path.split('/');
    const budget = { left: MAX_GLOB_STEPS };
    try {
      return programs.some((p) => matchSegments(p, parts, budget));
    } catch (err) {
      if (err === OVER_BUDGET) return null;
      throw err;
    }
  };
}

/** Character tests one path match may spend (well under a millisecond) before it answers "cannot tell". */
export const MAX_GLOB_STEPS = 50_000;
const OVER_BUDGET = new Error('glob match over budget');
type Budget = { left: number };

/** Longest path glob compiled; longest path matched (PATH_MAX). */
export const MAX_PATH_GLOB = 1000;
export const MAX_PATH_INPUT = 4096;

/** One character test of a name pattern: a literal, `?` or a class. */
type CharTest = string | ((c: string) => boolean);
/** A name pattern: fixed-length pieces; with stars, the first is anchored at the start, the last at the end. */
interface NamePattern {
  pieces: CharTest[][];
  starred: boolean;
  /** Stars alone: any name but the empty one (`a/*` does not match `a/`). */
  onlyStars: boolean;
}
/** A glob as folders: blocks of name patterns, `**` between blocks. */
interface SegmentProgram {
  blocks: NamePattern[][];
  /** The glob is exactly `**`: every path. */
  everything: boolean;
}

function compileSegments(glob: string): SegmentProgram {
  if (glob === '**') return { blocks: [], everything: true };
  const blocks: NamePattern[][] = [[]];
  for (const segment of glob.split('/')) {
    if (segment === '**') blocks.push([]);
    else blocks[blocks.length - 1].push(compileName(segment));
  }
  return { blocks, everything: false };
}

/** `a*b?c` → pieces `a`, `b?c` split at each unescaped `*`. */
function compileName(segment: string): NamePattern {
  const pieces: CharTest[][] = [[]];
  let starred = false;
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    const piece = pieces[pieces.length - 1];
    if (c === '\\' && i + 1 < segment.length) piece.push(segment[++i]);
    else if (c === '*') {
      starred = true;
      pieces.push([]);
    } else if (c === '?') piece.push((ch: string) => ch !== '/');
    else if (c === '[') {
      const parsed = parseClass(segment, i);
      if (parsed) {
        piece.push(parsed.test);
        i = parsed.end;
      } else piece.push(c);
    } else piece.push(c);
  }
  return { pieces, starred, onlyStars: starred && pieces.every((p) => p.length === 0) };
}

const fits = (test: CharTest, c: string) => (typeof test === 'string' ? test === c : test(c));

/** Whether `piece` matches `name` at `at`. */
function pieceAt(piece: CharTest[], name: string, at: number, budget: Budget): boolean {
  if (at < 0 || at + piece.length > name.length) return false;
  for (let k = 0; k < piece.length; k++) {
    if (--budget.left < 0) throw OVER_BUDGET;
    if (!fits(piece[k], name[at + k])) return false;
  }
  return true;
}

function matchName(p: NamePattern, name: string, budget: Budget): boolean {
  if (--budget.left < 0) throw OVER_BUDGET;
  const { pieces } = p;
  if (!p.starred) return pieces[0].length === name.length && pieceAt(pieces[0], name, 0, budget);
  if (p.onlyStars) return name.length > 0;
  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  if (head.length + tail.length > name.length || !pieceAt(head, name, 0, budget) || !pieceAt(tail, name, name.length - tail.length, budget)) return false;
  let from = head.length;
  const end = name.length - tail.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const piece = pieces[k];
    if (!piece.length) continue;
    let at = from;
    while (at + piece.length <= end && !pieceAt(piece, name, at, budget)) at++;
    if (at + piece.length > end) return false;
    from = at + piece.length;
  }
  return true;
}

function blockAt(block: NamePattern[], parts: string[], at: number, budget: Budget): boolean {
  if (at + block.length > parts.length) return false;
  for (let k = 0; k < block.length; k++) if (!matchName(block[k], parts[at + k], budget)) return false;
  return true;
}

function matchSegments(program: SegmentProgram, parts: string[], budget: Budget): boolean {
  if (program.everything) return true;
  const { blocks } = program;
  if (blocks.length === 1) return blocks[0].length === parts.length && blockAt(blocks[0], parts, 0, budget);
  const head = blocks[0];
  const tail = blocks[blocks.length - 1];
  if (head.length + tail.length > parts.length) return false;
  if (!blockAt(head, parts, 0, budget) || !blockAt(tail, parts, parts.length - tail.length, budget)) return false;
  let from = head.length;
  const end = parts.length - tail.length;
  for (let k = 1; k < blocks.length - 1; k++) {
    const block = blocks[k];
    let at = from;
    while (at + block.length <= end && !blockAt(block, parts, at, budget)) at++;
    if (at + block.length > end) return false;
    from = at + block.length;
  }
  return true;
}

/** `{a,b}c` → `ac`, `bc` (nested braces too); null past `MAX_ALTERNATIVES`. A brace without a comma is literal. */
function expandBraces(glob: string): string[] | null {
  let out = [glob];
  for (let round = 0; round < 64; round++) {
    let changed = false;
    const next: string[] = [];
    for (const g of out) {
      const found = firstBrace(g);
      if (!found) {
        next.push(g);
        continue;
      }
      changed = true;
      for (const option of found.options) next.push(g.slice(0, found.start) + option + g.slice(found.end + 1));
      if (next.length > MAX_ALTERNATIVES) return null;
    }
    out = next;
    if (!changed) return out;
  }
  return null;
}

/** The first innermost-closing `{…,…}` group at top level: its span and options. */
function firstBrace(g: string): { start: number; end: number; options: string[] } | null {
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '\\') {
      i++;
      continue;
    }
    if (g[i] !== '{') continue;
    let depth = 0;
    const cuts: number[] = [];
    for (let j = i; j < g.length; j++) {
      if (g[j] === '\\') {
        j++;
        continue;
      }
      if (g[j] === '{') depth++;
      else if (g[j] === '}') {
        depth--;
        if (depth === 0) {
          if (!cuts.length) break;
          const bounds = [i, ...cuts, j];
          const options = bounds.slice(0, -1).map((b, k) => g.slice(b + 1, bounds[k + 1]));
          return { start: i, end: j, options };
        }
      } else if (g[j] === ',' && depth === 1) cuts.push(j);
    }
  }
  return null;
}



/** `[…]` starting at `start`: its test and the index of its `]`, or null when it does not close. */
function parseClass(segment: string, start: number): { test: (c: string) => boolean; end: number } | null {
  let i = start + 1;
  // `[^a]` negates; `[!a]` is the set of `!` and `a`, as picomatch reads it, so rules keep their meaning.
  const negated = segment[i] === '^';
  if (negated) i++;
  const ranges: [string, string][] = [];
  let first = true;
  for (; i < segment.length; i++) {
    let c = segment[i];
    if (c === ']' && !first) {
      const test = (ch: string) => ch !== '/' && ranges.some(([lo, hi]) => ch >= lo && ch <= hi) !== negated;
      return { test, end: i };
    }
    first = false;
    if (c === '\\' && i + 1 < segment.length) c = segment[++i];
    if (segment[i + 1] === '-' && i + 2 < segment.length && segment[i + 2] !== ']') {
      let hi = segment[i + 2];
      i += 2;
      if (hi === '\\' && i + 1 < segment.length) hi = segment[++i];
      ranges.push([c, hi]);
    } else ranges.push([c, c]);
  }
  return null;
}

