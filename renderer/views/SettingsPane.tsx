import './SettingsPane.css';
import { useEffect, useState } from 'react';
import { PURPOSES, type AgentSettings, type Price, type Purpose, type Settings } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';
import { EndpointSettings, OpenAIProviderSettings } from './ProviderSettings.js';

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
  const save = useApp((s) => s.saveSettings);
  const test = useApp((s) => s.testProvider);
  const [key, setKey] = useState('');
  const [baseUrl, setBaseUrl] = useState(settings.providers.anthropic.baseUrl ?? '');
  const [host, setHost] = useState(settings.providers.ollama.host);
  const [results, setResults] = useState<Record<string, { ok: boolean; detail: string } | 'testing'>>({});
  const source = { settings: 'stored in the secret store', env: 'from ANTHROPIC_API_KEY', none: 'not set' }[settings.providers.anthropic.apiKeySource];
  const check = async (provider: 'anthropic' | 'ollama') => {
    setResults((r) => ({ ...r, [provider]: 'testing' }));
    const result = await test(provider);
    setResults((r) => ({ ...r, [provider]: result }));
  };
  const shown = (provider: string) => {
    const r = results[provider];
    if (!r) return null;
    if (r === 'testing') return <span className="settings-note">testing…</span>;
    return (
      <span className={r.ok ? 'settings-ok' : 'error-text'} data-testid={`provider-test-${provider}`}>
        {r.ok ? '✓ ' : '✗ '}
        {r.detail}
      </span>
    );
  };
  return (
    <section className="settings-section" aria-labelledby="settings-providers">
      <h2 id="settings-providers">Providers</h2>
      <h3>Anthropic</h3>
      <p className="settings-note" data-testid="anthropic-key-source">
        API key: {source}
      </p>
      <form
        className="settings-row"
        onSubmit={async (e) => {
          e.preventDefault();
          if (key.trim() && (await save({ anthropicApiKey: key.trim() }))) setKey('');
        }}
      >
        <label>
          New API key
          <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} data-testid="anthropic-key" placeholder="sk-ant-…" />
        </label>
        <button type="submit" disabled={!key.trim()}>
          Save key
        </button>
        {settings.providers.anthropic.apiKeySource === 'settings' ? (
          <button type="button" onClick={() => void save({ anthropicApiKey: null })}>
            Remove stored key
          </button>
        ) : null}
      </form>
      <div className="settings-row">
        <label>
          Base URL (empty: Anthropic)
          <input value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="https://api.anthropic.com" />
        </label>
        <button type="button" onClick={() => void save({ anthropicBaseUrl: baseUrl.trim() || null })}>
          Save
        </button>
        <button type="button" onClick={() => void check('anthropic')} data-testid="test-anthropic">
          Test connection
        </button>
        {shown('anthropic')}
      </div>
      <h3>Ollama</h3>
      <div className="settings-row">
        <label>
          Host
          <input value={host} onChange={(e) => setHost(e.target.value)} />
        </label>
        <button type="button" onClick={() => void save({ ollamaHost: host.trim() })}>
          Save
        </button>
        <button type="button" onClick={() => void check('ollama')} data-testid="test-ollama">
          Test connection
        </button>
        {shown('ollama')}
      </div>
      <OpenAIProviderSettings settings={settings} />
      <EndpointSettings settings={settings} />
    </section>
  );
}

