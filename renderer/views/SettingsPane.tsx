import './SettingsPane.css';
import { useEffect, useState } from 'react';
import {
  AgentSettingsPatchSchema,
  BackupSettingsSchema,
  describeEmbedder,
  PURPOSES,
  SettingsPatchSchema,
  type AgentSettings,
  type AgentSettingsPatch,
  type BackupSettings,
  type Price,
  type Purpose,
  type Settings,
  type SettingsPatch,
  type StorageReport,
} from '../../core/contract/index.js';
import { useApp } from '../store/context.js';
import { AnthropicSettings, EndpointSettings, OllamaSettings, OpenAIProviderSettings } from './ProviderSettings.js';
import { Field, numberOrNull, SavedCheckbox, SaveForm, SaveStatusText, useSectionSave } from './settingsFields.js';

const PURPOSE_TEXT: Record<Purpose, string> = {
  chat: 'Chat',
  worker: 'Workers',
  compaction: 'Compaction (summaries of old turns)',
  memory: 'Memory extraction',
  schedule: 'Scheduled prompts',
};
const usd = (n: number) => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** Settings: providers and keys, the model chain per purpose, prices, budgets, usage, export. */
export function SettingsPane() {
  const settings = useApp((s) => s.settings);
  const agent = useApp((s) => s.agentSettings);
  const error = useApp((s) => s.settingsError);
  const version = useApp((s) => s.settingsVersion);
  const load = useApp((s) => s.loadSettings);
  useEffect(() => {
    void load();
  }, [load, version]);
  // A link elsewhere ("Add your API key") opens Settings at one field: bring it into view and focus it.
  const target = useApp((s) => (s.paneTarget?.pane === 'settings' ? s.paneTarget : null));
  const ready = Boolean(settings && agent);
  useEffect(() => {
    if (!target || !ready) return;
    const field = document.getElementById(`settings-${target.target}`);
    field?.scrollIntoView({ block: 'center' });
    field?.focus();
  }, [target, ready]);
  return (
    <div className="settings-pane" data-testid="settings-pane">
      <h1>Settings</h1>
      {error ? (
        <p className="error-text" role="alert" data-testid="settings-error">
          {error}
        </p>
      ) : null}
      {settings && agent ? (
        <>
          <ProvidersSection settings={settings} />
          <ModelsSection settings={settings} agent={agent} />
          <DesktopSection settings={settings} />
          <MemorySection />
          <BudgetsSection agent={agent} />
          <PricesSection agent={agent} />
          <HealthSection />
          <UsageSection />
          <StorageSection />
          <CompactionsSection />
          <ExportSection />
        </>
      ) : (
        <p>Loading…</p>
      )}
    </div>
  );
}

function ProvidersSection({ settings }: { settings: Settings }) {
  return (
    <section className="settings-section" aria-labelledby="settings-providers">
      <h2 id="settings-providers" tabIndex={-1}>
        Providers
      </h2>
      <AnthropicSettings settings={settings} />
      <OllamaSettings settings={settings} />
      <OpenAIProviderSettings settings={settings} />
      <EndpointSettings settings={settings} />
    </section>
  );
}

function DesktopSection({ settings }: { settings: Settings }) {
  const saveSettings = useApp((s) => s.saveSettings);
  const form = useSectionSave<SettingsPatch>(SettingsPatchSchema, saveSettings);
  return (
    <section className="settings-section" aria-labelledby="settings-desktop">
      <h2 id="settings-desktop">Desktop app</h2>
      <div className="settings-row">
        <label>
          <SavedCheckbox checked={settings.desktop.spellcheck} onSave={(spellcheck) => form.submit({ spellcheck })} data-testid="spellcheck" />
          Check spelling as I type
        </label>
        {form.status?.kind === 'error' ? <SaveStatusText status={form.status} /> : null}
      </div>
      <p className="settings-note">
        Off by default. On Windows and Linux, turning it on downloads dictionaries from Google&apos;s servers. Turning it off applies at once; turning it on
        applies from the next start of the app.
      </p>
      <div className="settings-row">
        <label>
          <SavedCheckbox checked={settings.desktop.startAtLogin} onSave={(startAtLogin) => form.submit({ startAtLogin })} data-testid="start-at-login" />
          Start Agent Blob when I log in
        </label>
      </div>
      <p className="settings-note">It starts in the tray without a window, so schedules keep running after a restart of the computer.</p>
    </section>
  );
}

