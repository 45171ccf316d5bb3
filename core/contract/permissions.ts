import { z } from 'zod';
import { PathSchema } from './paths.js';

/**
 * Permissions as clients see them: rules, the policy configuration, approval requests and the audit
 * trail. Capability classes: `fs.read`, `fs.write`, `net.http`, `shell.exec`, `memory.write`,
 * `schedule.manage`, `worker.spawn`, `notify`, and `mcp.<server>` (`mcp.*` in a rule means any server).
 */
export const PermissionCapabilitySchema = z
  .string()
  .regex(
    /^(fs\.read|fs\.write|net\.http|shell\.exec|memory\.write|schedule\.manage|worker\.spawn|notify|mcp\.(\*|[A-Za-z0-9_-]{1,64}))$/,
    'a capability is fs.read, fs.write, net.http, shell.exec, memory.write, schedule.manage, worker.spawn, notify or mcp.<server>',
  );

/** What a rule does to the calls it matches. Any matching deny wins, then ask, then allow. */
export const RuleEffectSchema = z.enum(['deny', 'ask', 'allow']);
export type RuleEffect = z.infer<typeof RuleEffectSchema>;

/** Where a rule applies: every run, the runs of one schedule, or the workers of one role. */
export const RuleScopeSchema = z.string().regex(/^(everywhere|schedule:[\w.-]{1,100}|worker:[\w .-]{1,100})$/, 'a scope is everywhere, schedule:<id> or worker:<role>');

/** A rule as written by a person: paths are globs (`~/notes/**`), hosts `*.example.com`, commands `npm run test:*`. */
export const RuleInputSchema = z
  .object({
    effect: RuleEffectSchema,
    capability: PermissionCapabilitySchema,
    pattern: z.string().trim().min(1, 'a rule needs a pattern').max(2000),
    scope: RuleScopeSchema.default('everywhere'),
    note: z.string().max(500).default(''),
  })
  .strict();
export type RuleInput = z.input<typeof RuleInputSchema>;

