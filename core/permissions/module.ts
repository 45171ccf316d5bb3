import { createPermissionHandlers } from './handlers.js';
import { createPermissions, type Permissions, type PermissionsDeps } from './service.js';
import { createPermissionsProjector } from './store.js';
import type { CapabilityModule } from '../modules/index.js';

export interface PermissionsModule extends CapabilityModule {
  readonly permissions: Permissions;
}

/** The permission gate, rules, approvals and the audit; requests a dead process left pending expire at start. */
export function createPermissionsModule(deps: PermissionsDeps & { onRecover: (step: (runId: string) => void) => void }): PermissionsModule {
  const permissions = createPermissions(deps);
  deps.onRecover((runId) => permissions.expireLeftovers(runId));
  return {
    name: 'permissions',
    permissions,
    projectors: [createPermissionsProjector(deps.db)],
    handlers: createPermissionHandlers(permissions),
    start() {
      permissions.expireLeftovers();
    },
  };
}
