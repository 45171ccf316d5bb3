/** Permissions: the policy engine, workspace safety, the approval gate, rules and the audit trail. */
export * from './types.js';
export { createPermissions, DEFAULT_EXPIRY_MS, DEFAULT_UNATTENDED_EXPIRY_MS, type Permissions, type PermissionsDeps } from './service.js';
export { createPermissionGate, type GateDeps, type PermissionGateControl, type PermissionNotice } from './gate.js';
export { PolicyEngine, type Evaluation, type PolicyCall, type PolicyState } from './policy.js';
export { applySkills, toolMatches } from './skills.js';
export { compilePathGlob, compileWildcard, MAX_GLOB_INPUT, MAX_GLOB_STEPS } from './glob.js';
export { splitShellCommand, type ShellCommand, type ShellRedirection, type ShellSplit } from './shell.js';
export { parseHttpTarget, nonPublicReason, compileHostPattern, systemResolver, formatNetApproval, parseNetApproval, type HostResolver, type NetApproval } from './net.js';
export { createPermissionHandlers } from './handlers.js';
export { resolvePath, nodePathSystem, isInsideRoot, type PathSystem } from './paths.js';
export { suggestRule, previewRule, type RuleSuggestion } from './suggest.js';
export { PermissionQueries, createPermissionsProjector, type AuditFilter } from './store.js';
export { createPermissionsModule, type PermissionsModule } from './module.js';
export { deleteRequests, requestsDecidedBefore } from './retention.js';
