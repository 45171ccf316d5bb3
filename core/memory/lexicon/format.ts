import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';

/**
 * The compact WordNet file: a header, then sections of 32-bit integers or bytes laid end to end,
 * each 4-byte aligned, so loading it is one read and a few typed-array views (no parsing, no
 * garbage). Strings are UTF-8 in byte sections addressed by offset tables; lemma and exception
 * tables are sorted by bytes for binary search. The whole file, header included, is in the byte
 * order of the machine that built it, which its first four bytes tell ("ARWN" little-endian,
 * "NWRA" big-endian); a machine of the other order swaps each integer section as it reads it.
 */
export const LEXICON_MAGIC = 0x4e575241; // "ARWN" when little-endian
/** Bump when the layout or what the builder derives changes: the cached file is rebuilt. */
export const LEXICON_FORMAT = 5;

export type ByteOrder = 'BE' | 'LE';

export const SECTIONS = [
  'lemmaText', // u8: lemma strings (lower case, "_" between words)
  'lemmaTextAt', // i32[L+1]
  'lemmaSensesAt', // i32[L+1] into lemmaSenses
  'lemmaSenses', // i32 pairs: synset, (tagCount << 3) | pos
  'lemmaExpandAt', // i32[L+1] into lemmaExpand: senses to expand a query word by, -1 first when too polysemous
  'lemmaExpand', // i32 synsets
  'lemmaCompoundsAt', // i32[L+1] into lemmaCompounds
  'lemmaCompounds', // i32 synsets named by a two-word compound starting with the lemma
  'excText', // u8: inflected forms
  'excTextAt', // i32[E+1]
  'excTargetsAt', // i32[E+1] into excTargets
  'excTargets', // i32: lemma index << 3 | pos
  'synPos', // u8[S]
  'synLemmasAt', // i32[S+1] into synLemmas
  'synLemmas', // i32 lemma indexes
  'synRelsAt', // i32[S+1] into synRels
  'synRels', // i32: relation << 24 | target synset
  'gloss', // u8: first clause of each definition
  'glossAt', // i32[S+1]
] as const;
export type SectionName = (typeof SECTIONS)[number];
const BYTE_SECTIONS = new Set<SectionName>(['lemmaText', 'excText', 'synPos', 'gloss']);

export const POS_CODES = { n: 0, v: 1, a: 2, s: 2, r: 3 } as const;
export type PosCode = 0 | 1 | 2 | 3;

/** Relations kept from WordNet's pointers. */
export const REL = {
  hypernym: 1,
  hyponym: 2,
  derivation: 3,
  pertainym: 4,
  similar: 5,
  holonym: 6,
  meronym: 7,
  attribute: 8,
  also: 9,
} as const;

export function relationOf(symbol: string): number {
  switch (symbol) {
    case '@':
    case '@i':
      return REL.hypernym;
    case '~':
    case '~i':
      return REL.hyponym;
    case '+':
      return REL.derivation;
    case '\\':
      return REL.pertainym;
    case '&':
      return REL.similar;
    case '#m':
    case '#p':
    case '#s':
      return REL.holonym;
    case '%m':
    case '%p':
    case '%s':
      return REL.meronym;
    case '=':
      return REL.attribute;
    case '^':
      return REL.also;
    default:
      return 0;
  }
}

export type Sections = { [K in SectionName]: K extends 'lemmaText' | 'excText' | 'synPos' | 'gloss' ? Uint8Array : Int32Array } & {
  /** The bytes `start` to `end` of `gloss`, read from the file, when the sections are read as they are used (openLexiconFile). */
  readGloss?: (start: number, end: number) => Uint8Array;
};

const HEADER_WORDS = 4 + SECTIONS.length * 2;

/**
 * The file's bytes, in `byteOrder` (this machine's unless told: the order the sections are used in,
 * so reading them converts nothing).
 */
export function encodeLexicon(sections: Sections, sourceVersion: string, byteOrder: ByteOrder = endianness()): Buffer {
  const version = Buffer.from(sourceVersion.padEnd(16).slice(0, 16));
  let at = HEADER_WORDS * 4 + 16;
  const places: { offset: number; length: number }[] = [];
  for (const name of SECTIONS) {
    const s = sections[name];
    places.push({ offset: at, length: s.length });
    at += Math.ceil(s.byteLength / 4) * 4;
  }
  const out = Buffer.alloc(at);
  const u32 = (value: number, offset: number) => (byteOrder === 'LE' ? out.writeUInt32LE(value, offset) : out.writeUInt32BE(value, offset));
  u32(LEXICON_MAGIC, 0);
  u32(LEXICON_FORMAT, 4);
  u32(SECTIONS.length, 8);
  u32(at, 12);
  places.forEach((p, i) => {
    u32(p.offset, 16 + i * 8);
    u32(p.length, 20 + i * 8);
  });
  version.copy(out, HEADER_WORDS * 4);
  SECTIONS.forEach((name, i) => {
    const s = sections[name];
    const bytes = Buffer.from(s.buffer, s.byteOffset, s.byteLength);
    bytes.copy(out, places[i].offset);
    if (!BYTE_SECTIONS.has(name) && byteOrder !== endianness()) out.subarray(places[i].offset, places[i].offset + bytes.length).swap32();
  });
  return out;
}

