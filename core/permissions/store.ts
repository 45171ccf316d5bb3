import type { AppEvent, AuditEntry, PermissionConfig, PermissionRule } from '../contract/index.js';
import type { ReadableDB, ReadStatement, WritableDB } from '../db/index.js';
import { RunQueries } from '../runs/index.js';

type RequestRow = {
  id: string;
  seq: number;
  ts: number;
  run_id: string | null;
  capability: string;
  resource: string;
  resolved: string | null;
  tool: string;
  args_summary: string;
  scope: string;
  status: 'pending' | 'decided';
  decision: 'allow' | 'deny' | null;
  decided_by: AuditEntry['decidedBy'];
  rule_id: string | null;
  reason: string;
  answer: AuditEntry['answer'];
  mode: AuditEntry['mode'];
  decided_at: number | null;
  expires_at: number | null;
};

type RuleRow = { id: string; effect: PermissionRule['effect']; capability: string; pattern: string; scope: string; note: string; created_at: number; updated_at: number };

/** Keeps the rules, the request queue / audit table and the configuration in step with the log. */
export function createPermissionsProjector(db: WritableDB): (event: AppEvent) => void {
  const insertPending = db.prepare(
    `INSERT INTO permission_requests (id, seq, ts, run_id, capability, resource, resolved, tool, args_summary, scope, status, reason, mode, expires_at)
     VALUES (@requestId, @seq, @ts, @runId, @capability, @resource, @resolved, @tool, @argsSummary, @scope, 'pending', @reason, @mode, @expiresAt)`,
  );
  const insertDecided = db.prepare(
    `INSERT INTO permission_requests (id, seq, ts, run_id, capability, resource, resolved, tool, args_summary, scope, status, decision, decided_by, rule_id, reason, answer, mode, decided_at)
     VALUES (@requestId, @seq, @ts, @runId, @capability, @resource, @resolved, @tool, @argsSummary, @scope, 'decided', @decision, @decidedBy, @ruleId, @reason, @answer, @mode, @ts)
     ON CONFLICT(id) DO UPDATE SET status = 'decided', decision = excluded.decision, decided_by = excluded.decided_by, rule_id = excluded.rule_id,
       reason = excluded.reason, answer = excluded.answer, mode = excluded.mode, decided_at = excluded.decided_at`,
  );
  const upsertRule = db.prepare(
    `INSERT INTO permission_rules (id, effect, capability, pattern, scope, note, created_at, updated_at) VALUES (@id, @effect, @capability, @pattern, @scope, @note, @createdAt, @updatedAt)
     ON CONFLICT(id) DO UPDATE SET effect = excluded.effect, capability = excluded.capability, pattern = excluded.pattern, scope = excluded.scope, note = excluded.note, updated_at = excluded.updated_at`,
  );
  const deleteRule = db.prepare('DELETE FROM permission_rules WHERE id = ?');
  const setConfig = db.prepare("INSERT INTO permission_config (key, value) VALUES ('config', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  return (event) => {
    switch (event.type) {
      case 'permission.requested':
        insertPending.run({ ...event.data, scope: JSON.stringify(event.data.scope), seq: event.seq, ts: event.ts, runId: event.runId });
        break;
      case 'permission.decided':
        insertDecided.run({ ...event.data, scope: JSON.stringify(event.data.scope), seq: event.seq, ts: event.ts, runId: event.runId });
        break;
      case 'permission.rule.saved':
        upsertRule.run(event.data.rule);
        break;
      case 'permission.rule.removed':
        deleteRule.run(event.data.ruleId);
        break;
      case 'permission.config.changed':
        setConfig.run(JSON.stringify(event.data));
        break;
      default:
        break;
    }
  };
}

export interface AuditFilter {
  capability?: string;
  decision?: 'allow' | 'deny' | 'pending';
  runId?: string;
  beforeSeq?: number;
  limit: number;
}

/** Reads rules, pending requests, the audit trail and the configuration. */
export class PermissionQueries {
  private readonly rulesStmt: ReadStatement;
  private readonly ruleById: ReadStatement;
  private readonly requestById: ReadStatement;
  private readonly pendingStmt: ReadStatement;
  private readonly pendingOfRun: ReadStatement;
  private readonly byRule: ReadStatement;
  private readonly ruleStats: ReadStatement;
  private readonly recentOfCapability: ReadStatement;
  private readonly configStmt: ReadStatement;
  /** Runs are the runs folder's: what started a run is asked of it. */
  private readonly runs: RunQueries;
  private readonly auditCache = new Map<string, ReadStatement>();

