// The listening server: plain HTTP (TLS terminated by a proxy in front, the recommended set-up) or
// HTTPS with a configured key and certificate, with Node's timeouts set so that slow or idle
// clients cannot hold connections open for ever.
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

export interface ServerTimeouts {
  /** The whole request (headers and body) must arrive within this (408 otherwise). */
  requestMs: number;
  /** The headers must arrive within this (408 otherwise). */
  headersMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveMs: number;
}

export interface ServerOptions {
  timeouts: ServerTimeouts;
  /** PEM key and certificate (chain) for HTTPS; absent: HTTP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export function createServer(app: RequestListener, opts: ServerOptions): Server {
  const t = opts.timeouts;
  const common = {
    requestTimeout: t.requestMs,
    headersTimeout: t.headersMs,
    keepAliveTimeout: t.keepAliveMs,
    // Node checks the two timeouts above only this often (30 s by default): check often enough
    // that a short headers timeout means what it says.
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(t.headersMs / 2))),
  };
  const server: Server = opts.tls
    ? createHttpsServer({ ...common, key: opts.tls.key, cert: opts.tls.cert, minVersion: 'TLSv1.2' }, app)
    : createHttpServer(common, app);
  // Set again on the instance: older Node versions read these only from the properties.
  server.requestTimeout = t.requestMs;
  server.headersTimeout = t.headersMs;
  server.keepAliveTimeout = t.keepAliveMs;
  return server;
}
