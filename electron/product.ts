/** The app's name as people see it (window title, menus, data folder) and its OS-level id. */
export const PRODUCT_NAME = 'Agent Blob';
export const APP_ID = 'dev.agentblob.app';
