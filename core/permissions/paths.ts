import { lstatSync, readdirSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import { pathProblem } from '../contract/index.js';

/** How paths look on the machine the core runs on. Injected so tests cover Windows and macOS rules on Linux. */
export interface PathSystem {
  platform: 'posix' | 'win32';
  /** macOS and Windows volumes compare names without case by default. */
  caseInsensitive: boolean;
  home: string;
  lstat(p: string): Stats | null;
  realpath(p: string): string;
  /** The names in a folder, or null when it cannot be listed (a glob in a command's arguments is checked through them). */
  readdir?(p: string): string[] | null;
}

export function nodePathSystem(home: string, platform: NodeJS.Platform = process.platform): PathSystem {
  return {
    platform: platform === 'win32' ? 'win32' : 'posix',
    caseInsensitive: platform === 'win32' || platform === 'darwin',
    home,
    lstat: (p) => {
      try {
        return lstatSync(p);
      } catch {
        return null;
      }
    },
    realpath: (p) => realpathSync.native(p),
    readdir: (p) => {
      try {
        return readdirSync(p);
      } catch {
        return null;
      }
    },
  };
}

export type Resolved = { ok: true; path: string; exists: boolean; links: number } | { ok: false; reason: string };

// Percent-escapes that decode to something a path treats specially: separators, dots, NUL, `~`, `%`.
const ENCODED_SPECIAL = /%(2e|2f|5c|00|7e|25|3a)/i;

/**
 * Turns a path a model wrote into the real absolute path the OS would touch: `~` expanded, Windows
 * separators and drive letters handled, `..` applied after symlinks are followed (so `link/..` means
 * what the OS means), and the longest existing prefix replaced by its realpath. Anything it cannot
 * resolve for certain is refused rather than guessed.
 */
export function resolvePath(raw: string, base: string, sys: PathSystem): Resolved {
  if (!raw.trim()) return { ok: false, reason: 'the path is empty' };
  const problem = pathProblem(raw);
  if (problem) return { ok: false, reason: problem };
  // Not trimmed: a name may end in a space, and the tool will touch the name as written.
  let input = raw;
  if (!input.trim()) return { ok: false, reason: 'the path is empty' };
  if (/^file:/i.test(input)) {
    try {
      const url = new URL(input);
      if (url.host && url.host !== 'localhost') return { ok: false, reason: 'a file URL on another host' };
      input = decodeURIComponent(url.pathname);
      if (sys.platform === 'win32') input = input.replace(/^\/([A-Za-z]:)/, '$1');
      const decoded = pathProblem(input);
      if (decoded) return { ok: false, reason: decoded };
    } catch {
      return { ok: false, reason: 'a file URL that does not parse' };
    }
  } else if (ENCODED_SPECIAL.test(input)) {
    return { ok: false, reason: 'the path contains percent-encoded separators, dots or escapes' };
  }
  const p = sys.platform === 'win32' ? path.win32 : path.posix;
  // A backslash is a separator to anyone reading the path, so it is one here on every system.
  input = input.replace(/\\/g, '/');
  if (/^\/\/[?.]\//.test(input)) return { ok: false, reason: 'a device or extended-length path' };
  if (sys.platform === 'win32' && /^\/\/[^/]/.test(input)) return { ok: false, reason: 'a network (UNC) path' };
  if (sys.platform !== 'win32' && /^[A-Za-z]:/.test(input)) return { ok: false, reason: 'a Windows drive path on a system without drives' };
  if (sys.platform === 'win32' && /^[A-Za-z]:(?![/])/.test(input)) return { ok: false, reason: 'a drive-relative path' };
  if (input === '~' || input.startsWith('~/')) input = sys.home.replace(/\\/g, '/') + input.slice(1);
  else if (input.startsWith('~')) return { ok: false, reason: "another user's home folder" };
  if (sys.platform === 'win32' && input.slice(2).includes(':')) return { ok: false, reason: 'an alternate data stream' };
  const absolute = p.isAbsolute(input) ? input : `${base.replace(/\\/g, '/')}/${input}`;
  return walk(absolute, sys);
}

/** Applies components one at a time, following each existing one to its real path. */
function walk(absolute: string, sys: PathSystem): Resolved {
  const p = sys.platform === 'win32' ? path.win32 : path.posix;
  const sep = sys.platform === 'win32' ? '\\' : '/';
  const parsed = p.parse(sys.platform === 'win32' ? absolute.replace(/\//g, '\\') : absolute);
  let current = parsed.root;
  const parts = absolute.slice(parsed.root.length).split('/').filter(Boolean);
  // Components below the first one that does not exist: kept as a list, joined once at the end
  // (joining a long path one component at a time costs the square of its length).
  const missing: string[] = [];
  let links = 1;
  const child = (name: string) => (current.endsWith(sep) ? current + name : current + sep + name);
  for (const part of parts) {
    if (part === '.') continue;
    if (part === '..') {
      if (missing.length) missing.pop();
      else current = p.dirname(current);
      continue;
    }
    if (missing.length) {
      missing.push(part);
      continue;
    }
    const next = child(part);
    const stat = sys.lstat(next);
    if (!stat) {
      missing.push(part);
      continue;
    }
    if (stat.isSymbolicLink()) {
      try {
        current = sys.realpath(next);
      } catch {
        return { ok: false, reason: `${next} is a symbolic link to something that does not exist` };
      }
      const target = sys.lstat(current);
      if (target) links = target.isDirectory() ? 1 : target.nlink;
    } else {
      current = next;
      links = stat.isDirectory() ? 1 : stat.nlink;
    }
  }
  if (!missing.length) return { ok: true, path: current, exists: true, links };
  return { ok: true, path: current.endsWith(sep) ? current + missing.join(sep) : current + sep + missing.join(sep), exists: false, links: 1 };
}

/** The real path of a root (it may not exist yet: then the longest existing prefix is made real). */
export function resolveRoot(root: string, sys: PathSystem): string | null {
  const r = resolvePath(root, sys.home, sys);
  return r.ok ? r.path : null;
}

/** True when `child` is `root` or inside it, comparing without case where the volume does. */
export function isInsideRoot(child: string, root: string, sys: PathSystem): boolean {
  const sep = sys.platform === 'win32' ? '\\' : '/';
  const a = sys.caseInsensitive ? child.toLowerCase() : child;
  const b = sys.caseInsensitive ? root.toLowerCase() : root;
  if (a === b) return true;
  return a.startsWith(b.endsWith(sep) ? b : b + sep);
}

/** Turns a path into the form rule globs are matched against: forward slashes, lower case where names ignore case. */
export function matchablePath(resolved: string, sys: PathSystem): string {
  const forward = resolved.replace(/\\/g, '/');
  return sys.caseInsensitive ? forward.toLowerCase() : forward;
}
