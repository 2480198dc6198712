// Starts Envelope: configuration from the environment, the composed application, a listening socket
// (HTTP, or HTTPS with a configured key and certificate), and an orderly shutdown on SIGTERM/SIGINT.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import type { Envelope } from './compose.js';
import type { Config } from './config.js';
import type { Logger } from './http/ops/logger.js';

/**
 * How far V8 lets the old generation grow past what survived the last full GC before it collects
 * again, in percent (V8's own factor is up to 4×, chosen from GC and allocation speed). Under load
 * much of what a request allocates outlives a young-generation collection — requests wait for their
 * audit group while others allocate — and dies in the old generation, so with V8's factor the heap
 * grew to 150–180 MiB over ~35–55 MiB live (heap snapshots under 32 connections of searches). At
 * 25 % it stays near 100 MiB for ~1–2 % more of the request thread's time in full GCs (docs/operations.md, "Memory"). The flag is
 * process-wide, so the audit writer thread's heap follows it too. It is read at every full GC,
 * including those while the modules load (which set the limit the first load runs into), so it is
 * set before the application's modules are imported below.
 */
const HEAP_GROWING_PERCENT = 25;
setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);

const { composeEnvelope } = await import('./compose.js');
const { configFromEnv, serverDefaults } = await import('./config.js');
const { createLogger } = await import('./http/ops/logger.js');
const { createServer } = await import('./http/ops/server.js');

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`${what} ${file} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

async function main(logger: Logger, config: Config): Promise<void> {
  const started = performance.now();
  const tls = config.tls && { key: readPem(config.tls.keyFile, 'TLS_KEY_FILE'), cert: readPem(config.tls.certFile, 'TLS_CERT_FILE') };
  const envelope = await composeEnvelope(config, process.env, { logger });
  const server = createServer(envelope.app, { timeouts: config.timeouts, ...(tls ? { tls } : {}) });
  server.once('error', (e) => {
    logger.fatal({ err: e }, 'envelope could not listen');
    void envelope.close().finally(() => process.exit(1));
  });
  server.listen(config.port, config.host, () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    logger.info({
      address: typeof addr === 'object' && addr ? `${addr.address}:${addr.port}` : String(addr),
      port,
      tls: Boolean(tls),
      fhirBase: `${config.publicBaseUrl ?? `${tls ? 'https' : 'http'}://localhost:${port}`}/fhir`,
      store: envelope.describe,
      startupMs: Math.round(performance.now() - started),
    }, 'envelope listening');
  });
  const stop = stopper(server, envelope, logger, config.shutdownGraceMs);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * The shutdown: stop accepting connections, let the requests in flight finish (at most graceMs,
 * then their connections are cut), then close the Envelope, which waits until every audit group is
 * committed and closes the store. Exit 0 when that all went well.
 */
function stopper(server: Server, envelope: Envelope, logger: Logger, graceMs: number): (signal: string) => void {
  let stopping = false;
  return (signal) => {
    if (stopping) return;
    stopping = true;
    const begun = performance.now();
    logger.info({ signal, graceMs }, 'envelope stopping');
    // Responses from now on close their connection, so keep-alive clients go elsewhere.
    server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
    let forced = false;
    const force = setTimeout(() => {
      forced = true;
      logger.warn({ graceMs }, 'requests still in flight after the grace period: closing their connections');
      server.closeAllConnections();
    }, graceMs);
    // A connection that was busy when we stopped becomes idle once its response is sent: close it then.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweep);
      envelope.close().then(
        () => {
          logger.info({ forced, ms: Math.round(performance.now() - begun) }, 'envelope stopped');
          process.exit(0);
        },
        (e: unknown) => {
          logger.error({ err: e }, 'error while closing the audit log or the store');
          process.exit(1);
        },
      );
    });
    server.closeIdleConnections();
  };
}

let config: Config;
let logger: Logger;
try {
  config = serverDefaults(configFromEnv(process.env));
  logger = createLogger(config.logLevel ?? 'info');
} catch (e) {
  // Configuration errors are operator mistakes: say what is wrong, without a stack.
  console.error(JSON.stringify({ level: 'fatal', msg: 'envelope failed to start', error: e instanceof Error ? e.message : String(e) }));
  process.exit(1);
}
main(logger, config).catch((e: unknown) => {
  logger.fatal({ error: e instanceof Error ? e.message : String(e) }, 'envelope failed to start');
  process.exit(1);
});
