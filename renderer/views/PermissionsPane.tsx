import './PermissionsPane.css';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AuditEntry, CommandResult, PermissionConfig, PermissionMode, PermissionTestResult, RuleEffect } from '../../core/contract/index.js';
import { useApp, useClient } from '../store/context.js';
import { ActionPane, type Runner } from './ActionPane.js';

type RuleRow = CommandResult<'permissions.rules.list'>['rules'][number];
const CAPABILITIES = ['fs.read', 'fs.write', 'net.http', 'shell.exec', 'memory.write', 'schedule.manage', 'worker.spawn', 'notify', 'mcp.*'];
const EFFECTS: RuleEffect[] = ['allow', 'ask', 'deny'];
const when = (ts: number | null) => (ts ? new Date(ts).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' }) : '—');

/** Permissions: mode and allowed folders, rules with what they matched, a "test a call" box and the audit. */
export function PermissionsPane() {
  const client = useClient();
  const version = useThrottled(useApp((s) => s.permissionsVersion), 1000);
  return (
    <ActionPane name="permissions" title="Permissions">
      {(run) => (
        <>
          <ConfigSection run={run} version={version} client={client} />
          <RulesSection run={run} version={version} client={client} />
          <TestSection run={run} client={client} />
          <AuditSection run={run} version={version} client={client} />
        </>
      )}
    </ActionPane>
  );
}

/** Follows `value` at most once per `ms`: a busy agent logs a decision per tool call, the pane reloads calmly. */
function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      setShown(value);
      return;
    }
    const timer = setTimeout(() => {
      last.current = Date.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return shown;
}

type Client = ReturnType<typeof useClient>;

function ConfigSection({ run, version, client }: { run: Runner; version: number; client: Client }) {
  const [config, setConfig] = useState<PermissionConfig | null>(null);
  const [roots, setRoots] = useState('');
  useEffect(() => {
    void run('Settings could not be loaded', () => client.call('permissions.config.get', {})).then((c) => {
      if (!c) return;
      setConfig(c);
      setRoots(c.roots.join('\n'));
    });
  }, [client, run, version]);
  if (!config) return null;
  const save = (patch: Partial<PermissionConfig>) => void run('Settings were not saved', () => client.call('permissions.config.update', patch)).then((c) => c && setConfig(c));
  return (
    <section className="perm-section" aria-labelledby="perm-config">
      <h2 id="perm-config">Mode and allowed folders</h2>
      <label className="perm-field">
        Mode
        <select value={config.mode} onChange={(e) => save({ mode: e.target.value as PermissionMode })} data-testid="perm-mode">
          <option value="normal">Normal: rules decide, reads in allowed folders need no question</option>
          <option value="read-only">Read-only: everything but reading files is denied</option>
          <option value="ask-everything">Ask everything: nothing runs without you</option>
        </select>
      </label>
      <label className="perm-field">
        Allowed folders (one a line; nothing outside them is ever touched)
        <textarea rows={Math.max(2, config.roots.length + 1)} value={roots} onChange={(e) => setRoots(e.target.value)} spellCheck={false} data-testid="perm-roots" />
      </label>
      <button type="button" onClick={() => save({ roots: roots.split('\n').map((r) => r.trim()).filter(Boolean) })}>
        Save folders
      </button>
    </section>
  );
}

function RulesSection({ run, version, client }: { run: Runner; version: number; client: Client }) {
  const [rules, setRules] = useState<RuleRow[]>([]);
  const [draft, setDraft] = useState({ effect: 'allow' as RuleEffect, capability: 'fs.write', pattern: '', scope: 'everywhere' });
  const reload = useCallback(() => void run('Rules could not be loaded', () => client.call('permissions.rules.list', { recent: 5 })).then((r) => r && setRules(r.rules)), [client, run]);
  useEffect(reload, [reload, version]);
  const add = async () => {
    if (await run('The rule was not added', () => client.call('permissions.rules.add', draft))) setDraft({ ...draft, pattern: '' });
  };
  return (
    <section className="perm-section" aria-labelledby="perm-rules">
      <h2 id="perm-rules">Rules</h2>
      <p className="muted">Any matching deny wins, then ask, then allow. Without a match, reads inside allowed folders are allowed and everything else asks.</p>
      {rules.length ? (
        <ul className="perm-rules" data-testid="perm-rules">
          {rules.map((rule) => (
            <RuleItem key={rule.id} rule={rule} run={run} client={client} />
          ))}
        </ul>
      ) : (
        <p className="muted" data-testid="perm-rules-empty">
          No rules yet.
        </p>
      )}
      <div className="perm-form" data-testid="perm-add">
        <select aria-label="Effect" value={draft.effect} onChange={(e) => setDraft({ ...draft, effect: e.target.value as RuleEffect })}>
          {EFFECTS.map((e) => (
            <option key={e}>{e}</option>
          ))}
        </select>
        <select aria-label="Capability" value={draft.capability} onChange={(e) => setDraft({ ...draft, capability: e.target.value })}>
          {CAPABILITIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <input aria-label="Pattern" placeholder="~/notes/** · *.example.com · npm run test:*" value={draft.pattern} onChange={(e) => setDraft({ ...draft, pattern: e.target.value })} spellCheck={false} />
        <input aria-label="Scope" value={draft.scope} onChange={(e) => setDraft({ ...draft, scope: e.target.value })} spellCheck={false} />
        <button type="button" onClick={() => void add()} disabled={!draft.pattern.trim()}>
          Add rule
        </button>
      </div>
    </section>
  );
}

function RuleItem({ rule, run, client }: { rule: RuleRow; run: Runner; client: Client }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState({ effect: rule.effect, pattern: rule.pattern, scope: rule.scope });
  const [open, setOpen] = useState(false);
  const save = async () => {
    if (await run('The rule was not saved', () => client.call('permissions.rules.update', { id: rule.id, ...draft }))) setEditing(false);
  };
  return (
    <li className="perm-rule" data-testid="perm-rule" data-rule-id={rule.id}>
      {editing ? (
        <div className="perm-form">
          <select aria-label="Effect" value={draft.effect} onChange={(e) => setDraft({ ...draft, effect: e.target.value as RuleEffect })}>
            {EFFECTS.map((e) => (
              <option key={e}>{e}</option>
            ))}
          </select>
          <code>{rule.capability}</code>
          <input aria-label="Pattern" value={draft.pattern} onChange={(e) => setDraft({ ...draft, pattern: e.target.value })} spellCheck={false} />
          <input aria-label="Scope" value={draft.scope} onChange={(e) => setDraft({ ...draft, scope: e.target.value })} spellCheck={false} />
          <button type="button" onClick={() => void save()}>
            Save
          </button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="perm-rule-line">
          <span className={`effect effect-${rule.effect}`}>{rule.effect}</span>
          <code>{rule.capability}</code>
          <code className="perm-pattern" data-testid="perm-rule-pattern">
            {rule.pattern}
          </code>
          {rule.scope !== 'everywhere' ? <span className="muted">{rule.scope}</span> : null}
          <button type="button" className="link" onClick={() => setOpen(!open)} data-testid="perm-rule-matches">
            {rule.matchCount} {rule.matchCount === 1 ? 'match' : 'matches'}
            {rule.lastMatchedAt ? `, last ${when(rule.lastMatchedAt)}` : ''}
          </button>
          <span className="spacer" />
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" className="danger" onClick={() => void run('The rule was not removed', () => client.call('permissions.rules.remove', { id: rule.id }))}>
            Delete
          </button>
        </div>
      )}
      {open ? (
        <ul className="perm-matches">
          {rule.recentMatches.map((m) => (
            <li key={m.requestId}>
              {when(m.decidedAt)} <code>{m.resolved ?? m.resource}</code> {m.decision}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function TestSection({ run, client }: { run: Runner; client: Client }) {
  const [capability, setCapability] = useState('fs.write');
  const [resource, setResource] = useState('');
  const [result, setResult] = useState<PermissionTestResult | null>(null);
  const test = async () => setResult(await run('The call could not be tested', () => client.call('permissions.test', { capability, resource })));
  return (
    <section className="perm-section" aria-labelledby="perm-test">
      <h2 id="perm-test">Test a call</h2>
      <form
        className="perm-form"
        onSubmit={(e) => {
          e.preventDefault();
          void test();
        }}
      >
        <select aria-label="Capability to test" value={capability} onChange={(e) => setCapability(e.target.value)}>
          {CAPABILITIES.filter((c) => c !== 'mcp.*').map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <input aria-label="Resource to test" placeholder="a path, a URL or a command" value={resource} onChange={(e) => setResource(e.target.value)} spellCheck={false} data-testid="perm-test-resource" />
        <button type="submit" disabled={!resource.trim()}>
          Test
        </button>
      </form>
      {result ? (
        <div className="perm-test-result" data-testid="perm-test-result" data-decision={result.decision}>
          <strong className={`effect effect-${result.decision}`}>{result.decision}</strong> — {result.decidedBy === 'rule' ? '' : `${result.decidedBy}: `}
          {result.reason}
          {result.parts.length ? (
            <ul>
              {result.parts.map((p, i) => (
                <li key={i}>
                  <span className={`effect effect-${p.decision}`}>{p.decision}</span> {p.kind} <code>{p.text}</code>: {p.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function AuditSection({ run, version, client }: { run: Runner; version: number; client: Client }) {
  const [filter, setFilter] = useState<{ capability: string; decision: '' | 'allow' | 'deny' | 'pending'; runId: string }>({ capability: '', decision: '', runId: '' });
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  useEffect(() => {
    void run('The audit could not be loaded', () =>
      client.call('permissions.audit', { capability: filter.capability || undefined, decision: filter.decision || undefined, runId: filter.runId.trim() || undefined, limit: 200 }),
    ).then((r) => r && setEntries(r.entries));
  }, [client, run, version, filter]);
  return (
    <section className="perm-section" aria-labelledby="perm-audit">
      <h2 id="perm-audit">Audit</h2>
      <div className="perm-form">
        <select aria-label="Filter by capability" value={filter.capability} onChange={(e) => setFilter({ ...filter, capability: e.target.value })}>
          <option value="">every capability</option>
          {CAPABILITIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <select aria-label="Filter by decision" value={filter.decision} onChange={(e) => setFilter({ ...filter, decision: e.target.value as typeof filter.decision })}>
          <option value="">every decision</option>
          <option value="allow">allowed</option>
          <option value="deny">denied</option>
          <option value="pending">waiting</option>
        </select>
        <input aria-label="Filter by run" placeholder="run id" value={filter.runId} onChange={(e) => setFilter({ ...filter, runId: e.target.value })} spellCheck={false} />
      </div>
      <div className="perm-audit-scroll" tabIndex={0} role="region" aria-label="Audit entries">
      <table className="perm-audit" data-testid="perm-audit">
        <thead>
          <tr>
            <th>When</th>
            <th>Decision</th>
            <th>By</th>
            <th>Call</th>
            <th>Run</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.requestId} data-testid="perm-audit-row">
              <td>{when(e.decidedAt ?? e.ts)}</td>
              <td>
                <span className={`effect effect-${e.decision ?? 'ask'}`}>{e.decision ?? 'waiting'}</span>
              </td>
              <td title={e.reason}>{e.decidedBy === 'rule' ? `rule ${e.ruleId}` : e.decidedBy === 'user' ? `you (${e.answer})` : (e.decidedBy ?? '')}</td>
              <td>
                <code>{e.capability}</code> {e.resolved ?? e.resource}
              </td>
              <td>
                <button type="button" className="link" onClick={() => setFilter({ ...filter, runId: e.runId ?? '' })}>
                  {e.runId}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </section>
  );
}
