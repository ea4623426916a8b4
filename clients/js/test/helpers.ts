// Test machinery. The server process (a real Pulsebase server on a free port and a temporary data folder:
// started, stopped with SIGTERM, killed, restarted on the same port) and REST calls come from the repository's
// test-support/server.js, shared with browser-tests; here: a TCP proxy between client and server that can cut
// every connection at once or refuse new ones (an "offline" client), and fast reconnect settings.
// Every wait is bounded.
import net from 'node:net';
import { until as untilEvery, type Cleanup } from '@pulsebase/test-support/server';

export { JAR, ROOT, Server, freePort, java, sleep } from '@pulsebase/test-support/server';

/** Polls `check` every 20 ms (by default) until it answers a truthy value; throws after `timeoutMs`. */
export const until = <T>(check: () => T | Promise<T>, what: string | (() => string), timeoutMs = 15000,
  everyMs = 20): Promise<T> => untilEvery(check, what, timeoutMs, everyMs);

/**
 * A TCP proxy in front of a server: `cut()` destroys every connection through it at once (the client sees
 * an abnormal close, as after a network failure); while `offline` is set new connections are refused.
 */
export class Proxy {
  offline = false;
  readonly sockets = new Set<net.Socket>();
  private server: net.Server | null = null;
  port = 0;

  constructor(private readonly target: () => number) {}

  static async create(t: Cleanup, target: () => number): Promise<Proxy> {
    const p = new Proxy(target);
    await p.listen();
    t.after(() => p.close());
    return p;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(): Promise<void> {
    this.server = net.createServer((client) => {
      if (this.offline) {
        client.resetAndDestroy?.() ?? client.destroy();
        return;
      }
      const upstream = net.connect({ port: this.target(), host: '127.0.0.1' });
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen({ port: 0, host: '127.0.0.1' }, resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }

  /** Destroys every connection through the proxy (with a TCP reset where the runtime supports it). */
  cut(): number {
    const n = this.sockets.size / 2;
    for (const s of [...this.sockets]) {
      try { s.resetAndDestroy?.() ?? s.destroy(); } catch { s.destroy(); }
    }
    this.sockets.clear();
    return n;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Fast reconnect settings for tests. */
export const FAST = { reconnect: { baseMs: 50, capMs: 400 }, pingIntervalMs: 5000, pingTimeoutMs: 5000 };
