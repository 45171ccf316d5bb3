import { AppError, ATTACHMENT_LIMITS, attachmentKind, formatBytes, type AttachmentInput } from '../contract/index.js';

/** A file of a message, decoded and checked: what is stored and what the model is given. */
export interface CheckedAttachment {
  name: string;
  mediaType: string;
  kind: 'image' | 'text';
  bytes: Buffer;
}

// The first bytes of each image type: a file named .png must be a PNG, whatever the window said.
const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')),
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
};

/**
 * Decodes and checks the files of one message: a type the models take, bytes that are what the type
 * says, text that is UTF-8, and the limits of `ATTACHMENT_LIMITS`. Throws `invalid_input` in plain
 * words naming the file; nothing is stored when any file is refused.
 */
export function checkAttachments(files: readonly AttachmentInput[]): CheckedAttachment[] {
  if (files.length > ATTACHMENT_LIMITS.maxCount) throw new AppError('invalid_input', `A message can carry at most ${ATTACHMENT_LIMITS.maxCount} files; this one has ${files.length}.`);
  const out: CheckedAttachment[] = [];
  let total = 0;
  for (const file of files) {
    const kind = attachmentKind(file.mediaType);
    if (!kind) throw new AppError('invalid_input', `${file.name} cannot be attached: only images (PNG, JPEG, GIF, WebP) and text files can (this is ${file.mediaType}).`);
    const bytes = Buffer.from(file.data, 'base64');
    if (bytes.length === 0) throw new AppError('invalid_input', `${file.name} is empty.`);
    total += bytes.length;
    if (kind === 'image' && !SIGNATURES[file.mediaType](bytes)) throw new AppError('invalid_input', `${file.name} is not a ${file.mediaType.slice(6).toUpperCase()} image.`);
    if (kind === 'text') {
      if (bytes.length > ATTACHMENT_LIMITS.maxTextBytes) throw new AppError('invalid_input', `${file.name} is larger than the ${formatBytes(ATTACHMENT_LIMITS.maxTextBytes)} a text file can be.`);
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw new AppError('invalid_input', `${file.name} is not UTF-8 text.`);
      }
    }
    out.push({ name: file.name, mediaType: file.mediaType, kind, bytes });
  }
  if (total > ATTACHMENT_LIMITS.maxTotalBytes) throw new AppError('invalid_input', `The files come to ${formatBytes(total)}; a message can carry up to ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)} of files.`);
  return out;
}
