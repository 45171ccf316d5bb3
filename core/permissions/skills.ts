import { compileWildcard } from './glob.js';
import type { Evaluation } from './policy.js';
import type { PermissionRequest } from './types.js';

/**
 * What the skills a run follows say about one of its calls. A skill's `allowed-tools` does two things
 * while the run follows it (it loaded the skill):
 * - pre-approves: a listed tool that the policy would ask about only because no rule covers it runs
 *   without asking. Deny rules, ask rules, workspace safety and the mode are never overridden.
 * - constrains: while every skill the run follows lists its tools, a gated tool that none of them
 *   lists is denied. A skill that lists none (no `allowed-tools`) leaves the run unconstrained.
 * Tools that touch nothing outside the process (`current_time`, `load_skill`) are not gated, so a
 * skill neither needs to list them nor can refuse them.
 */
export function applySkills(evaluation: Evaluation, request: Pick<PermissionRequest, 'tool' | 'skills'>): Evaluation {
  const skills = request.skills ?? [];
  if (!skills.length || evaluation.decision === 'deny') return evaluation;
  const granting = skills.find((s) => s.allowedTools?.some((pattern) => toolMatches(pattern, request.tool)));
  if (granting) {
    if (evaluation.decision !== 'ask' || evaluation.decidedBy !== 'default') return evaluation;
    return { ...evaluation, decision: 'allow', decidedBy: 'skill', ruleId: null, reason: `pre-approved by the skill ${granting.name} (allowed-tools), which this run follows; otherwise: ${evaluation.reason}` };
  }
  if (skills.some((s) => s.allowedTools === null)) return evaluation;
  const listed = [...new Set(skills.flatMap((s) => s.allowedTools ?? []))];
  const names = skills.map((s) => s.name).join(', ');
  return {
    ...evaluation,
    decision: 'deny',
    decidedBy: 'skill',
    ruleId: null,
    reason: `${request.tool} is not in the allowed-tools of the skill${skills.length > 1 ? 's' : ''} this run follows (${names}): ${listed.join(', ') || 'none'}`,
  };
}

const compiled = new Map<string, (text: string) => boolean>();

/** Whether an `allowed-tools` entry names a tool: its exact name, or a pattern with `*` for any characters. */
export function toolMatches(pattern: string, tool: string): boolean {
  if (!pattern.includes('*')) return pattern === tool;
  let test = compiled.get(pattern);
  if (!test) {
    if (compiled.size > 1000) compiled.clear();
    test = compileWildcard(pattern);
    compiled.set(pattern, test);
  }
  return test(tool);
}
