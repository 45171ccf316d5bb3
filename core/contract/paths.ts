import { z } from 'zod';

/**
 * Characters no path the app accepts may hold: C0 controls (NUL among them), DEL, C1 controls, and
 * the Unicode direction overrides. Node, SQLite and the OS disagree about where a string with a NUL
 * ends (the JS checks see all of it, SQLite sees it cut at the NUL), a line break splits a log or a
 * prompt, and a direction override makes a permission dialog show another name than the one used.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PATH_CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Why `path` cannot be a path the app touches, or null. The message names the character, never prints it. */
export function pathProblem(path: string): string | null {
  if (!path) return 'the path is empty';
  const found = PATH_CONTROL.exec(path);
  if (!found) return null;
  const code = found[0].charCodeAt(0);
  const name = code === 0 ? 'a NUL byte' : `a control character (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return `the path contains ${name} at position ${found.index}`;
}

/** A path as a command argument: 1 to 4096 characters, no NUL or control characters. */
// Pure: a bundle that needs only pathProblem (the direct `memory search`) leaves zod out.
export const PathSchema = /* @__PURE__ */ z
  .string()
  .min(1, 'the path is empty')
  .max(4096)
  .superRefine((value, ctx) => {
    const problem = pathProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
