import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { SkillProblem } from '../contract/index.js';

/** What a `SKILL.md` says: its front matter, its body, and what is wrong with it (empty when it loads). */
export interface ParsedSkill {
  name: string | null;
  description: string;
  /** The tools it lists under `allowed-tools` (names, `*` matching any characters); null when it has none. */
  allowedTools: string[] | null;
  body: string;
  problems: SkillProblem[];
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
// A tool name (`read_text`, `mcp__github__create_issue`) or a pattern of one with `*` (`mcp__github__*`).
const TOOL_PATTERN = /^[A-Za-z0-9_.*-]{1,128}$/;
const MAX_ALLOWED_TOOLS = 100;
const MAX_DESCRIPTION = 1024;

/**
 * Reads a `SKILL.md`: YAML front matter between `---` lines (`name`, `description`, optional
 * `allowed-tools` as a list or a space- or comma-separated string; an empty one lists no tool), then
 * the instructions. Every
 * problem names its line in the file. `folder` is the name of the skill's folder, which the name must
 * equal.
 */
export function parseSkill(text: string, file: string, folder: string): ParsedSkill {
  const out: ParsedSkill = { name: null, description: '', allowedTools: null, body: '', problems: [] };
  const problem = (line: number | null, message: string) => out.problems.push({ file, line, message });
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const lines = source.split('\n');
  if (lines[0]?.trim() !== '---') {
    problem(1, 'SKILL.md must start with front matter: a line with ---, then name: and description:, then another ---');
    return out;
  }
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) {
    problem(1, 'the front matter that starts on line 1 has no closing --- line');
    return out;
  }
  out.body = lines
    .slice(end + 1)
    .join('\n')
    .trim();
  // Line numbers inside the YAML count from the line after the opening ---.
  const counter = new LineCounter();
  const doc = parseDocument(lines.slice(1, end).join('\n'), { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length) {
    for (const err of doc.errors.slice(0, 3)) problem(counter.linePos(err.pos[0]).line + 1, `the front matter is not valid YAML: ${err.message.split('\n')[0]}`);
    return out;
  }
  const contents = doc.contents;
  if (!isMap(contents)) {
    problem(2, 'the front matter must be YAML keys and values (name: ..., description: ...)');
    return out;
  }
  const lineOf = (key: string): number => {
    const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === key);
    const offset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    return offset === undefined ? 2 : counter.linePos(offset).line + 1;
  };
  const data = doc.toJS() as Record<string, unknown>;

  const name = data.name;
  if (name === undefined || name === null || name === '') problem(2, 'the front matter has no name:');
  else if (typeof name !== 'string' || !NAME.test(name)) problem(lineOf('name'), `name ${JSON.stringify(name)} must be lowercase letters, digits and -, at most 64 characters`);
  else if (name !== folder) problem(lineOf('name'), `name ${name} differs from its folder's name ${folder}; rename one so they match`);
  else out.name = name;

  const description = data.description;
  if (description === undefined || description === null || (typeof description === 'string' && !description.trim())) problem(2, 'the front matter has no description: (say what the skill does and when to use it)');
  else if (typeof description !== 'string') problem(lineOf('description'), 'description must be text');
  else if (description.length > MAX_DESCRIPTION) problem(lineOf('description'), `description is ${description.length} characters; at most ${MAX_DESCRIPTION}`);
  else out.description = description.trim().replace(/\s+/g, ' ');

  const allowed = data['allowed-tools'];
  let tools: string[] | null = null;
  if (typeof allowed === 'string') tools = allowed.split(/[\s,]+/).filter(Boolean);
  else if (Array.isArray(allowed) && allowed.every((t) => typeof t === 'string')) tools = (allowed as string[]).map((t) => t.trim()).filter(Boolean);
  else if (allowed !== undefined && allowed !== null) problem(lineOf('allowed-tools'), 'allowed-tools must be a list of tool names, or names separated by spaces or commas');
  if (tools) {
    const bad = tools.filter((t) => !TOOL_PATTERN.test(t));
    if (bad.length) problem(lineOf('allowed-tools'), `allowed-tools names tools by their names (letters, digits, _, -, . and * for any characters), not ${bad.slice(0, 3).map((t) => JSON.stringify(t)).join(', ')}`);
    else if (tools.length > MAX_ALLOWED_TOOLS) problem(lineOf('allowed-tools'), `allowed-tools lists ${tools.length} tools; at most ${MAX_ALLOWED_TOOLS}`);
    else out.allowedTools = [...new Set(tools)];
  }

  if (!out.body) problem(end + 1, 'the skill has no instructions after the front matter');
  return out;
}
