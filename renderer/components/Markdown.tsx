import { createElement, Fragment, memo, useRef, type ReactElement, type ReactNode } from 'react';
import ReactMarkdown, { defaultUrlTransform, type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { Highlight, Prism, type PrismTheme } from 'prism-react-renderer';
import type { Element, ElementContent } from 'hast';
import { isWebLink } from '../../core/contract/index.js';
import { useOpenExternal } from '../store/context.js';
import { CopyButton } from './CopyButton.js';

/** Token colours come from the stylesheet (light and dark), not from a theme object. */
const NO_THEME: PrismTheme = { plain: {}, styles: [] };
const REMARK_PLUGINS = [remarkGfm];

/**
 * A reply as GitHub-flavoured Markdown: headings, lists, tables, task lists, quotes, emphasis,
 * strikethrough, links and fenced code with syntax colours and a copy button. Raw HTML in the text is
 * shown as text, never as markup; links open outside the app (web addresses only); images are shown
 * as links rather than fetched. An unclosed fence (a reply still streaming) runs to the end.
 */
export const Markdown = memo(function Markdown({ text, streaming = false }: { text: string; streaming?: boolean }) {
  // While a reply streams only the block being written changes; the blocks above it keep their
  // rendering. A reply that finished here keeps them too when its blocks read the same apart, so the
  // end of a long reply does not parse it all again at once; one that was finished when drawn is
  // parsed whole, once per text.
  const streamed = useRef(false);
  if (streaming) streamed.current = true;
  const blocks = streaming ? splitMarkdownBlocks(text) : streamed.current ? independentBlocks(text) : null;
  return (
    <div className="markdown">
      {blocks
        ? blocks.map((block, i) => (
            <Fragment key={i}>
              {i > 0 ? '\n' : null}
              {/* A block still being written is not kept: the next delta changes it. */}
              <MarkdownBlock text={block} keep={!streaming || i < blocks.length - 1} />
            </Fragment>
          ))
        : renderMarkdown(text)}
    </div>
  );
});

/** A reference definition or footnote: it may be used by another block. */
const DEFINITION = /^ {0,3}\[[^\]]*\]:|\[\^/m;
const LIST_LINE = /^ {0,3}(?:[-*+]|\d+[.)])(?:\s|$)/m;

/**
 * A finished text's blocks when parsing them one by one gives what parsing the whole gives: no
 * reference definitions or footnotes (used across blocks), and no list split by a blank line (one
 * loose list, or an ordered list counting on, when whole). Otherwise null: the text is parsed whole.
 */
export function independentBlocks(text: string): string[] | null {
  if (DEFINITION.test(text)) return null;
  const blocks = splitMarkdownBlocks(text);
  if (blocks.length < 2) return null;
  for (let i = 1; i < blocks.length; i++) if (LIST_LINE.test(blocks[i - 1]) && LIST_LINE.test(blocks[i].split('\n')[0])) return null;
  return blocks;
}

/** How many finished texts keep their rendering: a few pages of replies scrolled back and forth. */
const RENDERED_LIMIT = 2_000;
const rendered = new Map<string, ReactElement>();

/**
 * A finished text's rendering, parsed once: a row scrolled out of view and back, remounted by a
 * new page or drawn again after an interrupted render reuses it instead of parsing again. The
 * elements are plain descriptions (links and code blocks are components that render when mounted),
 * so one can be shown in any number of places. Least recently used first out.
 */
export function renderMarkdown(text: string): ReactElement {
  const hit = rendered.get(text);
  if (hit) {
    rendered.delete(text);
    rendered.set(text, hit);
    return hit;
  }
  const element = parseMarkdown(text);
  rendered.set(text, element);
  if (rendered.size > RENDERED_LIMIT) rendered.delete(rendered.keys().next().value as string);
  return element;
}

const MarkdownBlock = memo(function MarkdownBlock({ text, keep }: { text: string; keep: boolean }) {
  return keep ? renderMarkdown(text) : parseMarkdown(text);
});

