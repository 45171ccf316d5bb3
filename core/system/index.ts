/** The app itself: health checks (doctor), version, backups. */
export { createSystemModule, APP_VERSION, type SystemModuleDeps } from './module.js';
export { runDoctor, type DoctorDeps } from './doctor.js';
export { checkDataFolder, diskSpaceCheck } from './folder-checks.js';
