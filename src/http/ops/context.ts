// What the operations middleware learns about a request while it runs: the principal once the FHIR
// route has authenticated it. The route does not hand the principal back, so the authenticator it
// calls is wrapped to note it in the request's async context, which the logging and rate limiting
// read without touching the route.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { Authenticator } from '../../auth/authenticate.js';
import type { Principal } from '../../domain/principal.js';

export interface RequestContext {
  /** Set once the request has authenticated. */
  principal?: Principal;
  /** The peer's address (the proxy's, behind a proxy). */
  address?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the request being handled (undefined outside one). */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Gives each request its context; later middleware reads it from res.locals.ops too. */
export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const ctx: RequestContext = {};
  if (req.socket.remoteAddress) ctx.address = req.socket.remoteAddress;
  res.locals.ops = ctx;
  storage.run(ctx, next);
}

/** The context requestContext gave this response (finish handlers run outside the async context). */
export function contextOf(res: Response): RequestContext | undefined {
  return res.locals.ops as RequestContext | undefined;
}

/** Notes the principal an authenticator returns in the current request's context. */
export function notingPrincipal(authenticate: Authenticator): Authenticator {
  return async (req) => {
    const principal = await authenticate(req);
    const ctx = storage.getStore();
    if (ctx) ctx.principal = principal;
    return principal;
  };
}
