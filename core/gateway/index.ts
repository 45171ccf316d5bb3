/** The gateway: validates every request against the contract, dispatches it, and carries events to sessions. */
export { Gateway, type CallContext, type ClientCapability, type Handlers, type Session } from './dispatch.js';
export { connectInProcess } from './inprocess.js';
export { attachWebSocketGateway, CLOSE_CODES, type WebSocketGateway, type WebSocketGatewayOptions } from './websocket.js';
export { connectWebSocket, type WebSocketClientOptions } from './websocket-client.js';
