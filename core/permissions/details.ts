import { open } from 'node:fs/promises';
import { AppError, type PermissionDetails } from '../contract/index.js';
import type { WaitingCall } from './gate.js';
import { parseNetApproval } from './net.js';

/** The most of a text (the new content or the current file) the approval dialog is sent. */
export const DETAILS_MAX_CHARS = 200_000;

/**
 * What a call waiting for a person would do, in full: a write's new text beside the file as it is
 * now (for a diff), a command and the folder it runs in, a request's method and address. Secrets
 * are masked. The current file is read when asked, so the diff is against what is on disk now.
 */
export async function describeWaitingCall(call: WaitingCall | null, redact: (text: string) => string): Promise<PermissionDetails> {
  if (!call) throw new AppError('not_found', 'that request is no longer waiting: it was answered, expired or its run ended');
  if (call.capability === 'fs.write' && call.content !== null) {
    const current = await readCurrent(call.target);
    const content = clipText(call.content);
    return {
      kind: 'write',
      path: redact(call.target),
      content: redact(content.text),
      before: current === null ? null : redact(current.text),
      truncated: content.truncated || Boolean(current?.truncated),
      binary: Boolean(current?.binary),
    };
  }
  if (call.capability === 'shell.exec') return { kind: 'command', command: redact(call.target), cwd: call.cwd === null ? null : redact(call.cwd) };
  if (call.capability === 'net.http') return { kind: 'request', method: 'GET', url: redact(parseNetApproval(call.target)?.href ?? call.target) };
  return { kind: 'other', target: redact(call.target) };
}

function clipText(text: string): { text: string; truncated: boolean } {
  return text.length > DETAILS_MAX_CHARS ? { text: text.slice(0, DETAILS_MAX_CHARS), truncated: true } : { text, truncated: false };
}

/** The file as it is now (its start when large); null when there is none yet. */
async function readCurrent(path: string): Promise<{ text: string; truncated: boolean; binary: boolean } | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new AppError('unavailable', `the current file could not be read: ${(err as Error).message}`);
  }
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, DETAILS_MAX_CHARS * 4));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const bytes = buffer.subarray(0, bytesRead);
    if (bytes.includes(0)) return { text: '', truncated: false, binary: true };
    const clipped = clipText(bytes.toString('utf8'));
    return { text: clipped.text, truncated: clipped.truncated || bytesRead < size, binary: false };
  } finally {
    await handle.close();
  }
}
