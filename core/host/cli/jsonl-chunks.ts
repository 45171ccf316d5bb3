import { open } from 'node:fs/promises';

/** Lines longer than this cannot be a memory (text is at most 20,000 characters); they are skipped. */
export const MAX_LINE_BYTES = 256 * 1024;
/** Each request carries at most this much of the file: with JSON's escaping it stays well under a frame (1 MiB). */
export const CHUNK_BYTES = 256 * 1024;

export interface JsonlChunk {
  /** Whole lines, joined by `\n`. */
  jsonl: string;
  /** The 1-based number of its first line in the file. */
  firstLine: number;
  /** Bytes of the file read so far. */
  read: number;
  /** Lines skipped because they were too long, by number. */
  oversized: number[];
}

/**
 * Reads a JSONL file in pieces of whole lines, never more than `chunkBytes` of text at once and never
 * a line longer than `maxLineBytes` (such a line is skipped up to its end, so a file without line
 * breaks is read once, in bounded memory, and imports nothing).
 */
export async function* jsonlChunks(file: string, chunkBytes = CHUNK_BYTES, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<JsonlChunk> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    let lines: Buffer[] = [];
    let size = 0;
    let partial: Buffer[] = [];
    let partialSize = 0;
    let skipping = false;
    let lineNo = 1;
    let firstLine = 1;
    let read = 0;
    let oversized: number[] = [];
    const flush = (): JsonlChunk | null => {
      if (!lines.length && !oversized.length) return null;
      const chunk = { jsonl: Buffer.concat(lines).toString('utf8'), firstLine, read, oversized };
      lines = [];
      size = 0;
      oversized = [];
      return chunk;
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      read += bytesRead;
      let from = 0;
      while (from < bytesRead) {
        const nl = buffer.indexOf(10, from);
        const end = nl < 0 || nl >= bytesRead ? bytesRead : nl;
        if (!skipping) {
          partial.push(Buffer.from(buffer.subarray(from, end)));
          partialSize += end - from;
          if (partialSize > maxLineBytes) {
            skipping = true;
            partial = [];
            partialSize = 0;
            oversized.push(lineNo);
          }
        }
        if (end === bytesRead) break;
        // A whole line: into the chunk, which goes out first when the line would not fit.
        if (!skipping) {
          const line = Buffer.concat([...partial, Buffer.from('\n')]);
          if (size + line.length > chunkBytes && lines.length) {
            const chunk = flush()!;
            yield chunk;
          }
          if (!lines.length) firstLine = lineNo;
          lines.push(line);
          size += line.length;
        }
        partial = [];
        partialSize = 0;
        skipping = false;
        lineNo++;
        from = end + 1;
      }
    }
    if (partialSize && !skipping) {
      if (size + partialSize > chunkBytes && lines.length) yield flush()!;
      if (!lines.length) firstLine = lineNo;
      lines.push(Buffer.concat(partial));
    }
    const last = flush();
    if (last) yield last;
  } finally {
    await handle.close();
  }
}