function MemorySection() {
  const status = useApp((s) => s.memoryStatus);
  const error = useApp((s) => s.memoryError);
  const load = useApp((s) => s.loadMemoryStatus);
  const configure = useApp((s) => s.configureMemory);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="settings-section" aria-labelledby="settings-memory">
      <h2 id="settings-memory">Memory</h2>
      {status ? (
        <>
          <div className="settings-row">
            <label>
              <SavedCheckbox checked={status.extractAfterRuns} onSave={(extractAfterRuns) => configure({ extractAfterRuns })} data-testid="memory-propose" />
              After each conversation, propose what to remember
            </label>
          </div>
          <div className="settings-row">
            <label>
              <SavedCheckbox
                checked={status.autoAcceptProposals}
                disabled={!status.extractAfterRuns}
                onSave={(autoAcceptProposals) => configure({ autoAcceptProposals })}
                data-testid="memory-auto-accept"
              />
              Remember proposals without asking
            </label>
          </div>
          <p className="settings-note">
            Off by default: proposing costs one call to the memory model (see Models) per conversation turn. Proposals appear in the conversation and at the top
            of the Memory pane. {status.total} {status.total === 1 ? 'memory' : 'memories'}. Embedder: <EmbedderName name={status.embedder} />.
          </p>
        </>
      ) : (
        <p>{error ?? 'Loading…'}</p>
      )}
    </section>
  );
}

/** The embedder as people read it ("nomic-embed-text (Ollama), with task prefixes"); its stored name in the tooltip. */
function EmbedderName({ name }: { name: string }) {
  const { label, detail } = describeEmbedder(name);
  return (
    <span title={name} data-testid="memory-embedder">
      {label}
      {detail ? `, ${detail}` : ''}
    </span>
  );
}

function ModelsSection({ settings, agent }: { settings: Settings; agent: AgentSettings }) {
  const save = useApp((s) => s.saveAgentSettings);
  const saveChat = useApp((s) => s.saveSettings);
  const chatForm = useSectionSave<SettingsPatch>(SettingsPatchSchema, saveChat);
  const routesForm = useSectionSave<AgentSettingsPatch>(AgentSettingsPatchSchema, save);
  const [chains, setChains] = useState<Record<string, string>>(() => Object.fromEntries(PURPOSES.map((p) => [p, (agent.routes[p] ?? []).join(', ')])));
  const [chat, setChat] = useState(settings.models.chat);
  return (
    <section className="settings-section" aria-labelledby="settings-models">
      <h2 id="settings-models">Models</h2>
      <SaveForm form={chatForm} onSave={() => chatForm.submit({ chatModel: chat.trim() })} saveLabel="Save" saveTestId="save-chat-model" statusTestId="chat-model-status">
        <Field
          field="chat-model"
          label="Default model"
          value={chat}
          onChange={(e) => setChat(e.target.value)}
          hint="provider:model, e.g. anthropic:claude-sonnet-5-5, ollama:llama3.2 or openai:gpt-4.1"
          problem={chatForm.problem('chatModel')}
        />
      </SaveForm>
      <p className="settings-note">Fallback order per purpose: models separated by commas, first choice first (provider:model). Empty uses the default model.</p>
      <SaveForm
        form={routesForm}
        className=""
        onSave={() => routesForm.submit({ routes: Object.fromEntries(PURPOSES.map((p) => [p, chains[p].split(',').map((m) => m.trim()).filter(Boolean)])) })}
        saveLabel="Save fallback order"
        saveTestId="save-routes"
      >
        {PURPOSES.map((p) => (
          <Field
            key={p}
            field={`route-${p}`}
            label={PURPOSE_TEXT[p]}
            value={chains[p]}
            onChange={(e) => setChains({ ...chains, [p]: e.target.value })}
            placeholder={settings.models.chat}
            problem={routesForm.problem(`routes.${p}`)}
          />
        ))}
      </SaveForm>
    </section>
  );
}

