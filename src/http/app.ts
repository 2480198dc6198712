// The Express application: security headers, request ids, body limits, the FHIR routes, and an
// OperationOutcome for every failure (never a stack trace).
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { errors, FhirError } from '../domain/errors.js';
import { TOKEN_PATH } from '../auth/discovery/smart-configuration.js';
import { errorResponse } from '../fhir/engine.js';
import { fhirRoute, type FhirRouteOptions } from './fhir-route.js';
import { notingPrincipal, requestContext } from './ops/context.js';
import { healthz, readyz, type Readiness } from './ops/health.js';
import { requestLimits, type RequestLimits } from './ops/limits.js';
import { requestLogger, type Logger } from './ops/logger.js';
import { metricsMiddleware, metricsRoute, type Metrics } from './ops/metrics.js';
import { anonymousLimit, limitByPrincipal, TokenBuckets, tokenEndpointLimit, type RateLimit } from './ops/rate-limit.js';
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
  /** Logs, health, metrics and limits (docs/operations.md); absent: none of them but /healthz. */
  ops?: OpsOptions;
}

export interface OpsOptions {
  logger: Logger;
  metrics: Metrics;
  /** The readiness probe behind /readyz. */
  ready: () => Promise<Readiness>;
  /** The bearer secret /metrics requires; absent: /metrics is off. */
  metricsToken?: string;
  /** Per-client limit on /fhir and /auth/token; absent or perSecond 0: off. */
  rateLimit?: RateLimit;
  limits: RequestLimits;
}

export function createApp(opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.set('etag', false);
  app.use(helmet());
  app.use(requestId);
  const ops = opts.ops;
  const buckets = new TokenBuckets(ops?.rateLimit ?? { perSecond: 0, burst: 1 });
  if (ops) app.use(requestContext, requestLogger(ops.logger), metricsMiddleware(ops.metrics));
  app.get('/healthz', healthz);
  if (ops) {
    app.get('/readyz', readyz(ops.ready));
    app.get('/metrics', metricsRoute(ops.metrics, ops.metricsToken));
  }
  if (buckets.enabled) app.use(TOKEN_PATH, tokenEndpointLimit(buckets));
  for (const mount of opts.mounts ?? []) mount(app);
  // Every FHIR answer, error or not, is marked uncacheable before anything can answer it.
  app.use('/fhir', noStore);
  if (ops) app.use('/fhir', requestLimits(ops.limits), anonymousLimit(buckets));
  // Bodies are read raw and parsed by the FHIR route, so malformed JSON becomes a FHIR 400.
  app.use('/fhir', express.raw({ type: () => true, limit: opts.bodyLimit }));
  app.all('/fhir{/*path}', fhirRoute(ops ? { ...opts, authenticate: limitByPrincipal(notingPrincipal(opts.authenticate), buckets) } : opts));
  app.use((_req, res) => sendError(res, errors.notFound('No such endpoint')));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendError(res, toFhirError(err, req, opts));
  });
  return app;
}

function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
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
