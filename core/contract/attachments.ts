import { z } from 'zod';

/**
 * Files attached to a message: images the model looks at, and text files it reads. They travel
 * inside `chat.send` (one request frame of at most 1 MiB), so their bytes are capped together; the
 * window shrinks large photos before it sends them.
 */
export const ATTACHMENT_LIMITS = {
  /** Files one message may carry. */
  maxCount: 4,
  /** Bytes of all files of one message together (base64 in the frame adds a third). */
  maxTotalBytes: 700 * 1024,
  /** Bytes of one text file. */
  maxTextBytes: 256 * 1024,
  /** Longest side an image is shrunk to before sending (what the models look at anyway). */
  maxImageSide: 1568,
} as const;

/** Image types every provider that takes images accepts. */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
const TEXT_APPLICATION_TYPES = new Set(['application/json', 'application/xml', 'application/x-yaml', 'application/yaml', 'application/javascript', 'application/typescript', 'application/x-sh', 'application/toml', 'application/sql']);
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/;

/** What a media type is to the model: an image, a text file, or nothing it can take (null). */
export function attachmentKind(mediaType: string): 'image' | 'text' | null {
  if ((IMAGE_MEDIA_TYPES as readonly string[]).includes(mediaType)) return 'image';
  if (mediaType.startsWith('text/') || TEXT_APPLICATION_TYPES.has(mediaType)) return 'text';
  return null;
}

/** Bytes as a person reads them: 512 B, 14 KB, 2.3 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Nothing that could pass for a path or hide characters: a file's own name, as shown. */
const FileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !hasPathOrControlCharacter(name), 'a file name without slashes or control characters');

/** True when a name holds a slash, a backslash or a control character. */
export function hasPathOrControlCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2f || c === 0x5c) return true;
  }
  return false;
}

/** A file as `chat.send` carries it. */
export const AttachmentInputSchema = z
  .object({
    name: FileNameSchema,
    mediaType: z.string().max(100).regex(MEDIA_TYPE, 'a media type such as image/png'),
    /** The file's bytes, base64. */
    data: z.string().max(Math.ceil((ATTACHMENT_LIMITS.maxTotalBytes * 4) / 3) + 4).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
  })
  .strict();
export type AttachmentInput = z.infer<typeof AttachmentInputSchema>;

/** A stored attachment as messages and the timeline name it; its bytes come from `attachments.get`. */
export const AttachmentMetaSchema = z.object({
  id: z.string(),
  name: z.string(),
  mediaType: z.string(),
  /** Bytes. */
  size: z.number().int().min(0),
});
export type AttachmentMeta = z.infer<typeof AttachmentMetaSchema>;

export const ATTACHMENT_COMMANDS = {
  /** One attachment with its bytes (base64), to show it again. */
  'attachments.get': () => ({
    args: z.object({ id: z.string().min(1).max(200) }).strict(),
    result: AttachmentMetaSchema.extend({ data: z.string() }),
  }),
} as const;
