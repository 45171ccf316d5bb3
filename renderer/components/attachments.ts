import { ATTACHMENT_LIMITS, attachmentKind, formatBytes, hasPathOrControlCharacter, type AttachmentInput } from '../../core/contract/index.js';

/** A file picked, dropped or pasted into the composer, read and ready to send. */
export interface PendingAttachment extends AttachmentInput {
  key: string;
  /** Bytes. */
  size: number;
  /** A data URL to show an image's thumbnail; null for a text file. */
  preview: string | null;
  /** When the person added it, counted by the composer: files stay in that order however long each takes to read. */
  added?: number;
}

// Systems often give code and notes no media type; their extension says they are text.
const TEXT_EXTENSIONS = /\.(txt|md|markdown|csv|tsv|json|jsonl|ya?ml|toml|xml|html?|css|js|mjs|cjs|ts|tsx|jsx|py|rb|go|rs|java|kt|c|h|cc|cpp|hpp|cs|sh|bash|zsh|sql|ini|cfg|conf|log|env|diff|patch|tex|rst|org|swift|php|lua|r|scala|dart|vue|svelte)$/i;
/** Photos this large, or with a side past the models' limit, are shrunk before sending. */
const SHRINK_FROM_BYTES = 400 * 1024;

function mediaTypeOf(file: File): string {
  const type = file.type.toLowerCase();
  if (attachmentKind(type)) return type;
  if ((!type || type === 'application/octet-stream') && TEXT_EXTENSIONS.test(file.name)) return 'text/plain';
  return type || 'application/octet-stream';
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Shrinks an image to the models' longest side (JPEG on white), or keeps it when it is small already. */
async function fitImage(file: File, mediaType: string): Promise<{ bytes: Uint8Array; mediaType: string }> {
  const original = new Uint8Array(await file.arrayBuffer());
  // An animated GIF would lose its frames; it is sent as it is, within the limits.
  if (mediaType === 'image/gif') return { bytes: original, mediaType };
  const bitmap = await createImageBitmap(file);
  const side = Math.max(bitmap.width, bitmap.height);
  if (side <= ATTACHMENT_LIMITS.maxImageSide && original.length <= SHRINK_FROM_BYTES) {
    bitmap.close();
    return { bytes: original, mediaType };
  }
  const scale = Math.min(1, ATTACHMENT_LIMITS.maxImageSide / side);
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  if (!blob) return { bytes: original, mediaType };
  return { bytes: new Uint8Array(await blob.arrayBuffer()), mediaType: 'image/jpeg' };
}

/** One file as read: ready to attach, or why it cannot be. */
export type ReadFile = { file: PendingAttachment } | { error: string };

/**
 * Reads files for the composer and checks each as the core will (type, UTF-8 text, sizes), so a
 * person hears at once, in words, why a file cannot go. One result per file, in order. The limits
 * of a whole message (how many files, how many bytes) are the composer's to apply: they depend on
 * what else was added meanwhile (`composerFiles`).
 */
export async function readAttachments(files: readonly File[]): Promise<ReadFile[]> {
  const results: ReadFile[] = [];
  for (const file of files) {
    const mediaType = mediaTypeOf(file);
    const kind = attachmentKind(mediaType);
    if (!kind) {
      results.push({ error: `${file.name} cannot be attached: only images (PNG, JPEG, GIF, WebP) and text files can.` });
      continue;
    }
    let bytes: Uint8Array;
    let type = mediaType;
    try {
      if (kind === 'image') ({ bytes, mediaType: type } = await fitImage(file, mediaType));
      else {
        if (file.size > ATTACHMENT_LIMITS.maxTextBytes) {
          results.push({ error: `${file.name} is larger than the ${formatBytes(ATTACHMENT_LIMITS.maxTextBytes)} a text file can be.` });
          continue;
        }
        bytes = new Uint8Array(await file.arrayBuffer());
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      }
    } catch {
      results.push({ error: kind === 'image' ? `${file.name} could not be read as an image.` : `${file.name} is not UTF-8 text.` });
      continue;
    }
    if (bytes.length === 0) {
      results.push({ error: `${file.name} is empty.` });
      continue;
    }
    const data = toBase64(bytes);
    results.push({
      file: {
        key: `${Date.now()}-${Math.random().toString(36).slice(2)}`,
        name: hasPathOrControlCharacter(file.name) ? Array.from(file.name, (c) => (hasPathOrControlCharacter(c) ? '_' : c)).join('').slice(0, 255) : file.name.slice(0, 255) || 'file',
        mediaType: type,
        data,
        size: bytes.length,
        preview: kind === 'image' ? `data:${type};base64,${data}` : null,
      },
    });
  }
  return results;
}

/** The composer's files and what the last addition could not take. */
export interface ComposerFiles {
  files: readonly PendingAttachment[];
  errors: readonly string[];
}

export type ComposerFilesAction =
  | { type: 'read'; results: readonly ReadFile[]; added?: number }
  | { type: 'failed'; message: string }
  | { type: 'remove'; key: string }
  | { type: 'clear' };

export const NO_FILES: ComposerFiles = { files: [], errors: [] };

/**
 * The one place the composer's file list changes. Files read side by side (picked while others are
 * dropped or pasted) arrive as separate `read` actions, each applied to the list as it is then, so
 * none replaces another and the message limits count every file already there; the list keeps the
 * order the person added them in (`added`), not the order their reads ended.
 */
export function composerFiles(state: ComposerFiles, action: ComposerFilesAction): ComposerFiles {
  switch (action.type) {
    case 'read': {
      const files = [...state.files];
      const errors: string[] = [];
      let total = files.reduce((n, f) => n + f.size, 0);
      for (const result of action.results) {
        if ('error' in result) {
          errors.push(result.error);
          continue;
        }
        const { file } = result;
        if (files.length >= ATTACHMENT_LIMITS.maxCount) {
          errors.push(`${file.name} was not added: a message can carry at most ${ATTACHMENT_LIMITS.maxCount} files.`);
          continue;
        }
        if (total + file.size > ATTACHMENT_LIMITS.maxTotalBytes) {
          errors.push(`${file.name} (${formatBytes(file.size)}) does not fit: a message can carry up to ${formatBytes(ATTACHMENT_LIMITS.maxTotalBytes)} of files.`);
          continue;
        }
        total += file.size;
        files.push(action.added === undefined ? file : { ...file, added: action.added });
      }
      // A photo that takes longer to read than a note added after it still comes first.
      return { files: files.sort((a, b) => (a.added ?? Infinity) - (b.added ?? Infinity)), errors };
    }
    case 'failed':
      return { files: state.files, errors: [action.message] };
    case 'remove':
      return { files: state.files.filter((f) => f.key !== action.key), errors: state.errors };
    case 'clear':
      return NO_FILES;
  }
}
