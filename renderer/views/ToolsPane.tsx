import './ToolsPane.css';
import { useEffect, useState } from 'react';
import type { McpServerDetail, McpServerInfo, McpServerInput, SkillInfo } from '../../core/contract/index.js';
import { useApp, useClient } from '../store/context.js';
import { ActionPane, type Runner } from './ActionPane.js';
import { SavedCheckbox } from './settingsFields.js';

type Client = ReturnType<typeof useClient>;

/** Tools from outside the app: MCP servers (add, import, edit, test, state, tools with their pin) and skills. */
export function ToolsPane() {
  const client = useClient();
  const version = useApp((s) => s.toolsVersion);
  return (
    <ActionPane name="tools" title="Tools">
      {(run) => (
        <>
          <McpSection client={client} run={run} version={version} />
          <SkillsSection client={client} run={run} version={version} />
        </>
      )}
    </ActionPane>
  );
}

/** Lines of `KEY=VALUE` as an object; blank lines are skipped. */
function parseEnv(text: string): Record<string, string> | undefined {
  const entries = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const at = l.indexOf('=');
      return at > 0 ? [l.slice(0, at).trim(), l.slice(at + 1)] : [l, ''];
    });
  return entries.length ? Object.fromEntries(entries) : undefined;
}

interface Draft {
  editing: string | null;
  name: string;
  kind: 'command' | 'url';
  command: string;
  args: string;
  env: string;
  url: string;
}
const EMPTY: Draft = { editing: null, name: '', kind: 'command', command: '', args: '', env: '', url: '' };

function McpSection({ client, run, version }: { client: Client; run: Runner; version: number }) {
  const [servers, setServers] = useState<McpServerInfo[] | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [importText, setImportText] = useState('');
  const [importNote, setImportNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void run('MCP servers could not be loaded', () => client.call('mcp.list', {})).then((r) => r && setServers(r.servers));
  }, [client, run, version]);

  const save = async () => {
    const server: McpServerInput =
      draft.kind === 'url'
        ? { url: draft.url.trim() }
        : {
            command: draft.command.trim(),
            args: draft.args.split('\n').map((a) => a.trim()).filter(Boolean),
            // Values left empty while editing keep what is stored (a secret is never sent back to the window).
            env: draft.editing ? Object.fromEntries(Object.entries(parseEnv(draft.env) ?? {}).map(([k, v]) => [k, v === '' ? null : v])) : parseEnv(draft.env),
          };
    setBusy(true);
    const saved = await run(draft.editing ? 'The server was not saved' : 'The server was not added', () =>
      draft.editing ? client.call('mcp.update', { name: draft.editing, server, wait: false }) : client.call('mcp.add', { name: draft.name.trim(), server, wait: false }),
    );
    setBusy(false);
    if (saved) setDraft(EMPTY);
  };
  const edit = (s: McpServerInfo) =>
    setDraft({
      editing: s.name,
      name: s.name,
      kind: s.transport === 'http' ? 'url' : 'command',
      command: s.command ?? '',
      args: s.args.join('\n'),
      env: s.env.map((e) => `${e.key}=${e.value ?? ''}`).join('\n'),
      url: s.url ?? '',
    });
  const importConfig = async () => {
    const result = await run('The configuration was not imported', () => client.call('mcp.import', { json: importText, replace: false }));
    if (!result) return;
    setImportNote([...result.added.map((n) => `added ${n}`), ...result.skipped.map((s) => `skipped ${s.name}: ${s.reason}`)].join('; ') || 'no servers in it');
    if (result.added.length) setImportText('');
  };

  return (
    <section className="tools-section" aria-labelledby="mcp-heading">
      <h2 id="mcp-heading">MCP servers</h2>
      <p className="muted">Their tools are offered to the assistant once you approve them. A tool whose definition changes is held back until you approve it again.</p>
      {servers === null ? null : servers.length === 0 ? (
        <p className="muted" data-testid="mcp-empty">
          No servers yet.
        </p>
      ) : (
        <ul className="tools-list">
          {servers.map((s) => (
            <ServerCard key={s.name} server={s} client={client} run={run} version={version} onEdit={() => edit(s)} />
          ))}
        </ul>
      )}
      <form
        className="tools-form"
        data-testid="mcp-form"
        aria-label={draft.editing ? `Edit ${draft.editing}` : 'Add a server'}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <h3>{draft.editing ? `Edit ${draft.editing}` : 'Add a server'}</h3>
        <label>
          Name
          <input data-testid="mcp-name" value={draft.name} disabled={Boolean(draft.editing)} onChange={(e) => setDraft({ ...draft, name: e.target.value })} placeholder="files" />
        </label>
        <label>
          Kind
          <select data-testid="mcp-kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as Draft['kind'] })}>
            <option value="command">Local command (stdio)</option>
            <option value="url">Streamable HTTP address</option>
          </select>
        </label>
        {draft.kind === 'command' ? (
          <>
            <label>
              Command
              <input data-testid="mcp-command" value={draft.command} onChange={(e) => setDraft({ ...draft, command: e.target.value })} placeholder="npx" />
            </label>
            <label>
              Arguments, one per line
              <textarea data-testid="mcp-args" rows={3} value={draft.args} onChange={(e) => setDraft({ ...draft, args: e.target.value })} />
            </label>
            <label>
              Environment, NAME=value per line{draft.editing ? ' (an empty value keeps the stored one)' : ''}
              <textarea data-testid="mcp-env" rows={2} value={draft.env} onChange={(e) => setDraft({ ...draft, env: e.target.value })} />
            </label>
          </>
        ) : (
          <label>
            Address
            <input data-testid="mcp-url" value={draft.url} onChange={(e) => setDraft({ ...draft, url: e.target.value })} placeholder="https://example.com/mcp" />
          </label>
        )}
        <div className="tools-actions">
          <button type="submit" className="primary" data-testid="mcp-save" disabled={busy || !draft.name.trim()}>
            {draft.editing ? 'Save and restart' : 'Add'}
          </button>
          {draft.editing ? (
            <button type="button" onClick={() => setDraft(EMPTY)}>
              Cancel
            </button>
          ) : null}
        </div>
      </form>
      <div className="tools-form">
        <h3>Import a Claude Desktop configuration</h3>
        <label>
          Paste claude_desktop_config.json (its mcpServers are added)
          <textarea data-testid="mcp-import-json" rows={4} value={importText} onChange={(e) => setImportText(e.target.value)} placeholder='{"mcpServers": {"name": {"command": "...", "args": []}}}' />
        </label>
        <label>
          or choose the file
          <input
            type="file"
            accept=".json,application/json"
            data-testid="mcp-import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void file.text().then(setImportText);
            }}
          />
        </label>
        <div className="tools-actions">
          <button type="button" data-testid="mcp-import" disabled={!importText.trim()} onClick={() => void importConfig()}>
            Import
          </button>
          {importNote ? (
            <span className="muted" role="status" data-testid="mcp-import-result">
              {importNote}
            </span>
          ) : null}
        </div>
      </div>
    </section>
  );
}

