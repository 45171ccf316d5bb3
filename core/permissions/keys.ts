import type { Evaluation } from './policy.js';

/** The ways a call sends text off the machine or to another program: a key in them would leave. */
const SENDING = new Set<string>(['net.http', 'shell.exec']);

/**
 * A URL to fetch or a command to run that carries one of the app's keys (a configured one, whatever
 * it looks like, one from the environment, the host token, or text shaped like a common API key) is
 * denied by workspace safety, whatever the rules say. The model is never handed a key (tool results
 * and prompts are masked), so a key in a call it wrote can only be on its way out: `http_get
 * https://…?key=sk-ant-…` would have sent it to that server.
 */
export function denyKeyCarrier(request: { capability: string; resource: string }, redact: (text: string) => string): Evaluation | null {
  if (!SENDING.has(request.capability) || redact(request.resource) === request.resource) return null;
  return {
    decision: 'deny',
    decidedBy: 'safety',
    ruleId: null,
    reason: "the call carries one of the app's keys (or text shaped like an API key); a tool never sends a key anywhere",
    resolved: null,
    parts: [],
  };
}
