// Pulsebase TypeScript SDK. This entry has no dependency: browsers (and Node 22+, Deno, Bun) use their
// global WebSocket. Node resolves the package to ./node.js, which falls back to the `ws` package.
export { createClient, PulsebaseClient } from './client.js';
export type { ClientOptions, WebSocketConstructor, WebSocketLike } from './client.js';
export { Channel } from './channel.js';
export type { ChannelOptions, EventPayload } from './channel.js';
export { PulsebaseError } from './errors.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
export { closeAdvice, CloseCode } from './close-codes.js';
export type { CloseAdvice } from './close-codes.js';
export { comparePositions } from './positions.js';
export type * from './types.js';
