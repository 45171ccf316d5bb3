/** Capability modules: what a capability contributes, and the host that starts and stops them in order. */
export type { CapabilityModule } from './module.js';
export { ModuleHost } from './host.js';