function ServerCard({ server: s, client, run, version, onEdit }: { server: McpServerInfo; client: Client; run: Runner; version: number; onEdit: () => void }) {
  const [detail, setDetail] = useState<McpServerDetail | null>(null);
  const [testing, setTesting] = useState(false);
  const changed = s.tools.some((t) => t.pin === 'changed');
  useEffect(() => {
    // The diff of a changed tool is shown without asking; it is what the approval is about.
    if (!changed) return setDetail(null);
    void run('The changes could not be loaded', () => client.call('mcp.show', { name: s.name })).then((d) => d && setDetail(d));
  }, [changed, client, run, s.name, version]);
  const state = s.enabled ? s.state : 'off';
  const waiting = s.tools.filter((t) => t.pin === 'new');
  return (
    <li className="tools-card" data-testid={`mcp-server-${s.name}`}>
      <div className="tools-card-line">
        <strong>{s.name}</strong>
        <span className={`tools-state tools-state-${state}`} data-testid="mcp-state">
          {state}
        </span>
        <span className="muted tools-where">{s.transport === 'http' ? s.url : [s.command, ...s.args].join(' ')}</span>
      </div>
      {s.reason ? (
        <p className="error-text" data-testid="mcp-reason">
          {s.reason}
          {s.retryAt ? ` — trying again at ${new Date(s.retryAt).toLocaleTimeString()}` : ''}
        </p>
      ) : null}
      {s.tools.length ? (
        <ul className="tools-tools">
          {s.tools.map((t) => {
            const diff = detail?.tools.find((d) => d.name === t.name)?.diff ?? [];
            return (
              <li key={t.name} data-testid={`mcp-tool-${t.name}`} data-pin={t.pin}>
                <code>{t.bridgedName}</code> <span className={`tools-pin tools-pin-${t.pin}`}>{t.pin === 'approved' ? (t.offered ? 'offered' : 'approved') : t.pin === 'new' ? 'waiting for approval' : 'changed — held back'}</span>
                <span className="muted"> {t.description}</span>
                {t.problem ? <span className="error-text"> {t.problem}</span> : null}
                {t.pin === 'changed' ? (
                  <div className="tools-diff">
                    <pre data-testid="mcp-diff" aria-label={`What changed in ${t.name}`}>
                      {diff.map((l, i) => (
                        <span key={i} className={l.op === '+' ? 'diff-add' : l.op === '-' ? 'diff-del' : undefined}>
                          {`${l.op} ${l.text}\n`}
                        </span>
                      ))}
                    </pre>
                    <button type="button" data-testid="mcp-approve-tool" onClick={() => void run('Not approved', () => client.call('mcp.approve', { name: s.name, tools: [t.name] }))}>
                      Approve the new {t.name}
                    </button>
                  </div>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      <div className="tools-actions">
        {waiting.length ? (
          <button type="button" className="primary" data-testid="mcp-approve" onClick={() => void run('Not approved', () => client.call('mcp.approve', { name: s.name, tools: waiting.map((t) => t.name) }))}>
            Approve {waiting.length === s.tools.length ? 'its tools' : `${waiting.length} new tool${waiting.length === 1 ? '' : 's'}`}
          </button>
        ) : null}
        <button
          type="button"
          data-testid="mcp-test"
          disabled={testing || !s.enabled}
          onClick={() => {
            setTesting(true);
            void run('The test did not run', () => client.call('mcp.test', { name: s.name })).finally(() => setTesting(false));
          }}
        >
          {testing ? 'Testing…' : 'Test'}
        </button>
        <button type="button" data-testid="mcp-edit" onClick={onEdit}>
          Edit
        </button>
        <button type="button" data-testid="mcp-toggle" onClick={() => void run('Not changed', () => client.call('mcp.setEnabled', { name: s.name, enabled: !s.enabled }))}>
          {s.enabled ? 'Turn off' : 'Turn on'}
        </button>
        <button type="button" data-testid="mcp-remove" onClick={() => void run('Not removed', () => client.call('mcp.remove', { name: s.name }))}>
          Remove
        </button>
      </div>
    </li>
  );
}

function SkillsSection({ client, run, version }: { client: Client; run: Runner; version: number }) {
  const [skills, setSkills] = useState<SkillInfo[] | null>(null);
  const [folder, setFolder] = useState('');
  const [shown, setShown] = useState<{ name: string; body: string; files: string[] } | null>(null);
  useEffect(() => {
    void run('Skills could not be loaded', () => client.call('skills.list', {})).then((r) => {
      if (!r) return;
      setSkills(r.skills);
      setFolder(r.folders.user);
    });
  }, [client, run, version]);
  // Replaces a skill with what the core returned; a refused change leaves the list as it was.
  const toggle = async (name: string, enabled: boolean) => {
    const done = await run('Not changed', () => client.call('skills.setEnabled', { name, enabled }));
    if (done) setSkills((list) => list && list.map((x) => (x.name === name ? done : x)));
  };
  return (
    <section className="tools-section" aria-labelledby="skills-heading">
      <h2 id="skills-heading">Skills</h2>
      <p className="muted">
        Instructions the assistant loads when a request matches. Add your own as folders with a SKILL.md in <code>{folder}</code>.
      </p>
      <ul className="tools-list">
        {(skills ?? []).map((s) => (
          <li key={s.folder} className="tools-card" data-testid={`skill-${s.name}`}>
            <div className="tools-card-line">
              <label className="tools-toggle">
                <SavedCheckbox
                  data-testid="skill-enabled"
                  checked={s.enabled && !s.problems.length}
                  disabled={s.problems.length > 0}
                  onSave={(enabled) => toggle(s.name, enabled)}
                />
                <strong>{s.name}</strong>
              </label>
              <span className="muted">{s.source === 'bundled' ? 'bundled' : 'yours'}</span>
              <button
                type="button"
                data-testid="skill-view"
                disabled={s.problems.length > 0}
                onClick={() => void run('The skill could not be read', () => client.call('skills.show', { name: s.name })).then((r) => r && setShown(shown?.name === s.name ? null : r))}
              >
                {shown?.name === s.name ? 'Hide' : 'View'}
              </button>
            </div>
            <p className="muted">{s.description}</p>
            {s.problems.map((p, i) => (
              <p key={i} className="error-text" data-testid="skill-problem">
                Not loaded: {p.file}
                {p.line === null ? '' : `:${p.line}`}: {p.message}
              </p>
            ))}
            {shown?.name === s.name ? (
              <div data-testid="skill-body">
                <pre className="tools-skill-body">{shown.body}</pre>
                {shown.files.length ? <p className="muted">Files: {shown.files.join(', ')}</p> : null}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
