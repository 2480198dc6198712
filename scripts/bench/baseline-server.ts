// The baseline: a bare node:http server that answers every request with the same bytes as a real
// Envelope search response (body and headers captured by the runner). Measured with the same client,
// connections and duration as Envelope, it shows what this machine, Node's HTTP stack and the load
// generator manage on their own; Envelope's throughput as a ratio of it survives a noisy or slower
// machine better than raw requests per second do.
//   node dist/scripts/bench/baseline-server.js CAPTURE.json [--express]   (PORT and HOST from the environment)
// CAPTURE.json: { "headers": { name: value }, "body": "…" }
// --express: the same bytes from an Express 5 application with helmet, the stack Envelope is built
// on, doing no other work: the most any Envelope endpoint could reach (scripts/bench/stack-floor.ts).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import helmet from 'helmet';

interface Capture {
  headers: Record<string, string>;
  body: string;
}

/** Headers that belong to one connection or one moment, not to the response: Node sets its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'date', 'content-length']);

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: baseline-server CAPTURE.json');
  const capture = JSON.parse(readFileSync(file, 'utf8')) as Capture;
  const body = Buffer.from(capture.body, 'utf8');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(capture.headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
  headers['content-length'] = String(body.length);

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    // Drain the request, as a real server must, before answering.
    req.resume();
    req.on('end', () => {
      res.writeHead(200, headers);
      res.end(body);
    });
  };
  let handler: (req: IncomingMessage, res: ServerResponse) => void = answer;
  if (process.argv.includes('--express')) {
    const app = express();
    app.use(helmet());
    app.use((req, res) => answer(req, res));
    handler = app;
  }
  const server = createServer(handler);
  server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main();