function BudgetsSection({ agent }: { agent: AgentSettings }) {
  const save = useApp((s) => s.saveAgentSettings);
  const form = useSectionSave<AgentSettingsPatch>(AgentSettingsPatchSchema, save);
  const [tokens, setTokens] = useState(agent.budgets.runTokens?.toString() ?? '');
  const [cost, setCost] = useState(agent.budgets.runCostUsd?.toString() ?? '');
  const [turns, setTurns] = useState(String(agent.maxTurns));
  const [compactAt, setCompactAt] = useState(String(Math.round(agent.compactAt * 100)));
  // The share is typed as a percentage; the contract's bounds (0.2 to 0.95) are said the same way.
  const compactProblem = form.problem('compactAt') ? 'Write a percentage from 20 to 95.' : undefined;
  return (
    <section className="settings-section" aria-labelledby="settings-budgets">
      <h2 id="settings-budgets" tabIndex={-1}>
        Budgets and limits
      </h2>
      <SaveForm
        form={form}
        grid
        onSave={() => {
          const compactValue = numberOrNull(compactAt);
          return form.submit({
            budgets: { runTokens: numberOrNull(tokens), runCostUsd: numberOrNull(cost) },
            maxTurns: numberOrNull(turns) ?? Number.NaN,
            compactAt: compactValue === null ? Number.NaN : compactValue / 100,
          });
        }}
        saveLabel="Save budgets"
        saveTestId="save-budgets"
        statusTestId="budgets-status"
      >
        <Field
          field="budget-tokens"
          label="Tokens per run (empty: no limit)"
          inputMode="numeric"
          value={tokens}
          onChange={(e) => setTokens(e.target.value)}
          problem={form.problem('budgets.runTokens')}
        />
        <Field
          field="budget-cost"
          label="Cost per run, USD (empty: no limit)"
          inputMode="decimal"
          value={cost}
          onChange={(e) => setCost(e.target.value)}
          problem={form.problem('budgets.runCostUsd')}
        />
        <Field field="max-turns" label="Model turns per run" inputMode="numeric" value={turns} onChange={(e) => setTurns(e.target.value)} problem={form.problem('maxTurns')} />
        <Field
          field="compact-at"
          label="Summarise old turns at % of the context window"
          inputMode="numeric"
          value={compactAt}
          onChange={(e) => setCompactAt(e.target.value)}
          problem={compactProblem}
        />
      </SaveForm>
    </section>
  );
}

const PRICE_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite'] as const;
type PriceRow = { model: string } & Record<(typeof PRICE_FIELDS)[number], string>;

