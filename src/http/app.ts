// The Express application: security headers, request ids, body limits, the FHIR routes, and an
// OperationOutcome for every failure (never a stack trace).
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { errors, FhirError } from '../domain/errors.js';
import { errorResponse } from '../fhir/engine.js';
import { fhirRoute, type FhirRouteOptions } from './fhir-route.js';
import { requestId } from './request-id.js';
import { send } from './serialize.js';

export interface AppOptions extends FhirRouteOptions {
  /** Maximum body size, e.g. '5mb'. */
  bodyLimit: string;
  /**
   * Routes outside /fhir, mounted before it in this order: sign-on (/auth/saml/*), the token
   * endpoint (/auth/token) and discovery documents (/.well-known/*). Each owns its error format.
   */
  mounts?: readonly ((app: express.Express) => void)[];
  /** Called with unexpected errors (real server faults) so they can be logged. */
  onFault?: (err: unknown, req: Request) => void;
}

export function createApp(opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('etag', false);
  app.use(helmet());
  app.use(requestId);
  app.get('/healthz', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok' });
  });
  for (const mount of opts.mounts ?? []) mount(app);
  // Bodies are read raw and parsed by the FHIR route, so malformed JSON becomes a FHIR 400.
  app.use('/fhir', express.raw({ type: () => true, limit: opts.bodyLimit }));
  app.all('/fhir{/*path}', fhirRoute(opts));
  app.use((_req, res) => sendError(res, errors.notFound('No such endpoint')));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendError(res, toFhirError(err, req, opts));
  });
  return app;
}

function toFhirError(err: unknown, req: Request, opts: AppOptions): FhirError {
  if (err instanceof FhirError) return err;
  const e = err as { status?: number; type?: string };
  // body-parser signals client faults with a status and a type.
  if (e?.type === 'entity.too.large') return errors.tooLarge('The request body is larger than this server accepts');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return errors.badRequest('The request could not be read');
  opts.onFault?.(err, req);
  return errors.internal();
}

function sendError(res: Response, e: FhirError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const out = errorResponse(e);
  out.headers['Cache-Control'] = 'no-store';
  send(res, out, { pretty: false, mediaType: 'application/fhir+json', head: false });
}