function DesktopSection({ settings }: { settings: Settings }) {
  const save = useApp((s) => s.saveSettings);
  return (
    <section className="settings-section" aria-labelledby="settings-desktop">
      <h2 id="settings-desktop">Desktop app</h2>
      <div className="settings-row">
        <label>
          <input
            type="checkbox"
            checked={settings.desktop.spellcheck}
            onChange={(e) => void save({ spellcheck: e.target.checked })}
            data-testid="spellcheck"
          />
          Check spelling as I type
        </label>
      </div>
      <p className="settings-note">
        Off by default. On Windows and Linux, turning it on downloads dictionaries from Google&apos;s servers. Turning it off applies at once; turning it on
        applies from the next start of the app.
      </p>
      <div className="settings-row">
        <label>
          <input type="checkbox" checked={settings.desktop.startAtLogin} onChange={(e) => void save({ startAtLogin: e.target.checked })} data-testid="start-at-login" />
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
              <input
                type="checkbox"
                checked={status.extractAfterRuns}
                onChange={(e) => void configure({ extractAfterRuns: e.target.checked })}
                data-testid="memory-propose"
              />
              After each conversation, propose what to remember
            </label>
          </div>
          <div className="settings-row">
            <label>
              <input
                type="checkbox"
                checked={status.autoAcceptProposals}
                disabled={!status.extractAfterRuns}
                onChange={(e) => void configure({ autoAcceptProposals: e.target.checked })}
                data-testid="memory-auto-accept"
              />
              Remember proposals without asking
            </label>
          </div>
          <p className="settings-note">
            Off by default: proposing costs one call to the memory model (see Models) per conversation turn. Proposals appear in the conversation and at the top
            of the Memory pane. {status.total} {status.total === 1 ? 'memory' : 'memories'}, embedder {status.embedder}.
          </p>
        </>
      ) : (
        <p>{error ?? 'Loading…'}</p>
      )}
    </section>
  );
}

function ModelsSection({ settings, agent }: { settings: Settings; agent: AgentSettings }) {
  const save = useApp((s) => s.saveAgentSettings);
  const saveChat = useApp((s) => s.saveSettings);
  const [chains, setChains] = useState<Record<string, string>>(() => Object.fromEntries(PURPOSES.map((p) => [p, (agent.routes[p] ?? []).join(', ')])));
  const [chat, setChat] = useState(settings.models.chat);
  return (
    <section className="settings-section" aria-labelledby="settings-models">
      <h2 id="settings-models">Models</h2>
      <div className="settings-row">
        <label>
          Default model
          <input value={chat} onChange={(e) => setChat(e.target.value)} data-testid="chat-model" />
        </label>
        <button type="button" onClick={() => void saveChat({ chatModel: chat.trim() })}>
          Save
        </button>
      </div>
      <p className="settings-note">Fallback order per purpose: models separated by commas, first choice first (provider:model). Empty uses the default model.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const routes = Object.fromEntries(PURPOSES.map((p) => [p, chains[p].split(',').map((m) => m.trim()).filter(Boolean)]));
          void save({ routes });
        }}
      >
        {PURPOSES.map((p) => (
          <label key={p} className="settings-wide">
            {PURPOSE_TEXT[p]}
            <input value={chains[p]} onChange={(e) => setChains({ ...chains, [p]: e.target.value })} data-testid={`route-${p}`} placeholder={settings.models.chat} />
          </label>
        ))}
        <button type="submit" data-testid="save-routes">
          Save fallback order
        </button>
      </form>
    </section>
  );
}

function BudgetsSection({ agent }: { agent: AgentSettings }) {
  const save = useApp((s) => s.saveAgentSettings);
  const [tokens, setTokens] = useState(agent.budgets.runTokens?.toString() ?? '');
  const [cost, setCost] = useState(agent.budgets.runCostUsd?.toString() ?? '');
  const [turns, setTurns] = useState(String(agent.maxTurns));
  const [compactAt, setCompactAt] = useState(String(Math.round(agent.compactAt * 100)));
  const num = (s: string) => (s.trim() === '' ? null : Number(s));
  return (
    <section className="settings-section" aria-labelledby="settings-budgets">
      <h2 id="settings-budgets">Budgets and limits</h2>
      <form
        className="settings-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ budgets: { runTokens: num(tokens), runCostUsd: num(cost) }, maxTurns: Number(turns), compactAt: Number(compactAt) / 100 });
        }}
      >
        <label>
          Tokens per run (empty: no limit)
          <input inputMode="numeric" value={tokens} onChange={(e) => setTokens(e.target.value)} data-testid="budget-tokens" />
        </label>
        <label>
          Cost per run, USD (empty: no limit)
          <input inputMode="decimal" value={cost} onChange={(e) => setCost(e.target.value)} data-testid="budget-cost" />
        </label>
        <label>
          Model turns per run
          <input inputMode="numeric" value={turns} onChange={(e) => setTurns(e.target.value)} />
        </label>
        <label>
          Summarise old turns at % of the context window
          <input inputMode="numeric" value={compactAt} onChange={(e) => setCompactAt(e.target.value)} />
        </label>
        <button type="submit" data-testid="save-budgets">
          Save budgets
        </button>
      </form>
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
    void save({ prices });
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
