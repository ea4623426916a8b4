// The Node entry point: the same API; when the runtime has no global WebSocket (Node 20, 21) the `ws`
// package is loaded, lazily, on the first connection.
import { setWebSocketLoader, type WebSocketConstructor } from './client.js';

setWebSocketLoader(async () => {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  const mod = await import('ws');
  return (mod.WebSocket ?? mod.default) as unknown as WebSocketConstructor;
});

export * from './index.js';
