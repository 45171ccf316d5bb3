import type { TimelineItem } from '../contract/index.js';

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A standalone HTML page of timeline items (a run's transcript, or the whole timeline), every text redacted. */
export function transcriptHtml(title: string, items: readonly TimelineItem[], redact: (text: string) => string, timeZone: string): string {
  const time = (ts: number) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone }).format(new Date(ts));
  const r = (text: string) => esc(redact(text));
  const body = items
    .map((item) => {
      switch (item.kind) {
        case 'message':
          return `<article class="msg ${item.role}"><header>${item.role === 'user' ? 'You' : 'Agent Blob'}${item.model ? ` · ${r(item.model)}` : ''} · ${time(item.ts)}${item.status !== 'done' ? ` · ${item.status}` : ''}</header><div class="text">${r(item.text)}</div></article>`;
        case 'tool_call':
          return `<details class="tool ${item.status}"><summary>${r(item.tool)} ${item.status === 'error' ? `— ${r(item.error?.code ?? 'error')}` : ''}</summary><h4>Arguments</h4><pre>${r(item.args)}</pre><h4>${item.status === 'error' ? 'Error' : 'Result'}</h4><pre>${r(item.status === 'error' ? (item.error?.message ?? '') : item.output)}</pre></details>`;
        case 'error':
          return `<p class="error">${r(item.code)}: ${r(item.message)}</p>`;
        case 'run_status':
          return `<p class="status">run ${esc(item.status)}${item.reason ? `: ${r(item.reason)}` : ''}</p>`;
        default:
          return '';
      }
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${r(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
.msg{margin:1rem 0;padding:.6rem .9rem;border-radius:8px;background:#f4f4f6}.msg.user{background:#e8f0fe}
.msg header{font-size:12px;color:#666;margin-bottom:.3rem}.text{white-space:pre-wrap}
details.tool{margin:.5rem 0;border:1px solid #ddd;border-radius:6px;padding:.3rem .6rem;font-size:13px}details.tool.error{border-color:#e0a0a0}
pre{white-space:pre-wrap;background:#fafafa;padding:.4rem;margin:.2rem 0}.error{color:#a00}.status{color:#666;font-style:italic}
</style></head><body><h1>${r(title)}</h1>
${body}
</body></html>
`;
}
