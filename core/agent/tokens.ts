// The estimate lives with the providers, which also use it when a server does not report usage.
export { estimateTokens, estimateMessage, estimatePrompt } from '../providers/index.js';
