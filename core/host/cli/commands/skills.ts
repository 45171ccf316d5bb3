import { AppError, type SkillInfo } from '../../../contract/index.js';
import { oneLine, table } from '../format.js';
import { EXIT, type CliCommand, type CommandContext, type CommandGroup } from '../types.js';

const print = (ctx: CommandContext, json: unknown, text: string) => ctx.io.stdout(ctx.json ? `${JSON.stringify(json)}\n` : text);

function oneName(ctx: CommandContext, command: string): string {
  const [name, ...extra] = ctx.args;
  if (!name || extra.length) throw new AppError('invalid_input', `${command} needs exactly one skill name; see agent-blob skills list`);
  return name;
}

const problems = (s: SkillInfo) => s.problems.map((p) => `${p.file}${p.line === null ? '' : `:${p.line}`}: ${p.message}`);

const listSkills: CliCommand = {
  name: 'skills list',
  summary: 'List skills: name, description, source, enabled, problems',
  async run(ctx) {
    const client = await ctx.connect();
    const result = await client.call('skills.list', {});
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify(result)}\n`);
      return EXIT.ok;
    }
    const rows = result.skills.map((s) => [s.name, s.source + (s.overriddenBy ? ' (replaced by the user\'s)' : ''), s.problems.length ? 'NOT LOADED' : s.enabled ? 'on' : 'off', oneLine(s.description, 70)]);
    let text = result.skills.length ? table([['NAME', 'SOURCE', 'ENABLED', 'DESCRIPTION'], ...rows]) : 'no skills\n';
    for (const s of result.skills) if (s.problems.length) text += `\n${s.name}: ${problems(s).join('\n  ')}\n`;
    text += `\nyour skills folder: ${result.folders.user}\n`;
    ctx.io.stdout(text);
    return EXIT.ok;
  },
};

const show: CliCommand = {
  name: 'skills show',
  params: 'NAME',
  summary: 'Show a skill: its description, instructions, files and problems',
  async run(ctx) {
    const name = oneName(ctx, 'skills show');
    const client = await ctx.connect();
    const s = await client.call('skills.show', { name });
    const lines = [`${s.name} (${s.source}, ${s.enabled ? 'on' : 'off'}): ${s.description}`, `folder: ${s.folder}`];
    if (s.allowedTools !== null) lines.push(`allowed tools (pre-approved, and the only gated tools while a run follows it): ${s.allowedTools.join(', ') || 'none'}`);
    if (s.files.length) lines.push(`files: ${s.files.join(', ')}`);
    if (s.problems.length) lines.push('problems (not loaded):', ...problems(s).map((p) => `  ${p}`));
    print(ctx, s, `${lines.join('\n')}\n\n${s.body}\n`);
    return EXIT.ok;
  },
};

const toggle = (enabled: boolean): CliCommand => ({
  name: `skills ${enabled ? 'enable' : 'disable'}`,
  params: 'NAME',
  summary: enabled ? 'Turn a skill on: it is listed in the prompt and can be loaded' : 'Turn a skill off',
  async run(ctx) {
    const name = oneName(ctx, `skills ${enabled ? 'enable' : 'disable'}`);
    const client = await ctx.connect();
    const s = await client.call('skills.setEnabled', { name, enabled });
    print(ctx, s, `${s.name} is ${s.enabled ? 'on' : 'off'}\n`);
    return EXIT.ok;
  },
});

export const skillsGroup: CommandGroup = {
  name: 'skills',
  summary: 'Skills: folders with a SKILL.md; list, show, enable, disable.',
  commands: [listSkills, show, toggle(true), toggle(false)],
};
