import type { TimelineEntry } from './timelineVisibility.js';

/** The text column a row's height is estimated for: its width in pixels, and whether the narrow layout (under 600 px) applies. */
export interface RowLayout {
  textWidth: number;
  narrow: boolean;
}

// From styles.css: 15 px text at line-height 1.5, a slot's and a message's padding and border, a
// message's header line, 13 px code at 1.45 with its header and padding, the margin between blocks.
const LINE = 22.5;
const CHAR = 7.5;
const CODE_LINE = 18.85;
const CODE_CHROME = 46;
const BLOCK_GAP = 7.5;
const DAY_SEPARATOR = 26;
const MESSAGE_CHROME = { wide: 54, narrow: 50 };
const OTHER_ROW: Record<string, number> = { run_status: 30, tool_call: 44, tool_group: 44, error: 110 };
const OTHER_DEFAULT = 72;

/** The text column of a timeline `width` pixels wide inside a window `windowWidth` pixels wide. */
export function rowLayout(width: number, windowWidth: number): RowLayout {
  const narrow = windowWidth < 600;
  // A slot is at most 880 px wide; its padding and the message's padding and border come off.
  return { narrow, textWidth: Math.max(120, Math.min(width, 880) - (narrow ? 42 : 78)) };
}

const estimates = new WeakMap<object, { layout: RowLayout; height: number }>();

/**
 * A row's height before it is drawn, from its kind and text: a message's lines at the column's
 * width, its code blocks and lists; other rows by kind. Close enough that the list's height and the
 * scroll bar hardly move as rows are measured (a fixed guess put a 300 px code reply at 72 px).
 * Worked out once per item and layout.
 */
export function estimateRowHeight(entry: TimelineEntry | undefined, layout: RowLayout, opensDay: boolean): number {
  if (!entry) return OTHER_DEFAULT;
  let cached = estimates.get(entry);
  if (!cached || cached.layout !== layout) {
    cached = { layout, height: entryHeight(entry, layout) };
    estimates.set(entry, cached);
  }
  return cached.height + (opensDay ? DAY_SEPARATOR : 0);
}

function entryHeight(entry: TimelineEntry, layout: RowLayout): number {
  if (entry.kind !== 'message') return OTHER_ROW[entry.kind] ?? OTHER_DEFAULT;
  const perLine = Math.max(10, Math.floor(layout.textWidth / CHAR));
  const body = entry.role === 'assistant' ? markdownHeight(entry.text, perLine) : plainHeight(entry.text, perLine);
  return (layout.narrow ? MESSAGE_CHROME.narrow : MESSAGE_CHROME.wide) + Math.max(LINE, body);
}

function wrapped(length: number, perLine: number): number {
  return Math.max(1, Math.ceil(length / perLine));
}

/** Text kept as typed (pre-wrap): every line, blank or not, at least one line high. */
function plainHeight(text: string, perLine: number): number {
  let lines = 0;
  for (const line of text.split('\n')) lines += wrapped(line.length, perLine);
  return lines * LINE;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s/;

/** Markdown: paragraphs flow, list items and headings take their own lines, code blocks their lines and chrome. */
function markdownHeight(text: string, perLine: number): number {
  let height = 0;
  let blocks = 0;
  let paragraph = 0;
  let fence: string | null = null;
  let code = 0;
  let inList = false;
  const endParagraph = () => {
    if (paragraph === 0) return;
    height += wrapped(paragraph, perLine) * LINE;
    blocks++;
    paragraph = 0;
  };
  for (const line of text.split('\n')) {
    const marker = FENCE.exec(line)?.[1];
    if (fence !== null) {
      if (marker && marker[0] === fence[0] && line.trim() === marker) {
        height += CODE_CHROME + Math.max(1, code) * CODE_LINE;
        blocks++;
        fence = null;
      } else code++;
      continue;
    }
    if (marker) {
      endParagraph();
      fence = marker;
      code = 0;
    } else if (line.trim() === '') endParagraph();
    else if (LIST_ITEM.test(line) || line.startsWith('#')) {
      endParagraph();
      const item = !line.startsWith('#');
      height += wrapped(line.length, perLine) * (item ? LINE : LINE * 1.2);
      // The items of one list have no gap between them.
      if (!(item && inList)) blocks++;
      inList = item;
      continue;
    } else paragraph += line.length + 1;
    inList = false;
  }
  if (fence !== null) height += CODE_CHROME + Math.max(1, code) * CODE_LINE;
  endParagraph();
  return height + Math.max(0, blocks - 1) * BLOCK_GAP;
}
