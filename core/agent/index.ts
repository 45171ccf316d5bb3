export { chatTurn, type ChatTurnDeps, type ChatTurnInput } from './chat-turn.js';
export { buildSystemPrompt, toConversation } from './prompt.js';
