import { Fragment, memo, type ReactNode } from 'react';

/**
 * The small part of Markdown replies lean on: fenced code blocks, inline code and **bold**. Built
 * as React elements, never as HTML, so a reply cannot inject markup. An unclosed fence (a reply
 * still streaming) runs to the end. Everything else stays as written, line breaks included.
 */
export const RichText = memo(function RichText({ text }: { text: string }) {
  const blocks: ReactNode[] = [];
  const fence = /^```([\w+-]*)[^\n]*\n?/gm;
  let at = 0;
  let match: RegExpExecArray | null;
  while ((match = fence.exec(text)) !== null) {
    if (match.index < at) continue;
    blocks.push(<Fragment key={`t${at}`}>{inline(text.slice(at, match.index), at)}</Fragment>);
    const bodyStart = match.index + match[0].length;
    const close = text.indexOf('\n```', bodyStart - 1);
    const bodyEnd = close === -1 ? text.length : close + 1;
    blocks.push(
      <pre key={`c${match.index}`} className="code-block" data-language={match[1] || undefined}>
        <code>{text.slice(bodyStart, bodyEnd).replace(/\n$/, '')}</code>
      </pre>,
    );
    if (close === -1) {
      at = text.length;
      break;
    }
    // Skip the closing fence and the rest of its line.
    const lineEnd = text.indexOf('\n', close + 4);
    at = lineEnd === -1 ? text.length : lineEnd + 1;
    fence.lastIndex = at;
  }
  if (at < text.length) blocks.push(<Fragment key={`t${at}`}>{inline(text.slice(at), at)}</Fragment>);
  return <>{blocks}</>;
});

function inline(text: string, offset: number): ReactNode[] {
  const out: ReactNode[] = [];
  const pattern = /`([^`\n]+)`|\*\*([^*\n]+)\*\*/g;
  let at = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    if (match.index > at) out.push(text.slice(at, match.index));
    const key = offset + match.index;
    out.push(match[1] !== undefined ? <code key={key}>{match[1]}</code> : <strong key={key}>{match[2]}</strong>);
    at = match.index + match[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