/** A header reader for the byte order the file's magic number says, or null when it is not this file type. */
function headerOf(head: Buffer): ((offset: number) => number) & { order: ByteOrder } | null {
  if (head.length < 4) return null;
  const order: ByteOrder | null = head.readUInt32LE(0) === LEXICON_MAGIC ? 'LE' : head.readUInt32BE(0) === LEXICON_MAGIC ? 'BE' : null;
  if (!order) return null;
  return Object.assign((offset: number) => (order === 'LE' ? head.readUInt32LE(offset) : head.readUInt32BE(offset)), { order });
}

/** A section's 32-bit integers read from a file of `order`, in this machine's order. */
function toNative(section: Int32Array, order: ByteOrder): Int32Array {
  if (order !== endianness()) Buffer.from(section.buffer, section.byteOffset, section.byteLength).swap32();
  return section;
}

/**
 * The sections of the file at `path` made by `encodeLexicon`, each read from it when first used
 * (a process that looks up a few words reads about half the file: definitions are read one at a
 * time, and the synsets' lemmas not at all), or null when it is not one of this format and source.
 * The file stays open for the process.
 */
export function openLexiconFile(path: string, sourceVersion: string): Sections | null {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(HEADER_WORDS * 4 + 16);
    const size = fstatSync(fd).size;
    if (readSync(fd, head, 0, head.length, 0) !== head.length) return close(fd);
    const u32 = headerOf(head);
    if (!u32 || u32(4) !== LEXICON_FORMAT || u32(8) !== SECTIONS.length || u32(12) !== size) return close(fd);
    if (head.subarray(HEADER_WORDS * 4).toString() !== sourceVersion.padEnd(16).slice(0, 16)) return close(fd);
    const out = {} as Record<SectionName, Uint8Array | Int32Array>;
    const places = SECTIONS.map((name, i) => {
      const offset = u32(16 + i * 8);
      const length = u32(20 + i * 8);
      const bytes = BYTE_SECTIONS.has(name) ? length : length * 4;
      if (offset + bytes > size) throw new Error('a section runs past the end of the file');
      return { offset, length, bytes };
    });
    SECTIONS.forEach((name, i) => {
      Object.defineProperty(out, name, {
        configurable: true,
        enumerable: true,
        get() {
          const { offset, length, bytes } = places[i];
          const section = BYTE_SECTIONS.has(name) ? new Uint8Array(length) : new Int32Array(length);
          if (readSync(fd, section, 0, bytes, offset) !== bytes) throw new Error(`the WordNet index ${path} was cut short`);
          if (section instanceof Int32Array) toNative(section, u32.order);
          Object.defineProperty(out, name, { value: section, enumerable: true });
          return section;
        },
      });
    });
    const gloss = places[SECTIONS.indexOf('gloss')];
    const readGloss = (start: number, end: number) => {
      const bytes = Buffer.alloc(Math.max(0, Math.min(end, gloss.length) - start));
      if (start < 0 || readSync(fd, bytes, 0, bytes.length, gloss.offset + start) !== bytes.length) throw new Error(`the WordNet index ${path} was cut short`);
      return bytes;
    };
    return Object.assign(out as Sections, { readGloss });
  } catch (err) {
    close(fd);
    throw err;
  }
}

function close(fd: number): null {
  closeSync(fd);
  return null;
}

/** Views over a file made by `encodeLexicon`, or null when it is not one of this format and source. */
export function decodeLexicon(file: Buffer, sourceVersion: string): Sections | null {
  if (file.length < HEADER_WORDS * 4 + 16) return null;
  const u32 = headerOf(file);
  if (!u32 || u32(4) !== LEXICON_FORMAT || u32(8) !== SECTIONS.length || u32(12) !== file.length) return null;
  if (file.subarray(HEADER_WORDS * 4, HEADER_WORDS * 4 + 16).toString() !== sourceVersion.padEnd(16).slice(0, 16)) return null;
  // Typed arrays need 4-byte alignment; a pooled buffer may not have it. A file of the other byte
  // order is converted in a copy of its own.
  const buf = file.byteOffset % 4 === 0 && u32.order === endianness() ? file : Buffer.from(file);
  const out = {} as Record<SectionName, Uint8Array | Int32Array>;
  SECTIONS.forEach((name, i) => {
    const offset = u32(16 + i * 8);
    const length = u32(20 + i * 8);
    out[name] = BYTE_SECTIONS.has(name) ? new Uint8Array(buf.buffer, buf.byteOffset + offset, length) : toNative(new Int32Array(buf.buffer, buf.byteOffset + offset, length), u32.order);
  });
  return out as Sections;
}
