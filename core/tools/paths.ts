import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathProblem } from '../contract/index.js';
import { ToolError, type ToolContext } from './types.js';

/**
 * Resolves a path a model gave against the first allowed root and refuses anything outside every
 * root, following symlinks of the part that exists so a link cannot lead out.
 */
export function resolveInsideRoots(path: string, ctx: Pick<ToolContext, 'roots'>): string {
  refuseControl(path);
  if (!ctx.roots.length) throw new ToolError('denied', 'no folder is allowed for file tools');
  const absolute = isAbsolute(path) ? resolve(path) : resolve(ctx.roots[0], path);
  const real = realExisting(absolute);
  for (const root of ctx.roots) {
    const realRoot = realExisting(resolve(root));
    if (real === realRoot || isInside(realRoot, real)) return absolute;
  }
  throw new ToolError('denied', `${absolute} is outside the allowed folders (${ctx.roots.join(', ')})`);
}

/** The path for the gate, before any check: absolute, relative to the first root. */
export function absoluteFor(path: string, ctx: Pick<ToolContext, 'roots'>): string {
  refuseControl(path);
  return isAbsolute(path) ? resolve(path) : resolve(ctx.roots[0] ?? process.cwd(), path);
}

/** Node, SQLite and the OS disagree about where a name with a NUL ends: such a path is never used. */
function refuseControl(path: string): void {
  const problem = pathProblem(path);
  if (problem) throw new ToolError('invalid_args', problem);
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`);
}

function realExisting(path: string): string {
  let current = path;
  const rest: string[] = [];
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    rest.unshift(current.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    current = parent;
  }
  const base = existsSync(current) ? realpathSync(current) : current;
  return rest.length ? resolve(base, ...rest) : base;
}
