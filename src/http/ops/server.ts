// The listening server: plain HTTP (TLS terminated by a proxy in front, the recommended set-up) or
// HTTPS with a configured key and certificate, with Node's timeouts set so that slow or idle
// clients cannot hold connections open for ever.
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors, FhirError } from '../../domain/errors.js';
import { rawErrorResponse } from '../serialize.js';
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
  answerUnparseable(server);
  return server;
}

/**
 * Requests Node's HTTP parser refuses (headers over its limit, bytes HTTP forbids, an unknown
 * method or transfer encoding, conflicting lengths) and Expect headers it cannot meet still get an
 * OperationOutcome, not Node's bare status line.
 */
function answerUnparseable(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const e = err.code === 'HPE_HEADER_OVERFLOW'
      ? new FhirError(431, errors.badRequest('The request headers are larger than this server accepts').issues)
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new FhirError(408, errors.badRequest('The request did not arrive in time').issues)
        : errors.badRequest('The request could not be read as HTTP/1.1');
    socket.end(rawErrorResponse(e));
  });
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => {
    const e = new FhirError(417, errors.badRequest('Only "Expect: 100-continue" is supported', 'Expect').issues);
    res.socket?.end(rawErrorResponse(e));
  });
}
