import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitMarkdownBlocks } from '../../renderer/components/Markdown.js';

test('a streaming reply splits at blank lines between top-level blocks', () => {
  assert.deepEqual(splitMarkdownBlocks('# Title\n\nFirst paragraph\nstill first.\n\n- a\n- b\n\nLast, still being writ'), [
    '# Title',
    'First paragraph\nstill first.',
    '- a\n- b',
    'Last, still being writ',
  ]);
});

test('blank lines inside fenced code, open or closed, do not split it', () => {
  const closed = 'Before\n\n```js\nconst a = 1;\n\nconst b = 2;\n```\n\nAfter';
  assert.deepEqual(splitMarkdownBlocks(closed), ['Before', '```js\nconst a = 1;\n\nconst b = 2;\n```', 'After']);
  const open = 'Before\n\n~~~\nline\n\n```\nstill code';
  assert.deepEqual(splitMarkdownBlocks(open), ['Before', '~~~\nline\n\n```\nstill code']);
});

test('an indented line after a blank line stays with the list item it continues', () => {
  assert.deepEqual(splitMarkdownBlocks('1. one\n\n   more of one\n2. two\n\nNext'), ['1. one\n\n   more of one\n2. two', 'Next']);
});

test('joining the blocks with blank lines gives back the text when it has no runs of blank lines', () => {
  const text = 'a\n\nb\n\n```\nc\n\n\nd\n```\n\ne';
  assert.equal(splitMarkdownBlocks(text).join('\n\n'), text);
});
