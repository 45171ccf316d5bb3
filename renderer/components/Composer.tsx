import { useEffect, useReducer, useRef, useState, type ClipboardEvent, type DragEvent, type FormEvent, type KeyboardEvent } from 'react';
import { formatBytes } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';
import { composerFiles, NO_FILES, readAttachments } from './attachments.js';
import { AttachIcon, FileIcon } from './icons.js';
import { ModelPicker } from './ModelPicker.js';

const ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,text/*,.md,.json,.yaml,.yml,.toml,.csv,.ts,.tsx,.js,.py,.sh,.sql,.log';

/**
 * Enter sends, Shift+Enter starts a new line; the draft stays when sending fails. Files come in by
 * the Attach button, by dropping them on the composer or by pasting them, and show above the text
 * until sent.
 */
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
  const [{ files, errors: fileErrors }, dispatchFiles] = useReducer(composerFiles, NO_FILES);
  const [dropping, setDropping] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);

  const additions = useRef(0);

  /**
   * Files are read side by side (one picked while another is dropped); each read is applied to the
   * list as it is when it ends, so both are kept and the limits count both, in the order added.
   */
  async function addFiles(list: readonly File[]): Promise<void> {
    if (!list.length) return;
    const added = additions.current++;
    try {
      dispatchFiles({ type: 'read', results: await readAttachments(list), added });
    } catch (err) {
      dispatchFiles({ type: 'failed', message: `The files were not added: ${(err as Error).message}` });
    }
  }
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
      await sendChat(text, { model, attachments: files.map(({ name, mediaType, data }) => ({ name, mediaType, data })) });
      setDraft('');
      dispatchFiles({ type: 'clear' });
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

  function onPaste(event: ClipboardEvent<HTMLTextAreaElement>) {
    const pasted = Array.from(event.clipboardData.files);
    if (!pasted.length) return;
    event.preventDefault();
    void addFiles(pasted);
  }

  const carriesFiles = (event: DragEvent) => Array.from(event.dataTransfer.types).includes('Files');
  function onDragOver(event: DragEvent) {
    if (!carriesFiles(event) || !connected) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDropping(true);
  }
  function onDrop(event: DragEvent) {
    setDropping(false);
    if (!carriesFiles(event) || !connected) return;
    event.preventDefault();
    void addFiles(Array.from(event.dataTransfer.files));
    input.current?.focus();
  }

  const disabled = !connected;
  return (
    <form
      className={`composer${dropping ? ' composer-dropping' : ''}`}
      onSubmit={onSubmit}
      aria-label="Message"
      onDragOver={onDragOver}
      onDragLeave={() => setDropping(false)}
      onDrop={onDrop}
      data-testid="composer"
    >
      {error ? (
        <div className="inline-error" role="alert" data-testid="send-error">
          {error}
        </div>
      ) : null}
      {fileErrors.length ? (
        <div className="inline-error" role="alert" data-testid="attach-error">
          {fileErrors.map((e) => (
            <div key={e}>{e}</div>
          ))}
        </div>
      ) : null}
      <div className="composer-box">
        {files.length ? (
          <ul className="composer-files" aria-label="Attached files">
            {files.map((file) => (
              <li key={file.key} className="attachment-chip" data-testid="composer-attachment" data-name={file.name}>
                {file.preview ? <img className="attachment-chip-thumb" src={file.preview} alt="" /> : <FileIcon />}
                <span className="attachment-name">{file.name}</span>
                <span className="attachment-size">{formatBytes(file.size)}</span>
                <button
                  type="button"
                  className="attachment-remove"
                  aria-label={`Remove ${file.name}`}
                  onClick={() => {
                    dispatchFiles({ type: 'remove', key: file.key });
                    input.current?.focus();
                  }}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        ) : null}
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
          onPaste={onPaste}
          autoFocus
        />
        <div className="composer-tools">
          <input
            ref={picker}
            type="file"
            multiple
            accept={ACCEPT}
            className="visually-hidden"
            tabIndex={-1}
            aria-hidden="true"
            data-testid="attach-input"
            onChange={(e) => {
              void addFiles(Array.from(e.target.files ?? []));
              e.target.value = '';
            }}
          />
          <button type="button" className="attach-button" data-testid="attach-button" disabled={disabled} onClick={() => picker.current?.click()} aria-label="Attach files" title="Attach images or text files (or drop or paste them here)">
            <AttachIcon />
          </button>
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
