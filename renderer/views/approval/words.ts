/** Plain words for permission requests and rules: what the assistant wants to do, never a capability id. */

const ASK: Record<string, string> = {
  'fs.read': 'read a file',
  'fs.write': 'write a file',
  'net.http': 'fetch a web page',
  'shell.exec': 'run a command',
  'memory.write': 'change its memory',
  'schedule.manage': 'change a schedule',
  'worker.spawn': 'start a helper',
  notify: 'send you a notification',
};

/** "write a file", for "Allow Agent Blob to write a file?" */
export function askWords(capability: string): string {
  if (ASK[capability]) return ASK[capability];
  if (capability.startsWith('mcp.')) return `use the ${capability.slice(4)} tools`;
  return `use ${capability}`;
}

const VERB: Record<string, [exact: string, wider: string, custom: string]> = {
  'fs.read': ['reading this file', 'reading', 'reading files matching'],
  'fs.write': ['writing this file', 'writing', 'writing files matching'],
  'net.http': ['fetching from this site', 'fetching from', 'fetching from sites matching'],
  'shell.exec': ['running exactly this command', 'running', 'running commands matching'],
};

/**
 * The rule "Allow always" would save, as a sentence: "Always allow writing every .md file in this
 * folder", "Always allow running any "npm run" command in every conversation and task".
 */
export function ruleWords(rule: { capability: string; pattern: string; scope: string }, suggestion: { pattern: string; alternatives: { pattern: string; label: string }[] }): string {
  const verbs = VERB[rule.capability];
  const alternative = suggestion.alternatives.find((a) => a.pattern === rule.pattern);
  let what: string;
  if (!verbs) {
    what = rule.pattern === '*' ? `letting it ${askWords(rule.capability)}, whatever the target` : `letting it ${askWords(rule.capability)} for ${quote(rule.pattern)}`;
  } else if (rule.pattern === suggestion.pattern) {
    what = verbs[0];
  } else if (alternative) {
    what = alternative.label === 'anything of this kind' ? `${verbs[1]} anything` : `${verbs[1]} ${alternative.label}`;
  } else {
    what = `${verbs[2]} ${quote(rule.pattern)}`;
  }
  return `Always allow ${what}${scopeWords(rule.scope)}`;
}

function scopeWords(scope: string): string {
  if (scope === 'everywhere') return ', in every conversation and background task.';
  if (scope.startsWith('schedule:')) return `, only for the scheduled task ${scope.slice('schedule:'.length)}.`;
  if (scope.startsWith('worker:')) return `, only for ${scope.slice('worker:'.length)} helpers.`;
  return '.';
}

function quote(text: string): string {
  return `“${text}”`;
}

/** Who decided a denied tool call, from the tool error ("permission denied (user): …"). */
export function deniedBy(message: string): string | null {
  const m = /^permission denied \(([^)]*)\)/.exec(message);
  if (!m) return null;
  const by = m[1];
  if (by === 'user') return 'denied by you';
  if (by.startsWith('rule')) return 'denied by one of your rules';
  if (by === 'expiry') return 'denied: nobody answered in time';
  if (by === 'mode') return 'denied by the permission mode';
  if (by === 'safety') return 'denied: outside the folders it may use';
  if (by === 'default') return 'denied by default';
  if (by === 'cancelled') return 'denied: the run ended';
  return `denied (${by})`;
}
