/** The chat: the user's messages and the turns that answer them. */
export { createChatModule, type ChatModuleDeps } from './module.js';
