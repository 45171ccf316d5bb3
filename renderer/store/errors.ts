import { isAppError } from '../../core/contract/index.js';

/** A readable sentence for a failed call; never a stack trace. */
export function describeError(err: unknown): string {
  if (isAppError(err)) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
