// X-Request-ID: echoed when the client sent a sane one, generated otherwise, always in the response.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const SANE = /^[A-Za-z0-9._:-]{1,200}$/;

export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.get('x-request-id');
  const id = given && SANE.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  // Only an id the client chose can make a retry idempotent; a generated one is never seen again.
  if (given && SANE.test(given)) res.locals.clientRequestId = given;
  res.setHeader('X-Request-ID', id);
  const corr = req.get('x-correlation-id');
  if (corr && SANE.test(corr)) res.setHeader('X-Correlation-ID', corr);
  next();
}
