import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement, Fragment, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { independentBlocks, Markdown, renderPlainMarkdown, renderWithParser } from '../../renderer/components/Markdown.js';
import { AppProvider } from '../../renderer/store/context.js';

const context = { store: null as never, client: null as never, retryStart() {}, openExternal() {} };
const html = (element: ReactElement) => renderToStaticMarkup(createElement(AppProvider, { value: context, children: element }));

/** Texts the plain path draws: each must come out exactly as the parser draws it. */
const PLAIN = [
  '',
  'a question',
  'Message 12: a short answer with `code` and a [link](https://example.com)',
  'Two\nlines in one paragraph',
  'A line ending in one space \nand the next',
  'First paragraph.\n\nSecond, with `x = 1` in it.',
  '[a link](https://example.com/path?q=1#frag) first, then text; a [relative](docs/page.md) one',
  'an [unsafe one](javascript:alert) is no link',
  'quotes "like this", apostrophes, 100% and $5, a #hash and a question?',
  'ünïcödé, 日本語 and emoji 🎉 stay as typed',
  'code with symbols `a*b_c<d>&e|f\\g` is literal',
  'Message 7\nA longer line of text that wraps across the width of the window. A longer line of text that wraps across the width of the window. \nthird line',
];

/** Texts with syntax the plain path leaves to the parser. */
const PARSED = [
  '# Heading',
  '- a list',
  '1. ordered',
  '> a quote',
  '**bold** and *em* and _em_',
  '~~struck~~',
  'a hard  \nbreak',
  'escaped \\* star',
  'an entity &amp; one',
  'an autolink www.example.com',
  'https://example.com bare',
  'mail me at a@b.co',
  '<b>html</b>',
  '![image](https://example.com/a.png)',
  '[ref]: https://example.com',
  'a | b\n--- | ---\n1 | 2',
  '```js\ncode\n```',
  '    indented code',
  'double ``code`` span',
  'an `open code span',
  'setext\n===',
  ' leading space',
  'trailing space ',
  'three\n\n\nblank lines',
  '[link with `code`](https://example.com)',
  '[link](https://example.com "title")',
];

test('a text of plain paragraphs, code spans and links renders as the Markdown parser renders it', () => {
  for (const text of PLAIN) {
    const plain = renderPlainMarkdown(text);
    assert.ok(plain, `the plain path takes ${JSON.stringify(text)}`);
    assert.equal(html(plain), html(renderWithParser(text)), JSON.stringify(text));
  }
});

test('a text with any other Markdown or GFM syntax is left to the parser', () => {
  for (const text of PARSED) assert.equal(renderPlainMarkdown(text), null, JSON.stringify(text));
});

test('whatever the plain path takes from generated texts renders as the parser renders it', () => {
  const pieces = ['word', 'word', 'word', ' ', ' ', ' ', 'x.', '\n', '\n\n', '`c`', '[l](https://e.com/a)', '`c`', '[l](https://e.com/a)', '*', '_', '1.', '-', '#', '!', ':', 'http://a.b', '&', '<', '|', '  '];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % pieces.length;
  let taken = 0;
  for (let n = 0; n < 5000; n++) {
    let text = '';
    for (let k = 0; k < 1 + (n % 9); k++) text += pieces[next()];
    const plain = renderPlainMarkdown(text);
    if (!plain) continue;
    taken++;
    assert.equal(html(plain), html(renderWithParser(text)), JSON.stringify(text));
  }
  assert.ok(taken > 300, `only ${taken} generated texts took the plain path`);
});

test('a finished reply drawn block by block renders as the whole text parsed at once', () => {
  const texts = [
    '## Part 1\n\nA paragraph with *emphasis*, `code` and a list:\n\n- item a\n- item b\n\n```js\nconsole.log(1);\n\nconsole.log(2);\n```\n\nThe end.',
    'Intro\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n> a quote\n\n1. one\n2. two\n\nafter the list',
    'Plain first.\n\nPlain second with [a link](https://example.com).',
  ];
  for (const text of texts) {
    const blocks = independentBlocks(text);
    assert.ok(blocks, JSON.stringify(text));
    // What a reply that finished streaming shows: its blocks, one after another.
    assert.equal(html(createElement(Markdown, { text, streaming: true })), html(createElement(Markdown, { text })), JSON.stringify(text));
    assert.equal(html(createElement(Fragment, null, ...blocks.flatMap((b, i) => (i ? ['\n', renderWithParser(b)] : [renderWithParser(b)])))), html(renderWithParser(text)), JSON.stringify(text));
  }
});

test('a finished reply whose blocks depend on each other is parsed whole', () => {
  for (const text of ['- a\n\n- b', '1. one\n\n2. two', 'See [the docs][d].\n\n[d]: https://example.com', 'A note[^1].\n\n[^1]: The note.', 'one block only']) {
    assert.equal(independentBlocks(text), null, JSON.stringify(text));
    assert.equal(html(createElement(Markdown, { text })), `<div class="markdown">${html(renderWithParser(text))}</div>`, JSON.stringify(text));
  }
});
