/**
 * How long a test waits for something the app will show or emit before it gives up: long enough
 * that only a hang trips it, even with every core busy, because each wait ends as soon as its
 * condition holds. TEST_WAIT_MS overrides it; it stays under the per-test limit
 * (TEST_TIMEOUT_MS, scripts/test-timeouts.mjs) so a failed wait names what it waited for.
 */
export const WAIT_MS = Number(process.env.TEST_WAIT_MS ?? 60_000);

/**
 * Polls `condition` every few ms until it returns something truthy, and returns that; fails after
 * `WAIT_MS` saying what it waited for. Pass `timeoutMs` only for a deliberately short wait whose
 * failure the test handles itself.
 */
export function waitFor<T>(condition: () => T | Promise<T>, what?: string): Promise<NonNullable<T>>;
export function waitFor<T>(condition: () => T | Promise<T>, timeoutMs: number, what?: string): Promise<NonNullable<T>>;
export async function waitFor<T>(condition: () => T | Promise<T>, a?: number | string, b?: string): Promise<NonNullable<T>> {
  const timeoutMs = typeof a === 'number' ? a : WAIT_MS;
  const what = (typeof a === 'string' ? a : b) ?? 'condition';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
