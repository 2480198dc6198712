// Adapts Express to the FHIR engine: authenticate, negotiate, read the body, build a FhirRequest,
// hand it to the engine and serialise what comes back.
import type { Request, Response } from 'express';
import type { Authenticator } from '../auth/authenticate.js';
import type { Principal } from '../domain/principal.js';
import { errors, FhirError } from '../domain/errors.js';
import type { Engine } from '../fhir/engine.js';
import { errorResponse } from '../fhir/engine.js';
import type { FhirRequest, HttpMethod } from '../fhir/types.js';
import { decodeUtf8, parseJsonBody, parseXmlBody } from './body.js';
import { checkBodyType, responseMediaType, type MediaType } from './negotiate.js';
import { send } from './serialize.js';

const METHODS = new Set<HttpMethod>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** The CapabilityStatement is public: clients read it before they know how to authenticate. */
const ANONYMOUS: Principal = { sub: 'anonymous', authMethod: 'jwt', role: '', scopes: [] };

export interface FhirRouteOptions {
  engine: Engine;
  authenticate: Authenticator;
  /** Public origin, e.g. https://envelope.example; derived from the request when unset. */
  publicBaseUrl?: string;
}

export function fhirRoute(opts: FhirRouteOptions) {
  return async (req: Request, res: Response): Promise<void> => {
    const query = queryPairs(req.originalUrl);
    const format = query.find(([k]) => k === '_format')?.[1];
    const pretty = query.some(([k, v]) => k === '_pretty' && v === 'true');
    let mediaType: MediaType = 'application/fhir+json';
    const head = req.method === 'HEAD';
    try {
      mediaType = responseMediaType(format, req.get('accept'), hasBody(req) ? req.get('content-type') : undefined);
      const method = req.method.toUpperCase() as HttpMethod;
      if (!METHODS.has(method)) throw errors.methodNotAllowed(`${req.method} is not supported`);
      const segments = segmentsOf(req.path.slice('/fhir'.length));
      const isMetadata = segments.length === 1 && segments[0] === 'metadata' && (method === 'GET' || method === 'HEAD');
      const headers = lowerHeaders(req);
      const client: NonNullable<FhirRequest['client']> = {};
      if (req.socket.remoteAddress) client.address = req.socket.remoteAddress;
      if (headers['user-agent']) client.userAgent = headers['user-agent'].slice(0, 256);
      const unauthenticated: Omit<FhirRequest, 'principal'> = {
        method,
        segments,
        query: query.filter(([k]) => k !== '_format' && k !== '_pretty'),
        headers,
        baseUrl: `${opts.publicBaseUrl ?? `${req.protocol}://${req.get('host')}`}/fhir`,
        requestId: String(res.locals.requestId),
        ...(res.locals.clientRequestId ? { clientRequestId: String(res.locals.clientRequestId) } : {}),
        client,
      };
      let principal: Principal;
      try {
        principal = isMetadata ? ANONYMOUS : await opts.authenticate({ method, headers });
      } catch (e) {
        if (!(e instanceof FhirError)) throw e;
        // Refused before there is a principal (401, or a malformed request-context header): audited too.
        const out = await opts.engine.refuse(unauthenticated, e);
        out.headers['Cache-Control'] = 'no-store';
        send(res, out, { pretty, mediaType, head });
        return;
      }
      const fr: FhirRequest = { ...unauthenticated, principal };
      readBody(req, fr);
      const out = await opts.engine.handle(fr);
      out.headers['Cache-Control'] = 'no-store';
      send(res, out, { pretty, mediaType, head });
    } catch (e) {
      if (!(e instanceof FhirError)) throw e;
      const out = errorResponse(e);
      out.headers['Cache-Control'] = 'no-store';
      send(res, out, { pretty, mediaType, head });
    }
  };
}

function readBody(req: Request, fr: FhirRequest): void {
  const raw: unknown = req.body;
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    if (fr.method === 'POST' || fr.method === 'PUT' || fr.method === 'PATCH') {
      const isSearch = fr.segments[fr.segments.length - 1] === '_search';
      if (!isSearch) throw errors.badRequest('This request needs a body');
    }
    return;
  }
  if (fr.method === 'GET' || fr.method === 'HEAD' || fr.method === 'DELETE') return;
  const kind = checkBodyType(fr.method, req.get('content-type'));
  const text = decodeUtf8(raw);
  if (kind === 'form') {
    fr.query.push(...new URLSearchParams(text));
    return;
  }
  fr.body = kind === 'xml' ? parseXmlBody(text) : parseJsonBody(text);
}

function hasBody(req: Request): boolean {
  return Buffer.isBuffer(req.body) && req.body.length > 0;
}

/** The query string in order, repeats kept; Express' parsed req.query would merge and nest them. */
function queryPairs(originalUrl: string): [string, string][] {
  const q = originalUrl.indexOf('?');
  if (q < 0) return [];
  try {
    return [...new URLSearchParams(originalUrl.slice(q + 1))];
  } catch {
    throw errors.badRequest('The query string is malformed');
  }
}

function segmentsOf(path: string): string[] {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw errors.badRequest('The URL path is malformed');
  }
}

function lowerHeaders(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
