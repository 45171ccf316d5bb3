import type { AuditEntry, PermissionRule } from '../contract/index.js';
import { parseHttpTarget } from './net.js';
import type { PolicyEngine } from './policy.js';
import { splitShellCommand } from './shell.js';

export interface SuggestInput {
  capability: string;
  resource: string;
  resolved: string | null;
  scope?: { scheduleId?: string; workerRole?: string };
}

export interface RuleSuggestion {
  rule: { effect: 'allow'; capability: string; pattern: string; scope: string; note: string };
  alternatives: { pattern: string; label: string }[];
}

/**
 * The rule "allow always" proposes: the narrowest pattern that covers this call (the exact file, the
 * exact host, the exact command), scoped to the schedule or worker role that asked. Wider patterns are
 * offered as alternatives the person may pick, never chosen for them.
 */
export function suggestRule(input: SuggestInput, engine: PolicyEngine): RuleSuggestion {
  const scope = input.scope?.scheduleId ? `schedule:${input.scope.scheduleId}` : input.scope?.workerRole ? `worker:${input.scope.workerRole}` : 'everywhere';
  const make = (pattern: string, alternatives: { pattern: string; label: string }[], note = ''): RuleSuggestion => ({
    rule: { effect: 'allow', capability: input.capability, pattern, scope, note },
    alternatives: alternatives.filter((a, i, all) => a.pattern !== pattern && all.findIndex((b) => b.pattern === a.pattern) === i),
  });
  if (input.capability === 'fs.read' || input.capability === 'fs.write') {
    const path = (input.resolved ?? input.resource).replace(/\\/g, '/');
    const slash = path.lastIndexOf('/');
    const dir = slash > 0 ? path.slice(0, slash) : '';
    const name = path.slice(slash + 1);
    const dot = name.lastIndexOf('.');
    const alternatives: { pattern: string; label: string }[] = [];
    if (dot > 0) alternatives.push({ pattern: `${escapeGlob(dir)}/*${escapeGlob(name.slice(dot))}`, label: `every ${name.slice(dot)} file in this folder` });
    alternatives.push({ pattern: `${escapeGlob(dir)}/*`, label: 'every file in this folder' });
    alternatives.push({ pattern: `${escapeGlob(dir)}/**`, label: 'this folder and everything below it' });
    return make(escapeGlob(path), alternatives);
  }
  if (input.capability === 'net.http') {
    const target = parseHttpTarget(input.resolved ?? input.resource);
    if (!target.ok) return make(input.resource, []);
    const defaultPort = target.port === '80' || target.port === '443';
    const hostText = target.host.includes(':') ? `[${target.host}]` : target.host;
    const exact = defaultPort ? hostText : `${hostText}:${target.port}`;
    const labels = target.host.split('.');
    const alternatives = !target.isIp && labels.length > 2 ? [{ pattern: `*.${labels.slice(1).join('.')}`, label: `every host under ${labels.slice(1).join('.')}` }] : [];
    return make(exact, alternatives);
  }
  if (input.capability === 'shell.exec') {
    const split = splitShellCommand(input.resource);
    if (!split.ok || !split.commands.length) return make(input.resource, []);
    // The first part nothing allows yet is the one the rule is for; the others keep their own decisions.
    const probe = split.commands.find((c) => engine.evaluate({ capability: 'shell.exec', resource: c.text, scope: input.scope }).decision !== 'allow') ?? split.commands[0];
    const note = split.commands.length > 1 ? 'covers one part of a compound command; the other parts are decided on their own' : '';
    const words = probe.words;
    const alternatives = words.length > 1 ? [{ pattern: `${words.slice(0, Math.min(2, words.length - 1)).join(' ')} *`, label: `any "${words.slice(0, Math.min(2, words.length - 1)).join(' ')}" command` }] : [];
    return make(escapeStar(probe.text), alternatives, note);
  }
  return make(escapeStar(input.resource), [{ pattern: '*', label: 'anything of this kind' }]);
}

/** The recorded calls a rule would match, newest first, out of the last `scan` calls of its capability. */
export function previewRule(rule: PermissionRule, recent: AuditEntry[], engine: PolicyEngine, limit: number): { matches: AuditEntry[]; total: number; scanned: number } {
  const matches: AuditEntry[] = [];
  let total = 0;
  const seen = new Set<string>();
  for (const entry of recent) {
    if (!engine.ruleMatches(rule, entry.capability, entry.resource, entry.resolved)) continue;
    total++;
    const key = `${entry.capability}\u0000${entry.resolved ?? entry.resource}`;
    if (matches.length < limit && !seen.has(key)) {
      seen.add(key);
      matches.push(entry);
    }
  }
  return { matches, total, scanned: recent.length };
}

// A path with glob characters in its name still means only itself once they are escaped.
function escapeGlob(path: string): string {
  return path.replace(/[*?[\]{}()!]/g, '\\$&');
}

function escapeStar(text: string): string {
  return text.replace(/[\\*]/g, '\\$&');
}
