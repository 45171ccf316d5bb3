import { z } from 'zod';

/** A skill's name as its front matter gives it: lowercase letters, digits and `-`, the name of its folder. */
export const SkillNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a skill name is lowercase letters, digits and -, at most 64');

/** What is wrong with a skill's files: where, and why it is not loaded. */
export const SkillProblemSchema = z.object({ file: z.string(), line: z.number().int().nullable(), message: z.string() });
export type SkillProblem = z.infer<typeof SkillProblemSchema>;

/** One skill folder, valid or not. */
export const SkillInfoSchema = z.object({
  /** Its front matter's name, or the folder's name when the front matter has none it can use. */
  name: z.string(),
  description: z.string(),
  /** `bundled` (shipped with the app) or `user` (the data folder's `skills/`). */
  source: z.enum(['bundled', 'user']),
  folder: z.string(),
  enabled: z.boolean(),
  /**
   * Its `allowed-tools`, or null when it declares none. While a run follows the skill (it loaded it),
   * a listed tool that the policy would only ask about by default runs without asking, and a tool
   * that touches anything outside the app and is not listed is refused; deny rules, ask rules,
   * workspace safety and the mode still win.
   */
  allowedTools: z.array(z.string()).nullable(),
  /** Empty for a skill that loads; otherwise it is left out of the prompt. */
  problems: z.array(SkillProblemSchema),
  /** A user skill of the same name replaces the bundled one; the bundled one is then listed with this set. */
  overriddenBy: z.string().nullable(),
});
export type SkillInfo = z.infer<typeof SkillInfoSchema>;

/** Skills events: builders merged into `EVENT_DATA`, each built on first use. */
export const SKILLS_EVENT_DATA = {
  /** A skill was turned on or off. */
  'skill.toggled': () => z.object({ name: z.string(), enabled: z.boolean() }),
  /** The skill folders changed on disk and were read again. */
  'skills.reloaded': () => z.object({ skills: z.number().int(), problems: z.number().int() }),
  /** The skills a run was offered in its prompt (the event's run). */
  'skills.offered': () => z.object({ skills: z.array(z.string()) }),
  /**
   * A run loaded a skill's instructions, or one of its files. A load of the instructions carries the
   * skill's `allowed-tools` as they were then (null: it declares none; absent in older logs), which
   * the run follows from its next call on.
   */
  'skill.loaded': () => z.object({ name: z.string(), file: z.string().nullable(), allowedTools: z.array(z.string()).nullable().optional() }),
} as const;

/** Skills commands: builders merged into `COMMANDS`, each built on first use. */
export const SKILLS_COMMANDS = {
  /** Every skill found, valid or not, bundled first then the user's, by name. */
  'skills.list': () => ({ args: z.object({}).strict(), result: z.object({ skills: z.array(SkillInfoSchema), folders: z.object({ bundled: z.string().nullable(), user: z.string() }) }) }),
  /** One skill with its instructions and the files in its folder. */
  'skills.show': () => ({
    args: z.object({ name: z.string().min(1).max(64) }).strict(),
    result: SkillInfoSchema.extend({ body: z.string(), files: z.array(z.string()) }),
  }),
  /** Turns a skill on or off: only enabled skills are listed in the prompt and can be loaded. */
  'skills.setEnabled': () => ({ args: z.object({ name: z.string().min(1).max(64), enabled: z.boolean() }).strict(), result: SkillInfoSchema }),
} as const;