export const PermissionRuleSchema = z.object({
  id: z.string(),
  effect: RuleEffectSchema,
  capability: z.string(),
  pattern: z.string(),
  scope: z.string(),
  note: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type PermissionRule = z.infer<typeof PermissionRuleSchema>;

/** normal: rules and defaults; read-only: everything but reads denied; ask-everything: nothing allowed without a person. */
export const PermissionModeSchema = z.enum(['normal', 'read-only', 'ask-everything']);
export type PermissionMode = z.infer<typeof PermissionModeSchema>;

export const PermissionConfigSchema = z.object({
  /** Folders the assistant may touch at all; everything outside is denied before any rule. */
  roots: z.array(z.string()),
  mode: PermissionModeSchema,
  /** A request nobody answers is denied after this long. */
  expiryMs: z.number().int(),
  /** The same for runs with nobody watching (schedules, workers); their own timeout may end them sooner. */
  unattendedExpiryMs: z.number().int(),
});
export type PermissionConfig = z.infer<typeof PermissionConfigSchema>;

export const PermissionConfigPatchSchema = z
  .object({
    roots: z.array(PathSchema).max(100),
    mode: PermissionModeSchema,
    expiryMs: z.number().int().min(1000).max(7 * 24 * 3600_000),
    unattendedExpiryMs: z.number().int().min(1000).max(7 * 24 * 3600_000),
  })
  .partial()
  .strict();

/**
 * Who decided a call: a rule, the class default, the mode, workspace safety, a skill the run follows
 * (its `allowed-tools`), a person, the expiry (also at restart), the run ending.
 */
export const DecidedBySchema = z.enum(['rule', 'default', 'mode', 'safety', 'skill', 'user', 'expiry', 'cancelled']);
export type DecidedBy = z.infer<typeof DecidedBySchema>;

const scopeOfRun = z.object({ scheduleId: z.string().optional(), workerRole: z.string().optional() });

/** The call a request is about; the same fields in the request and in its decision, so the audit reads alone. */
export const PermissionCallSchema = z.object({
  capability: z.string(),
  resource: z.string(),
  tool: z.string(),
  argsSummary: z.string(),
  scope: scopeOfRun.default({}),
});
export type PermissionCall = z.infer<typeof PermissionCallSchema>;

/** One line of the audit: a call and what was decided, or that it still waits for a person. */
export const AuditEntrySchema = PermissionCallSchema.extend({
  requestId: z.string(),
  seq: z.number(),
  runId: z.string().nullable(),
  ts: z.number(),
  /** The resource after normalisation (real path, normalised URL), when it could be resolved. */
  resolved: z.string().nullable(),
  status: z.enum(['pending', 'decided']),
  decision: z.enum(['allow', 'deny']).nullable(),
  decidedBy: DecidedBySchema.nullable(),
  ruleId: z.string().nullable(),
  reason: z.string(),
  /** How a person answered: once, always (a rule was saved) or deny. */
  answer: z.enum(['once', 'always', 'deny']).nullable(),
  mode: PermissionModeSchema,
  decidedAt: z.number().nullable(),
  expiresAt: z.number().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Which rule decides a call, and why. */
export const PermissionTestResultSchema = z.object({
  decision: z.enum(['allow', 'deny', 'ask']),
  decidedBy: DecidedBySchema,
  ruleId: z.string().nullable(),
  reason: z.string(),
  resolved: z.string().nullable(),
  /** For shell commands: each part and redirection, decided on its own. */
  parts: z.array(z.object({ kind: z.string(), text: z.string(), decision: z.enum(['allow', 'deny', 'ask']), ruleId: z.string().nullable(), reason: z.string() })),
});
export type PermissionTestResult = z.infer<typeof PermissionTestResultSchema>;

/** A rule proposed for "allow always": the narrowest pattern covering the call, and wider alternatives. */
export const RuleSuggestionSchema = z.object({
  rule: z.object({ effect: RuleEffectSchema, capability: z.string(), pattern: z.string(), scope: z.string(), note: z.string() }),
  alternatives: z.array(z.object({ pattern: z.string(), label: z.string() })),
});

/**
 * What a call waiting for a person would do, in full, for the approval dialog: a write's new text and
 * the file as it is now (`before` null: a new file), a command and its working folder, a request's
 * method and address. `truncated`: one of the texts was too long to send whole.
 */
export const PermissionDetailsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('write'), path: z.string(), content: z.string(), before: z.string().nullable(), truncated: z.boolean(), binary: z.boolean() }),
  z.object({ kind: z.literal('command'), command: z.string(), cwd: z.string().nullable() }),
  z.object({ kind: z.literal('request'), method: z.string(), url: z.string() }),
  z.object({ kind: z.literal('other'), target: z.string() }),
]);
export type PermissionDetails = z.infer<typeof PermissionDetailsSchema>;

const callArgs = z
  .object({
    capability: PermissionCapabilitySchema,
    resource: z.string().min(1).max(20_000),
    tool: z.string().max(200).default('test'),
    scope: scopeOfRun.default({}),
  })
  .strict();

const ruleWithMatches = PermissionRuleSchema.extend({
  matchCount: z.number(),
  lastMatchedAt: z.number().nullable(),
  recentMatches: z.array(AuditEntrySchema),
});

