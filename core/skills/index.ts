/** Skills: folders with a SKILL.md (bundled and the user's), an index in the prompt, `load_skill`. */
export { createSkillsModule, type SkillInUse, type SkillsModule, type SkillsModuleDeps } from './module.js';
export { findBundledSkills, readSkills, skillFiles } from './catalog.js';
export { parseSkill, type ParsedSkill } from './parse.js';
