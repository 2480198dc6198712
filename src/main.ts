// Starts Envelope: configuration from the environment, the composed application, a listening socket,
// and an orderly shutdown on SIGTERM/SIGINT.
import { composeEnvelope } from './compose.js';
import { configFromEnv } from './config.js';

async function main(): Promise<void> {
  const started = performance.now();
  const config = configFromEnv(process.env);
  const envelope = await composeEnvelope(config, process.env);
  const server = envelope.app.listen(config.port, config.host, () => {
    const addr = server.address();
    const where = typeof addr === 'object' && addr ? `${addr.address}:${addr.port}` : String(addr);
    console.log(JSON.stringify({
      msg: 'envelope listening',
      address: where,
      fhirBase: `${config.publicBaseUrl ?? `http://localhost:${config.port}`}/fhir`,
      store: envelope.describe,
      startupMs: Math.round(performance.now() - started),
    }));
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ msg: 'envelope stopping', signal }));
    // Stop accepting, let in-flight requests finish (bounded), then close the store.
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    force.unref();
    server.close(() => {
      envelope.close().then(
        () => process.exit(0),
        (e: unknown) => {
          console.error(JSON.stringify({ msg: 'error while closing the store', error: String(e) }));
          process.exit(1);
        },
      );
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  // Configuration and start-up errors are operator mistakes: say what is wrong, without a stack.
  console.error(JSON.stringify({ msg: 'envelope failed to start', error: e instanceof Error ? e.message : String(e) }));
  process.exit(1);
});