/** The permission commands: builders merged into `COMMANDS`, each built on first use. */
export const PERMISSION_COMMANDS = {
  /** Every rule, with the calls it decided recently. */
  'permissions.rules.list': () => ({ args: z.object({ recent: z.number().int().min(0).max(50).default(5) }).strict(), result: z.object({ rules: z.array(ruleWithMatches) }) }),
  /** Adds a rule. */
  'permissions.rules.add': () => ({ args: RuleInputSchema, result: PermissionRuleSchema }),
  /** Changes a rule; fields left out stay. */
  'permissions.rules.update': () => ({
    args: z
      .object({ id: z.string().min(1), effect: RuleEffectSchema.optional(), capability: PermissionCapabilitySchema.optional(), pattern: z.string().trim().min(1).max(2000).optional(), scope: RuleScopeSchema.optional(), note: z.string().max(500).optional() })
      .strict(),
    result: PermissionRuleSchema,
  }),
  /** Removes a rule. */
  'permissions.rules.remove': () => ({ args: z.object({ id: z.string().min(1) }).strict(), result: z.object({ id: z.string() }) }),
  /** Answers a pending request. `always` saves `rule` (an allow of the call's capability; default the suggested one) first. A second answer returns the first decision. */
  'permissions.answer': () => ({
    args: z
      .object({
        requestId: z.string().min(1),
        decision: z.enum(['allow', 'deny']),
        always: z.boolean().default(false),
        rule: RuleInputSchema.optional(),
      })
      .strict(),
    result: z.object({ entry: AuditEntrySchema, ruleId: z.string().nullable(), alreadyAnswered: z.boolean() }),
  }),
  /** What a waiting request would do in full (a write's text and the current file, a command's folder); `not_found` once decided. */
  'permissions.details': () => ({ args: z.object({ requestId: z.string().min(1).max(200) }).strict(), result: PermissionDetailsSchema }),
  /** Requests waiting for a person, oldest first. */
  'permissions.pending': () => ({ args: z.object({}).strict(), result: z.object({ requests: z.array(AuditEntrySchema) }) }),
  /** The audit trail, newest first, filtered by capability, decision and run. */
  'permissions.audit': () => ({
    args: z
      .object({
        capability: z.string().max(100).optional(),
        decision: z.enum(['allow', 'deny', 'pending']).optional(),
        runId: z.string().optional(),
        beforeSeq: z.number().int().optional(),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
    result: z.object({ entries: z.array(AuditEntrySchema) }),
  }),
  /** Which rule decides a call, without making it. */
  'permissions.test': () => ({ args: callArgs, result: PermissionTestResultSchema }),
  /** The rule "allow always" would propose for a request (by id) or a call. */
  'permissions.suggest': () => ({
    args: z.object({ requestId: z.string().optional(), call: callArgs.optional() }).strict(),
    result: RuleSuggestionSchema,
  }),
  /** Recent calls a rule (not yet saved) would match, and how many. */
  'permissions.preview': () => ({
    args: z.object({ rule: RuleInputSchema, limit: z.number().int().min(1).max(200).default(20) }).strict(),
    result: z.object({ matches: z.array(AuditEntrySchema), total: z.number(), scanned: z.number() }),
  }),
  /** Allowed roots, mode and expiry. */
  'permissions.config.get': () => ({ args: z.object({}).strict(), result: PermissionConfigSchema }),
  /** Changes allowed roots, mode or expiry. */
  'permissions.config.update': () => ({ args: PermissionConfigPatchSchema, result: PermissionConfigSchema }),
} as const;

const callData = {
  requestId: z.string(),
  capability: z.string(),
  resource: z.string(),
  resolved: z.string().nullable(),
  tool: z.string(),
  argsSummary: z.string(),
  scope: scopeOfRun,
  mode: PermissionModeSchema,
};

/** The permission events: builders merged into `EVENT_DATA`, each built on first use. Together they are the audit trail. */
export const PERMISSION_EVENTS = {
  /** A call waits for a person; the run is `waiting_permission` until it is decided. */
  'permission.requested': () => z.object({ ...callData, reason: z.string(), expiresAt: z.number() }),
  /** A call was decided: by a rule, a default, the mode, workspace safety, a person, expiry, or its run ending. */
  'permission.decided': () => z.object({
    ...callData,
    decision: z.enum(['allow', 'deny']),
    decidedBy: DecidedBySchema,
    ruleId: z.string().nullable(),
    reason: z.string(),
    answer: z.enum(['once', 'always', 'deny']).nullable(),
  }),
  /** A rule was added or changed (the whole rule after the change). */
  'permission.rule.saved': () => z.object({ rule: PermissionRuleSchema, created: z.boolean() }),
  /** A rule was removed. */
  'permission.rule.removed': () => z.object({ ruleId: z.string() }),
  /** Allowed roots, mode or expiry changed (the whole configuration after the change). */
  'permission.config.changed': () => PermissionConfigSchema,
} as const;
