import type { ToolCallItem } from '../../core/contract/index.js';

const STATUS_TEXT = { running: 'running…', ok: 'done', error: 'failed' } as const;

/** A tool call as a collapsed card; opening it shows the arguments and the result or error. */
export function ToolCallRow({ item, time }: { item: ToolCallItem; time: string }) {
  return (
    <details
      className={`row tool-call tool-${item.status}`}
      data-testid="timeline-row"
      data-kind="tool_call"
      data-id={item.id}
      data-status={item.status}
      data-run-id={item.runId ?? ''}
    >
      <summary className="tool-summary">
        <span className="tool-name">{item.tool}</span>
        {item.resource ? <span className="tool-resource">{item.resource}</span> : null}
        <span className="tool-status" aria-live={item.status === 'running' ? 'polite' : undefined}>
          {STATUS_TEXT[item.status]}
        </span>
        <time className="row-time">{time}</time>
      </summary>
      <div className="tool-body">
        <div className="tool-label">Arguments</div>
        <pre className="tool-pre">{item.args}</pre>
        {item.error ? (
          <>
            <div className="tool-label">Error</div>
            <pre className="tool-pre tool-error" data-code={item.error.code}>
              {item.error.message}
            </pre>
          </>
        ) : item.status === 'ok' ? (
          <>
            <div className="tool-label">Result</div>
            <pre className="tool-pre">{item.output || '(empty)'}</pre>
          </>
        ) : null}
      </div>
    </details>
  );
}
