export { startHost, startHostServer, DEFAULT_RENDERER_DIR, type Host, type HostOptions, type HostServer, type HostServerOptions } from './server.js';
export { closeOnSignals } from './shutdown.js';
export { securityHeaders } from './static.js';
