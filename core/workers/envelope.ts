import { WorkerEnvelopeInputSchema, type WorkerEnvelopeInput } from '../contract/index.js';

/** What a worker's model is told about the answer it must end with. */
export const ENVELOPE_INSTRUCTIONS = [
  'You are a worker: another agent gave you one task. Do it with the tools you have, then end with one',
  'message that is only a JSON object (no other text, optionally inside a ```json fence):',
  '{"summary": "what you found or did, in a few sentences", "artifacts": [{"name": "report.md", "type": "text/markdown", "content": "..."}], "errors": ["what went wrong, if anything"]}',
  '`artifacts` are files handed to the user (optional, at most 20); `errors` lists what you could not do (optional).',
  'Whoever gave you the task sees only this object, not your other messages.',
].join('\n');

export type EnvelopeParse = { ok: true; envelope: WorkerEnvelopeInput } | { ok: false; error: string };

/**
 * Reads a worker's final message as its result envelope: the whole text, or the one fenced block in
 * it, must be a JSON object that `WorkerEnvelopeInputSchema` accepts. Anything else is an error
 * that says what was wrong, in words the user can act on.
 */
export function parseEnvelope(text: string | null): EnvelopeParse {
  if (text === null || !text.trim()) return { ok: false, error: 'the worker ended without a result (its last message was empty)' };
  const body = unfence(text.trim());
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, error: `the worker's result is not JSON (${(err as Error).message}): ${preview(text)}` };
  }
  const parsed = WorkerEnvelopeInputSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'result'}: ${i.message}`).slice(0, 5);
    return { ok: false, error: `the worker's result is not a valid envelope (${issues.join('; ')})` };
  }
  return { ok: true, envelope: parsed.data };
}

function unfence(text: string): string {
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(text);
  return fenced ? fenced[1] : text;
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `"${flat.slice(0, 120)}…"` : `"${flat}"`;
}
