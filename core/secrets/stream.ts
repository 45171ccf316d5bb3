/**
 * Redacts streamed text. A key can arrive split over two chunks, so the trailing run of non-space
 * characters is held back until a space (or the end) shows it whole; keys contain no spaces. A run
 * longer than `maxHold` is let through redacted, so a reply without spaces still streams.
 */
export function createStreamRedactor(redact: (text: string) => string, maxHold = 256): { push(text: string): string; end(): string } {
  let held = '';
  return {
    push(text) {
      held += text;
      const cut = Math.max(held.lastIndexOf(' '), held.lastIndexOf('\n'), held.lastIndexOf('\t'));
      if (cut < 0 && held.length < maxHold) return '';
      const upTo = cut < 0 ? held.length : cut + 1;
      const out = held.slice(0, upTo);
      held = held.slice(upTo);
      return redact(out);
    },
    end() {
      const out = redact(held);
      held = '';
      return out;
    },
  };
}