function PricesSection({ agent }: { agent: AgentSettings }) {
  const save = useApp((s) => s.saveAgentSettings);
  // Fields keep what was typed ("0." on the way to "0.25"); numbers are read only on save.
  const [rows, setRows] = useState<PriceRow[]>(() =>
    Object.entries(agent.prices).map(([model, p]) => ({ model, input: String(p.input), output: String(p.output), cacheRead: String(p.cacheRead), cacheWrite: String(p.cacheWrite) })),
  );
  const [problem, setProblem] = useState<string | null>(null);
  const edit = (i: number, patch: Partial<PriceRow>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const submit = () => {
    const prices: Record<string, Price> = {};
    for (const row of rows) {
      const model = row.model.trim();
      if (!/^[a-z][a-z0-9_-]{0,31}:\S+$/.test(model)) return setProblem(`"${model}" is not a model: write provider:model, e.g. anthropic:claude-sonnet-5-5 or lmstudio:qwen2.5-7b-instruct`);
      const values = PRICE_FIELDS.map((k) => (row[k].trim() === '' ? Number.NaN : Number(row[k])));
      if (values.some((v) => !Number.isFinite(v) || v < 0)) return setProblem(`the prices of ${model} must be numbers of 0 or more`);
      const [input, output, cacheRead, cacheWrite] = values;
      prices[model] = { input, output, cacheRead, cacheWrite };
    }
    setProblem(null);
    void save({ prices }).then((error) => setProblem(error ? `Not saved: ${error}` : null));
  };
  return (
    <section className="settings-section" aria-labelledby="settings-prices">
      <h2 id="settings-prices">Prices</h2>
      <p className="settings-note">USD per million tokens. Models not listed use the built-in table; Ollama models cost nothing.</p>
      <table className="settings-table" data-testid="prices-table">
        <thead>
          <tr>
            <th>Model</th>
            <th>Input</th>
            <th>Output</th>
            <th>Cache read</th>
            <th>Cache write</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={i}>
              <td>
                <input value={row.model} onChange={(e) => edit(i, { model: e.target.value })} aria-label="model" />
              </td>
              {PRICE_FIELDS.map((k) => (
                <td key={k}>
                  <input inputMode="decimal" value={row[k]} onChange={(e) => edit(i, { [k]: e.target.value })} aria-label={k} />
                </td>
              ))}
              <td>
                <button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {problem ? (
        <p className="error-text" role="alert" data-testid="prices-error">
          {problem}
        </p>
      ) : null}
      <button type="button" onClick={() => setRows([...rows, { model: 'anthropic:', input: '0', output: '0', cacheRead: '0', cacheWrite: '0' }])}>
        Add a price
      </button>{' '}
      <button type="button" onClick={submit} data-testid="save-prices">
        Save prices
      </button>
    </section>
  );
}

function HealthSection() {
  const health = useApp((s) => s.providerHealth);
  const cooling = health.filter((h) => h.state === 'cooldown');
  return (
    <section className="settings-section" aria-labelledby="settings-health">
      <h2 id="settings-health">Model health</h2>
      {cooling.length ? (
        <ul data-testid="provider-cooldowns">
          {cooling.map((h) => (
            <li key={h.model}>
              {h.model} keeps failing ({h.failures} in a row): skipped until {h.until ? new Date(h.until).toLocaleTimeString() : '—'}
            </li>
          ))}
        </ul>
      ) : (
        <p className="settings-note">Every model is answering.</p>
      )}
    </section>
  );
}

function UsageSection() {
  const days = useApp((s) => s.usageDays);
  const runs = useApp((s) => s.recentRunUsage);
  return (
    <section className="settings-section" aria-labelledby="settings-usage">
      <h2 id="settings-usage">Usage</h2>
      {runs.length ? (
        <table className="settings-table" data-testid="run-usage-table">
          <thead>
            <tr>
              <th>Recent run</th>
              <th>Status</th>
              <th>Model</th>
              <th>Tokens</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.runId}>
                <td title={r.runId}>{r.title.slice(0, 60)}</td>
                <td>{r.status}</td>
                <td>{r.model ?? '—'}</td>
                <td>{r.tokens}</td>
                <td>{usd(r.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {days.length ? (
        <table className="settings-table" data-testid="usage-table">
          <thead>
            <tr>
              <th>Day (UTC)</th>
              <th>Runs</th>
              <th>Input tokens</th>
              <th>Output tokens</th>
              <th>Cost</th>
            </tr>
          </thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{d.runs}</td>
                <td>{d.inputTokens + d.cacheReadTokens + d.cacheWriteTokens}</td>
                <td>{d.outputTokens}</td>
                <td>{usd(d.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="settings-note">No model has been used yet.</p>
      )}
    </section>
  );
}

const BACKUP_PATCH = BackupSettingsSchema.partial().strict();
const STORAGE_PARTS = [
  ['database', 'Database'],
  ['wal', 'Write-ahead log'],
  ['backups', 'Backups in the data folder'],
  ['logs', 'Logs'],
  ['artifacts', 'Worker artifacts'],
  ['other', 'Other files'],
] as const;

/** Bytes in the unit a person reads them: KB, MB or GB. */
function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

function StorageSection() {
  const storage = useApp((s) => s.storage);
  const error = useApp((s) => s.storageError);
  const version = useApp((s) => s.storageVersion);
  const load = useApp((s) => s.loadStorage);
  useEffect(() => {
    void load();
  }, [load, version]);
  return (
    <section className="settings-section" aria-labelledby="settings-storage">
      <h2 id="settings-storage">Data folder and backups</h2>
      {storage ? (
        <>
          <p data-testid="storage-total">
            <span className="settings-path">{storage.dataDir}</span> holds <strong>{sizeText(storage.totalBytes)}</strong>.
          </p>
          <table className="settings-table" data-testid="storage-parts">
            <tbody>
              {STORAGE_PARTS.map(([key, label]) => (
                <tr key={key}>
                  <th scope="row">{label}</th>
                  <td>{sizeText(storage.parts[key])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="settings-note">
            {storage.events} events in the log; {sizeText(storage.freeBytes)} free inside the database. Old replay recordings, archived turns and decided
            permission requests are pruned each day (recordings after {days(storage.retention.recordingsDays)}, archived turns after{' '}
            {days(storage.retention.transcriptsDays)}, the audit after {days(storage.retention.auditDays)}).
          </p>
          <BackupForm storage={storage} />
        </>
      ) : (
        <p>{error ?? 'Loading…'}</p>
      )}
    </section>
  );
}

function days(n: number | null): string {
  return n === null ? 'never' : `${n} days`;
}

function BackupForm({ storage }: { storage: StorageReport }) {
  const save = useApp((s) => s.saveBackups);
  const backUpNow = useApp((s) => s.backUpNow);
  const form = useSectionSave<Partial<BackupSettings>>(BACKUP_PATCH, save);
  const backups = storage.backups;
  const [keep, setKeep] = useState(String(backups.settings.keep));
  const [folder, setFolder] = useState(backups.settings.folder ?? '');
  const [nowStatus, setNowStatus] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const when = (ms: number) => new Date(ms).toLocaleString();
  return (
    <>
      <div className="settings-row">
        <label>
          <SavedCheckbox checked={backups.settings.daily} onSave={(daily) => form.submit({ daily })} data-testid="backup-daily" />
          Back up the database every day
        </label>
      </div>
      <SaveForm
        form={form}
        grid
        onSave={() => form.submit({ keep: numberOrNull(keep) ?? Number.NaN, folder: folder.trim() === '' ? null : folder.trim() })}
        saveLabel="Save backup settings"
        saveTestId="save-backups"
        statusTestId="backups-status"
      >
        <Field
          field="backup-keep"
          label="Copies kept"
          inputMode="numeric"
          value={keep}
          onChange={(e) => setKeep(e.target.value)}
          problem={form.problem('keep')}
        />
        <Field
          field="backup-folder"
          label="Folder for the copies (empty: backups in the data folder)"
          value={folder}
          placeholder={backups.folder}
          onChange={(e) => setFolder(e.target.value)}
          problem={form.problem('folder')}
        />
      </SaveForm>
      <p className="settings-note" data-testid="backup-summary">
        {backups.settings.daily
          ? `A copy a day in ${backups.folder}, the newest ${backups.settings.keep} kept.${backups.nextAt !== null ? ` Next: ${when(backups.nextAt)}.` : ''}`
          : 'Daily backups are off.'}
      </p>
      {backups.lastError ? (
        <p className="field-problem" role="alert" data-testid="backup-error">
          The daily backup at {when(backups.lastError.at)} failed: {backups.lastError.message}
        </p>
      ) : null}
      <div className="settings-row">
        <button
          type="button"
          disabled={nowStatus.busy}
          data-testid="backup-now"
          onClick={async () => {
            setNowStatus({ busy: true, error: null });
            setNowStatus({ busy: false, error: await backUpNow() });
          }}
        >
          {nowStatus.busy ? 'Backing up…' : 'Back up now'}
        </button>
        {nowStatus.error ? (
          <span className="field-problem" role="alert">
            Not backed up: {nowStatus.error}
          </span>
        ) : null}
      </div>
      {backups.files.length ? (
        <>
          <table className="settings-table" data-testid="backup-files">
            <thead>
              <tr>
                <th>Copy</th>
                <th>Made</th>
                <th>Size</th>
              </tr>
            </thead>
            <tbody>
              {backups.files.map((f) => (
                <tr key={f.path}>
                  <td className="settings-path" title={f.path}>
                    {f.name}
                  </td>
                  <td>{when(f.at)}</td>
                  <td>{sizeText(f.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="settings-note">
            To put a copy back, quit Agent Blob, then run <code>agent-blob restore {backups.files[0].path}</code> (the database it replaces is kept beside
            it).
          </p>
        </>
      ) : (
        <p className="settings-note">No copies yet.</p>
      )}
    </>
  );
}

function CompactionsSection() {
  const compactions = useApp((s) => s.compactions);
  return (
    <section className="settings-section" aria-labelledby="settings-compactions">
      <h2 id="settings-compactions">Compacted history</h2>
      {compactions.length ? (
        compactions.map((c) => (
          <details key={c.id} className="settings-compaction" data-testid="compaction">
            <summary>
              {new Date(c.ts).toLocaleString()} — {c.method === 'summary' ? 'older turns summarised' : 'older turns dropped (no model was available)'} ({c.transcript.length} turns archived)
            </summary>
            {c.summary ? <p className="settings-summary">{c.summary}</p> : null}
            <ol className="settings-archive">
              {c.transcript.map((m, i) => (
                <li key={i}>
                  <strong>{m.role === 'user' ? 'You' : 'Agent Blob'}:</strong> {m.text}
                </li>
              ))}
            </ol>
          </details>
        ))
      ) : (
        <p className="settings-note">The conversation still fits the model's context window.</p>
      )}
    </section>
  );
}

function ExportSection() {
  const exportTranscript = useApp((s) => s.exportTranscript);
  return (
    <section className="settings-section" aria-labelledby="settings-export">
      <h2 id="settings-export">Export</h2>
      <button
        type="button"
        data-testid="export-html"
        onClick={async () => {
          const page = await exportTranscript();
          if (!page) return;
          const url = URL.createObjectURL(new Blob([page.html], { type: 'text/html' }));
          const a = document.createElement('a');
          a.href = url;
          a.download = page.filename;
          a.click();
          setTimeout(() => URL.revokeObjectURL(url), 10_000);
        }}
      >
        Export the conversation as HTML
      </button>
      <p className="settings-note">Keys and other secrets are replaced with [redacted] in the export.</p>
    </section>
  );
}
