import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SkillProblem } from '../contract/index.js';
import { parseSkill } from './parse.js';

/** One skill folder as read from disk. */
export interface SkillRecord {
  name: string;
  description: string;
  source: 'bundled' | 'user';
  folder: string;
  allowedTools: string[] | null;
  body: string;
  problems: SkillProblem[];
}

const MAX_SKILL_BYTES = 256 * 1024;
const MAX_FILES = 200;

/** Reads every skill folder of one source (each subfolder with a `SKILL.md`), by folder name. */
export function readSkills(root: string | null, source: SkillRecord['source']): SkillRecord[] {
  if (!root || !existsSync(root)) return [];
  let entries: string[];
  try {
    entries = readdirSync(root).sort();
  } catch {
    return [];
  }
  const out: SkillRecord[] = [];
  for (const entry of entries) {
    if (entry.startsWith('.')) continue;
    const folder = join(root, entry);
    try {
      if (!statSync(folder).isDirectory()) continue;
    } catch {
      continue;
    }
    const file = join(folder, 'SKILL.md');
    const record: SkillRecord = { name: entry, description: '', source, folder, allowedTools: null, body: '', problems: [] };
    if (!existsSync(file)) {
      record.problems.push({ file, line: null, message: 'the folder has no SKILL.md' });
      out.push(record);
      continue;
    }
    let text: string;
    try {
      if (statSync(file).size > MAX_SKILL_BYTES) {
        record.problems.push({ file, line: null, message: `SKILL.md is larger than ${MAX_SKILL_BYTES / 1024} KB; move the details into other files of the folder` });
        out.push(record);
        continue;
      }
      text = readFileSync(file, 'utf8');
    } catch (err) {
      record.problems.push({ file, line: null, message: `SKILL.md cannot be read: ${(err as Error).message}` });
      out.push(record);
      continue;
    }
    const parsed = parseSkill(text, file, entry);
    out.push({ ...record, name: parsed.name ?? entry, description: parsed.description, allowedTools: parsed.allowedTools, body: parsed.body, problems: parsed.problems });
  }
  return out;
}

/** The files of a skill's folder (relative, `/`-separated, SKILL.md and hidden files left out), at most 200. */
export function skillFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const entry of entries) {
      if (out.length >= MAX_FILES || entry.startsWith('.')) continue;
      const path = join(dir, entry);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue;
      }
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile()) {
        const rel = relative(folder, path).split(sep).join('/');
        if (rel !== 'SKILL.md') out.push(rel);
      }
    }
  };
  walk(folder);
  return out;
}

/**
 * The real path of a file inside a skill's folder, or null when the name leads outside it (`..`, an
 * absolute path, a link pointing elsewhere) or to no file.
 */
export function fileInSkill(folder: string, file: string): string | null {
  try {
    const base = realpathSync(folder);
    const target = realpathSync(join(base, file));
    const rel = relative(base, target);
    if (!rel || rel.startsWith('..') || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel)) return null;
    return statSync(target).isFile() ? target : null;
  } catch {
    return null;
  }
}

/**
 * The app's bundled `skills/` folder: next to the `package.json` of agent-blob, found by walking up
 * from this file (source, the command line's bundle and the desktop build sit at different depths).
 */
export function findBundledSkills(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'agent-blob') return existsSync(join(dir, 'skills')) ? join(dir, 'skills') : null;
    } catch {
      // not here; go up
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}
