import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useApp } from '../store/context.js';
import { ModelPicker } from './ModelPicker.js';

/** Enter sends, Shift+Enter starts a new line; the draft stays when sending fails. */
export function Composer() {
  const connected = useApp((s) => s.connectionState === 'open');
  const sendChat = useApp((s) => s.sendChat);
  const model = useApp((s) => s.composerModel);
  // The draft outlives a reload or a crash of the page: it is kept in this browser until sent.
  const [draft, setDraftState] = useState(() => readDraft());
  const setDraft = (text: string) => {
    setDraftState(text);
    writeDraft(text);
  };
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  // The composer has the focus when the window opens (it is enabled only once connected), unless the
  // person already put it somewhere else.
  useEffect(() => {
    if (connected && (document.activeElement === document.body || document.activeElement === null)) input.current?.focus();
  }, [connected]);

  async function send() {
    const text = draft.trim();
    if (!text || sending || !connected) return;
    setSending(true);
    setError(null);
    try {
      await sendChat(text, model);
      setDraft('');
    } catch (err) {
      setError(`Not sent: ${(err as Error).message}`);
    } finally {
      setSending(false);
      input.current?.focus();
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void send();
  }

  const disabled = !connected;
  return (
    <form className="composer" onSubmit={onSubmit} aria-label="Message">
      {error ? (
        <div className="inline-error" role="alert" data-testid="send-error">
          {error}
        </div>
      ) : null}
      <div className="composer-box">
        <label htmlFor="composer-input" className="visually-hidden">
          Message Agent Blob
        </label>
        <textarea
          id="composer-input"
          ref={input}
          data-testid="composer-input"
          className="composer-input"
          rows={Math.min(8, Math.max(2, draft.split('\n').length))}
          placeholder={connected ? 'Message Agent Blob — Enter to send, Shift+Enter for a new line' : 'Waiting for the connection…'}
          value={draft}
          disabled={disabled}
          aria-disabled={disabled}
          onChange={(e) => {
            setDraft(e.target.value);
            if (error) setError(null);
          }}
          onKeyDown={onKeyDown}
          autoFocus
        />
        <div className="composer-tools">
          <ModelPicker disabled={disabled} />
          <span className="spacer" />
          <button type="submit" className="send-button primary" data-testid="composer-send" disabled={disabled || sending || !draft.trim()}>
            Send
          </button>
        </div>
      </div>
    </form>
  );
}

const DRAFT_KEY = 'agent-blob.draft';

function readDraft(): string {
  try {
    return localStorage.getItem(DRAFT_KEY) ?? '';
  } catch {
    return '';
  }
}

function writeDraft(text: string): void {
  try {
    if (text) localStorage.setItem(DRAFT_KEY, text);
    else localStorage.removeItem(DRAFT_KEY);
  } catch {
    // storage can be full or disabled; the draft still lives in the page
  }
}