/** A text's rendering: the plain-text path when it applies, else the parser. */
function parseMarkdown(text: string): ReactElement {
  return renderPlainMarkdown(text) ?? renderWithParser(text);
}

/** A text rendered by react-markdown with GFM, whatever it holds. */
export function renderWithParser(text: string): ReactElement {
  // react-markdown's synchronous component is a plain function of its props (no hooks).
  return ReactMarkdown({ children: text, remarkPlugins: REMARK_PLUGINS, components: COMPONENTS }) as ReactElement;
}

/** Outside code spans and link labels, characters that may start Markdown or GFM syntax. */
const SYNTAX_CHAR = /[*_~\\<>&[\]|\t\r\0]/;
/** Words GFM turns into links by themselves (www., a scheme, an e-mail address). */
const AUTOLINK_LITERAL = /www\.|(?:https?|mailto|xmpp):|@/i;
/** A line that could open or end a block: heading, quote, list, rule, setext line, fence, table, HTML, indent. */
const BLOCK_START = /^(?:[#>+\-*=|:~<\s]|`{3}|\d+[.)])/;
/** `[label](destination)` with a plain label and a destination the parser keeps as written. */
const LINK = /\[([^[\]`\n]+)\]\(([A-Za-z0-9!#$'*+,\-./:;=?@_~]+)\)/y;

/**
 * The rendering of a text that is paragraphs of plain words, code spans and links, made without the
 * Markdown parser: most replies in a chat are such a text, and the parser costs a millisecond or two
 * each. The elements are those react-markdown makes for the same text (a test compares the two over
 * many texts). Anything else — a character that may begin other syntax, an address GFM would link
 * by itself, a line that may start a block — returns null, and the parser renders it.
 */
export function renderPlainMarkdown(text: string): ReactElement | null {
  if (text !== text.trim()) return null;
  const children: ReactNode[] = [];
  for (const paragraph of text === '' ? [] : text.split('\n\n')) {
    if (paragraph !== paragraph.trim()) return null;
    const lines = paragraph.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i];
      if (line === '' || BLOCK_START.test(line)) return null;
      // A single space before a line break is dropped; two or more would be a hard break.
      if (i < lines.length - 1 && line.endsWith(' ')) {
        line = line.slice(0, -1);
        if (line.endsWith(' ')) return null;
        lines[i] = line;
      }
    }
    const inline = plainInline(lines.join('\n'));
    if (!inline) return null;
    if (children.length) children.push('\n');
    children.push(createElement('p', { key: `p-${children.length}` }, ...inline));
  }
  return createElement(Fragment, null, ...children);
}

function plainInline(source: string): ReactNode[] | null {
  const out: ReactNode[] = [];
  let plain = '';
  const flush = (): boolean => {
    if (SYNTAX_CHAR.test(plain) || AUTOLINK_LITERAL.test(plain)) return false;
    if (plain) out.push(plain);
    plain = '';
    return true;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '`') {
      const end = source.indexOf('`', i + 1);
      const code = end < 0 ? '' : source.slice(i + 1, end);
      // One backtick each side, nothing the parser would trim or fold.
      if (code === '' || source[end + 1] === '`' || code.includes('\n') || code.startsWith(' ') || code.endsWith(' ')) return null;
      if (!flush()) return null;
      out.push(createElement('code', { key: `code-${out.length}` }, code));
      i = end + 1;
    } else if (c === '[') {
      LINK.lastIndex = i;
      const link = LINK.exec(source);
      if (!link || plain.endsWith('!') || SYNTAX_CHAR.test(link[1]) || AUTOLINK_LITERAL.test(link[1]) || link[1] !== link[1].trim()) return null;
      if (!flush()) return null;
      out.push(createElement(COMPONENTS.a as (props: { href: string; children: ReactNode }) => ReactNode, { key: `a-${out.length}`, href: defaultUrlTransform(link[2]), children: link[1] }));
      i = LINK.lastIndex;
    } else {
      plain += c;
      i++;
    }
  }
  return flush() ? out : null;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Splits Markdown at blank lines that end a top-level block (outside fenced code, and not before an
 * indented line that continues a list item), so a reply that grows re-parses only its last block.
 * Used while a reply streams; the finished reply is parsed whole (reference links, loose lists).
 */
export function splitMarkdownBlocks(text: string): string[] {
  const lines = text.split('\n');
  const blocks: string[] = [];
  let start = 0;
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = FENCE.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      continue;
    }
    if (fence !== null || line.trim() !== '' || i === lines.length - 1) continue;
    const next = lines[i + 1];
    if (next === undefined || next.trim() === '' || /^\s/.test(next)) continue;
    blocks.push(lines.slice(start, i).join('\n'));
    start = i + 1;
  }
  blocks.push(lines.slice(start).join('\n'));
  return blocks.filter((b, i) => b.trim() !== '' || i === blocks.length - 1);
}

function ExternalLink({ href, children }: { href: string | undefined; children: ReactNode }) {
  const open = useOpenExternal();
  if (!href || !isWebLink(href)) return <span className="link-inert">{children}</span>;
  return (
    <a
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      title={href}
      onClick={(event) => {
        // Never inside the app's window: the system browser, or a new tab without an opener.
        event.preventDefault();
        open(href);
      }}
    >
      {children}
    </a>
  );
}

function textOf(nodes: readonly ElementContent[]): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') out += node.value;
    else if (node.type === 'element') out += textOf(node.children);
  }
  return out;
}

