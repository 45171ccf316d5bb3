import { mkdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { HealthCheck } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import { EventQueries, type EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import { defineTool, ToolError } from '../tools/index.js';
import type { Clock, Logger } from '../util/index.js';
import { fileInSkill, skillFiles } from './catalog.js';
import { createSkillsProjector, SkillsService } from './service.js';

export interface SkillsModuleDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  logger: Logger;
  bundledDir: string | null;
  userDir: string;
  /** Puts the skills index into every run's system prompt; what it records (`record`) commits with the run's recorded input. */
  addSystemSection(section: (run: { runId: string; record(write: () => void): void }) => { title: string; body: string } | null): void;
  /** Tells the agent runtime which skills a run follows, so their `allowed-tools` reach the permission gate. */
  setSkillsInUse(inUse: (runId: string) => SkillInUse[]): void;
  /** How long changes on disk settle before the folders are read again (default 200 ms). */
  debounceMs?: number;
}

/** A skill a run loaded, with the `allowed-tools` it had then (null: it declares none). */
export interface SkillInUse {
  name: string;
  allowedTools: string[] | null;
}

export interface SkillsModule extends CapabilityModule {
  readonly skills: SkillsService;
  /** The skills a run has loaded so far, each once, in the order it first loaded them. */
  inUse(runId: string): SkillInUse[];
  /** A warning for each skill that cannot load, with file and line. */
  healthChecks(): HealthCheck[];
}

const MAX_FILE_CHARS = 60_000;

/** Skills: folders with a SKILL.md, listed in the system prompt when on, loaded in full with `load_skill`. */
export function createSkillsModule(deps: SkillsModuleDeps): SkillsModule {
  const skills = new SkillsService({ ...deps, debounceMs: deps.debounceMs ?? 200 });
  const { log } = deps;
  // The log is the truth of what a run loaded: a skill changed on disk since keeps the tools it had when loaded.
  const events = new EventQueries(deps.db);
  const inUse = (runId: string): SkillInUse[] => {
    const byName = new Map<string, SkillInUse>();
    for (const { data } of events.ofRunOfType(runId, 'skill.loaded')) {
      if (data.file === null && !byName.has(data.name)) byName.set(data.name, { name: data.name, allowedTools: data.allowedTools ?? null });
    }
    return [...byName.values()];
  };
  deps.setSkillsInUse(inUse);

  deps.addSystemSection(({ runId, record }) => {
    const offered = skills.offered();
    if (!offered.length) return null;
    record(() => log.append('skills.offered', { skills: offered.map((s) => s.name) }, runId));
    return {
      title: 'Skills',
      body: [
        'Skills are instructions for particular kinds of task. When a request matches a skill, call load_skill with its name before you start, and follow what it says. A skill may name files of its own: load_skill with file reads one.',
        ...offered.map((s) => `- ${s.name}: ${s.description}`),
      ].join('\n'),
    };
  });

  // Reads only the folders of skills the user installed and turned on, never anything else on disk,
  // so it needs no permission (like `current_time`); what a skill then asks for goes through the gate.
  const loadSkill = defineTool({
    name: 'load_skill',
    description: 'Loads the full instructions of a skill listed under Skills in the system prompt, with the list of its files; with file, reads one of those files instead.',
    args: z
      .object({
        name: z.string().min(1).max(64).describe('the skill name, as listed'),
        file: z.string().min(1).max(500).optional().describe('a file of the skill, as listed by a first load_skill call'),
      })
      .strict(),
    capability: null,
    resource: (args) => `skill:${args.name}${args.file ? `/${args.file}` : ''}`,
    async run(args, ctx) {
      const skill = skills.offered().find((s) => s.name === args.name);
      if (!skill) throw new ToolError('not_found', `no skill named ${args.name} is on; the skills on are: ${skills.offered().map((s) => s.name).join(', ') || 'none'}`);
      if (args.file) {
        const path = fileInSkill(skill.folder, args.file);
        if (!path) throw new ToolError('not_found', `${args.name} has no file ${args.file}; its files: ${skillFiles(skill.folder).join(', ') || 'none'}`);
        const text = readFileSync(path, 'utf8');
        if (text.includes('\u0000')) throw new ToolError('failed', `${args.file} is not a text file`);
        log.transaction(() => log.append('skill.loaded', { name: skill.name, file: args.file! }, ctx.runId));
        return { text: text.length > MAX_FILE_CHARS ? `${text.slice(0, MAX_FILE_CHARS)}\n[cut: ${text.length - MAX_FILE_CHARS} more characters]` : text };
      }
      const files = skillFiles(skill.folder);
      const already = inUse(ctx.runId).find((s) => s.name === skill.name);
      const allowedTools = already ? already.allowedTools : skill.allowedTools;
      log.transaction(() => log.append('skill.loaded', { name: skill.name, file: null, allowedTools }, ctx.runId));
      const tools =
        allowedTools === null
          ? ''
          : `\n\n## Tools of this skill\nFrom your next step on, for the rest of this run: ${allowedTools.length ? `${allowedTools.join(', ')} run without asking the user where the rules would only ask; ` : ''}a tool that reaches outside the app and that no skill you follow lists is refused (unless a skill you follow lists no tools at all).`;
      return {
        text: `# Skill: ${skill.name}\n\n${skill.body}${files.length ? `\n\n## Files of this skill (read one with load_skill and file)\n${files.map((f) => `- ${f}`).join('\n')}` : ''}${tools}`,
        data: { name: skill.name, files, allowedTools },
      };
    },
  });

  return {
    name: 'skills',
    skills,
    inUse,
    projectors: [createSkillsProjector(deps.db)],
    tools: [loadSkill],
    handlers: {
      'skills.list': () => ({ skills: skills.list(), folders: { bundled: deps.bundledDir, user: deps.userDir } }),
      'skills.show': ({ name }) => skills.show(name),
      'skills.setEnabled': ({ name, enabled }) => skills.setEnabled(name, enabled),
    },
    healthChecks: () => skills.healthChecks(),
    start() {
      try {
        mkdirSync(deps.userDir, { recursive: true });
      } catch (err) {
        deps.logger.log('warn', 'the skills folder cannot be made', { dir: deps.userDir, error: String(err) });
      }
      skills.reload();
      skills.watch();
    },
    stop: () => skills.stop(),
  };
}