  constructor(private readonly db: ReadableDB) {
    this.rulesStmt = db.prepare('SELECT * FROM permission_rules ORDER BY created_at, rowid');
    this.ruleById = db.prepare('SELECT * FROM permission_rules WHERE id = ?');
    this.requestById = db.prepare('SELECT * FROM permission_requests WHERE id = ?');
    this.pendingStmt = db.prepare("SELECT * FROM permission_requests WHERE status = 'pending' ORDER BY seq");
    this.pendingOfRun = db.prepare("SELECT * FROM permission_requests WHERE status = 'pending' AND run_id = ? ORDER BY seq");
    this.byRule = db.prepare('SELECT * FROM permission_requests WHERE rule_id = ? ORDER BY seq DESC LIMIT ?');
    this.ruleStats = db.prepare('SELECT rule_id, COUNT(*) AS n, MAX(decided_at) AS last FROM permission_requests WHERE rule_id IS NOT NULL GROUP BY rule_id');
    this.recentOfCapability = db.prepare('SELECT * FROM permission_requests WHERE capability = ? ORDER BY seq DESC LIMIT ?');
    this.configStmt = db.prepare("SELECT value FROM permission_config WHERE key = 'config'");
    this.runs = new RunQueries(db);
  }

  rules(): PermissionRule[] {
    return (this.rulesStmt.all() as RuleRow[]).map(rowToRule);
  }

  rule(id: string): PermissionRule | null {
    const row = this.ruleById.get(id) as RuleRow | undefined;
    return row ? rowToRule(row) : null;
  }

  request(id: string): AuditEntry | null {
    const row = this.requestById.get(id) as RequestRow | undefined;
    return row ? rowToEntry(row) : null;
  }

  pending(runId?: string): AuditEntry[] {
    return ((runId ? this.pendingOfRun.all(runId) : this.pendingStmt.all()) as RequestRow[]).map(rowToEntry);
  }

  matchesOfRule(ruleId: string, limit: number): AuditEntry[] {
    return (this.byRule.all(ruleId, limit) as RequestRow[]).map(rowToEntry);
  }

  ruleMatchStats(): Map<string, { count: number; last: number | null }> {
    const rows = this.ruleStats.all() as { rule_id: string; n: number; last: number | null }[];
    return new Map(rows.map((r) => [r.rule_id, { count: r.n, last: r.last }]));
  }

  recentCalls(capability: string, limit: number): AuditEntry[] {
    return (this.recentOfCapability.all(capability, limit) as RequestRow[]).map(rowToEntry);
  }

  audit(filter: AuditFilter): AuditEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.capability) {
      where.push(filter.capability.endsWith('*') ? 'capability LIKE ?' : 'capability = ?');
      params.push(filter.capability.endsWith('*') ? `${filter.capability.slice(0, -1)}%` : filter.capability);
    }
    if (filter.decision === 'pending') where.push("status = 'pending'");
    else if (filter.decision) {
      where.push('decision = ?');
      params.push(filter.decision);
    }
    if (filter.runId) {
      where.push('run_id = ?');
      params.push(filter.runId);
    }
    if (filter.beforeSeq !== undefined) {
      where.push('seq < ?');
      params.push(filter.beforeSeq);
    }
    const sql = `SELECT * FROM permission_requests ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    let stmt = this.auditCache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.auditCache.set(sql, stmt);
    }
    return (stmt.all(...params, filter.limit) as RequestRow[]).map(rowToEntry);
  }

  /** What started a run (`chat`, `schedule`, `worker`), or null for an unknown run. */
  runKind(runId: string): string | null {
    return this.runs.kindOf(runId);
  }

  config(): PermissionConfig | null {
    const row = this.configStmt.get() as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as PermissionConfig) : null;
  }
}

function rowToRule(row: RuleRow): PermissionRule {
  return { id: row.id, effect: row.effect, capability: row.capability, pattern: row.pattern, scope: row.scope, note: row.note, createdAt: row.created_at, updatedAt: row.updated_at };
}

function rowToEntry(row: RequestRow): AuditEntry {
  return {
    requestId: row.id,
    seq: row.seq,
    ts: row.ts,
    runId: row.run_id,
    capability: row.capability,
    resource: row.resource,
    resolved: row.resolved,
    tool: row.tool,
    argsSummary: row.args_summary,
    scope: JSON.parse(row.scope) as AuditEntry['scope'],
    status: row.status,
    decision: row.decision,
    decidedBy: row.decided_by,
    ruleId: row.rule_id,
    reason: row.reason,
    answer: row.answer,
    mode: row.mode,
    decidedAt: row.decided_at,
    expiresAt: row.expires_at,
  };
}