function CodeBlock({ node }: { node?: Element }) {
  const code = node?.children.find((c): c is Element => c.type === 'element' && c.tagName === 'code');
  const source = code ? textOf(code.children).replace(/\n$/, '') : '';
  const classes = code?.properties?.className;
  const language = (Array.isArray(classes) ? classes : []).map(String).find((c) => c.startsWith('language-'))?.slice('language-'.length) ?? '';
  const known = language !== '' && Object.prototype.hasOwnProperty.call(Prism.languages, language.toLowerCase());
  return (
    <div className="code-block" data-language={language || undefined}>
      <div className="code-head">
        <span className="code-language">{language || 'text'}</span>
        <CopyButton text={source} label="Copy code" testId="copy-code" />
      </div>
      {known ? (
        <Highlight prism={Prism} theme={NO_THEME} code={source} language={language.toLowerCase()}>
          {({ tokens, getLineProps, getTokenProps }) => (
            <pre className="code-pre" tabIndex={0}>
              <code>
                {tokens.map((line, i) => {
                  const { key: _lineKey, style: _lineStyle, ...lineProps } = getLineProps({ line });
                  return (
                    <span key={i} {...lineProps}>
                      {line.map((token, j) => {
                        const { key: _tokenKey, style: _tokenStyle, ...tokenProps } = getTokenProps({ token });
                        return <span key={j} {...tokenProps} />;
                      })}
                      {i < tokens.length - 1 ? '\n' : null}
                    </span>
                  );
                })}
              </code>
            </pre>
          )}
        </Highlight>
      ) : (
        <pre className="code-pre" tabIndex={0}>
          <code>{source}</code>
        </pre>
      )}
    </div>
  );
}

const COMPONENTS: Components = {
  a: ({ href, children }) => <ExternalLink href={href}>{children}</ExternalLink>,
  pre: ({ node }) => <CodeBlock node={node} />,
  // Remote images would be fetched from wherever a reply points; a link says what is there instead.
  img: ({ src, alt }) => (
    <ExternalLink href={typeof src === 'string' ? src : undefined}>
      <span className="markdown-image">{alt ? `image: ${alt}` : 'image'}</span>
    </ExternalLink>
  ),
  // Wide tables scroll on their own instead of widening the page.
  table: ({ children }) => (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Table">
      <table>{children}</table>
    </div>
  ),
  input: ({ type, checked }) => (type === 'checkbox' ? <input type="checkbox" checked={Boolean(checked)} disabled aria-label={checked ? 'done' : 'not done'} /> : null),
};
