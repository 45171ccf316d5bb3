import { z } from 'zod';
import type { AppEvent } from './events.js';
import type { ErrorInfo } from './errors.js';

/** Largest frame a transport accepts, in bytes. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/** A request frame: a client names a command and its arguments; `id` pairs it with the reply. */
export const RequestFrameSchema = z.object({
  id: z.union([z.number().int(), z.string().max(100)]),
  command: z.string().max(100),
  args: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

/** A reply frame, or a pushed event. `id` is null when a request was too broken to read one from. */
export type ReplyFrame =
  | { id: number | string | null; ok: true; result: unknown }
  | { id: number | string | null; ok: false; error: ErrorInfo };
export type EventFrame = { event: AppEvent };
export type ServerFrame = ReplyFrame | EventFrame;

export function isEventFrame(frame: ServerFrame): frame is EventFrame {
  return 'event' in frame;
}
