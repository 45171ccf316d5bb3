import './PermissionsPane.css';
import { useEffect, useRef, useState } from 'react';
import type { AuditEntry } from '../../core/contract/index.js';
import { useDialogFocus } from '../components/useDialogFocus.js';
import { describeError } from '../store/errors.js';
import { useApp, useClient } from '../store/context.js';
import { CallDetails } from './approval/CallDetails.js';
import { askWords, ruleWords } from './approval/words.js';

type Suggestion = { pattern: string; scope: string; capability: string; alternatives: { pattern: string; label: string }[] };
type Preview = { matches: AuditEntry[]; total: number; scanned: number } | { error: string } | null;

/**
 * The approval dialog: the oldest call waiting for the person, with what it would do in full (a
 * write's diff, a command's folder, a request's address). "Allow always" opens the rule it would save
 * in plain words, prefilled with the narrowest pattern covering this call, and a live preview of the
 * recent calls that rule would match. Focus stays inside; Esc puts the requests aside unanswered (the
 * chat says they wait) and focus goes back to the composer.
 */
export function ApprovalDialog() {
  const request = useApp((s) => s.pendingPermissions.find((r) => !s.hiddenApprovals[r.requestId]) ?? null);
  const waiting = useApp((s) => s.pendingPermissions.length);
  const hide = useApp((s) => s.hideApprovals);
  const error = useApp((s) => s.permissionError);
  const answer = useApp((s) => s.answerPermission);
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [suggestion, setSuggestion] = useState<Suggestion | null>(null);
  const [pattern, setPattern] = useState('');
  const [preview, setPreview] = useState<Preview>(null);
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setSuggestion(null);
    setPreview(null);
    setBusy(false);
  }, [request?.requestId]);
  // Focus starts on the dialog itself, not a button: an Enter meant for the composer must not answer.
  useDialogFocus(dialogRef, request !== null, hide, request?.requestId);

  useEffect(() => {
    if (!suggestion || !pattern.trim()) return;
    let current = true;
    const timer = setTimeout(() => {
      client
        .call('permissions.preview', { rule: { effect: 'allow', capability: suggestion.capability, pattern, scope: suggestion.scope }, limit: 10 })
        .then((p) => current && setPreview(p))
        .catch((err) => current && setPreview({ error: describeError(err) }));
    }, 150);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, suggestion, pattern]);

  if (!request) return null;

  const respond = async (decision: 'allow' | 'deny', always = false) => {
    setBusy(true);
    const ok = await answer(request.requestId, decision, always && suggestion ? { effect: 'allow', capability: suggestion.capability, pattern, scope: suggestion.scope } : undefined);
    if (!ok) setBusy(false);
  };

  const openAlways = async () => {
    try {
      const s = await client.call('permissions.suggest', { requestId: request.requestId });
      setSuggestion({ pattern: s.rule.pattern, scope: s.rule.scope, capability: s.rule.capability, alternatives: s.alternatives });
      setPattern(s.rule.pattern);
    } catch (err) {
      setPreview({ error: describeError(err) });
    }
  };

  const what = askWords(request.capability);
  const expires = request.expiresAt ? new Date(request.expiresAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : null;
  return (
    <div className="approval-backdrop">
      <div
        className="approval"
        role="dialog"
        aria-modal="true"
        aria-labelledby="approval-title"
        aria-describedby="approval-hint"
        data-testid="approval-dialog"
        data-request-id={request.requestId}
        ref={dialogRef}
        tabIndex={-1}
      >
        <h2 id="approval-title">Allow Agent Blob to {what}?</h2>
        <dl className="approval-call">
          <dt>Tool</dt>
          <dd>{request.tool}</dd>
          <dt>{request.capability === 'shell.exec' ? 'Command' : request.capability === 'net.http' ? 'Address' : 'Target'}</dt>
          <dd>
            <code data-testid="approval-resource">{request.resolved ?? request.resource}</code>
          </dd>
          {request.argsSummary ? (
            <>
              <dt>Details</dt>
              <dd>{request.argsSummary}</dd>
            </>
          ) : null}
          <dt>Why it asks</dt>
          <dd className="approval-reason">{request.reason}</dd>
        </dl>
        <CallDetails requestId={request.requestId} />
        {expires ? <p className="approval-expiry">Denied automatically at {expires} if nobody answers.{waiting > 1 ? ` ${waiting - 1} more waiting.` : ''}</p> : null}
        {suggestion ? (
          <div className="approval-rule" data-testid="approval-rule">
            <p className="approval-rule-words" data-testid="approval-rule-words">
              {ruleWords({ capability: suggestion.capability, pattern, scope: suggestion.scope }, suggestion)}
            </p>
            <label>
              Pattern
              <input value={pattern} onChange={(e) => setPattern(e.target.value)} aria-label="Rule pattern" data-testid="approval-rule-pattern" spellCheck={false} />
            </label>
            <div className="approval-alternatives">
              {suggestion.alternatives.map((a) => (
                <button type="button" key={a.pattern} className="chip" onClick={() => setPattern(a.pattern)} title={a.pattern}>
                  {a.label}
                </button>
              ))}
              {pattern !== suggestion.pattern ? (
                <button type="button" className="chip" onClick={() => setPattern(suggestion.pattern)}>
                  only this one
                </button>
              ) : null}
            </div>
            <div className="approval-preview" data-testid="approval-preview" aria-live="polite">
              {!preview ? (
                <span className="muted">Checking recent calls…</span>
              ) : 'error' in preview ? (
                <span className="error-text">{preview.error}</span>
              ) : (
                <>
                  <span data-testid="approval-preview-count">
                    Matches {preview.total} of the last {preview.scanned} such calls
                  </span>
                  <ul>
                    {preview.matches.map((m) => (
                      <li key={m.requestId}>
                        <code>{m.resolved ?? m.resource}</code>
                      </li>
                    ))}
                  </ul>
                </>
              )}
            </div>
          </div>
        ) : null}
        {error ? <p className="error-text">{error}</p> : null}
        <p className="approval-hint muted" id="approval-hint">
          Esc puts this aside without answering; it keeps waiting{request.expiresAt ? ' until it expires' : ''}.
        </p>
        <div className="approval-actions">
          <button type="button" className="danger" disabled={busy} onClick={() => void respond('deny')} data-testid="approval-deny">
            Deny
          </button>
          <span className="spacer" />
          {suggestion ? (
            <>
              <button type="button" disabled={busy} onClick={() => setSuggestion(null)}>
                Back
              </button>
              <button type="button" className="primary" disabled={busy || !pattern.trim() || Boolean(preview && 'error' in preview)} onClick={() => void respond('allow', true)} data-testid="approval-save-rule">
                Save rule and allow
              </button>
            </>
          ) : (
            <>
              <button type="button" disabled={busy} onClick={() => void openAlways()} data-testid="approval-always">
                Allow always…
              </button>
              <button type="button" className="primary" disabled={busy} onClick={() => void respond('allow')} data-testid="approval-once">
                Allow once
              </button>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
