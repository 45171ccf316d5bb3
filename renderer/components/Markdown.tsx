import { memo, type ReactElement, type ReactNode } from 'react';
import ReactMarkdown, { type Components } from 'react-markdown';
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
  return (
    <div className="markdown">
      {streaming ? (
        // Only the block being written changes; the blocks above it keep their rendering.
        splitMarkdownBlocks(text).map((block, i) => <MarkdownBlock key={i} text={block} />)
      ) : (
        renderMarkdown(text)
      )}
    </div>
  );
});

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
  // react-markdown's synchronous component is a plain function of its props (no hooks).
  const element = ReactMarkdown({ children: text, remarkPlugins: REMARK_PLUGINS, components: COMPONENTS }) as ReactElement;
  rendered.set(text, element);
  if (rendered.size > RENDERED_LIMIT) rendered.delete(rendered.keys().next().value as string);
  return element;
}

const MarkdownBlock = memo(function MarkdownBlock({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={REMARK_PLUGINS} components={COMPONENTS}>
      {text}
    </ReactMarkdown>
  );
});

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
