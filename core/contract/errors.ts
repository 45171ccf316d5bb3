import { z } from 'zod';

/** The fixed set of error codes a command can answer with. */
export const ERROR_CODES = ['invalid_input', 'not_found', 'conflict', 'denied', 'unavailable', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The error half of a reply: a code a program can branch on and a message a person can read. */
// Marked pure so a bundle that uses only AppError (the direct `memory search`) leaves zod out.
export const ErrorInfoSchema = /* @__PURE__ */ z.object({ code: /* @__PURE__ */ z.enum(ERROR_CODES), message: /* @__PURE__ */ z.string() });
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

/** An expected failure with a code. Thrown inside core for the gateway to turn into a reply; thrown by clients on an error reply. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message };
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError || (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AppError' && typeof (err as { code?: unknown }).code === 'string');
}

/** Turns a zod failure into one readable line: `text: expected string, received number`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
