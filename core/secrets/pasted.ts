/** What the reply says when a key was masked in text a person typed. */
export const PASTED_KEY_NOTICE = 'a key or token in your text was stored as [redacted] and is not sent to the model; keys belong in Settings';

/**
 * Wraps a command that stores text a person typed (a chat message, a memory): a key pasted into it
 * (a configured one, whatever it looks like, or a known key shape) is masked before anything stores
 * or indexes it, and the reply carries a notice saying so.
 */
export function maskingPastedKeys<A extends { text: string }, R extends object, C>(
  handler: (args: A, ctx: C) => R | Promise<R>,
  redact: (text: string) => string,
): (args: A, ctx: C) => Promise<R & { notice?: string }> {
  return async (args, ctx) => {
    const text = redact(args.text);
    if (text === args.text) return handler(args, ctx);
    const result = await handler({ ...args, text }, ctx);
    return { ...result, notice: PASTED_KEY_NOTICE };
  };
}
