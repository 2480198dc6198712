// Limits on what a FHIR request may ask for before any of it is parsed: the URL's length (414) and
// the number of query parameters (400). Both bound the work a single request can cause in the
// search parser and the query compilers. Bodies are bounded by BODY_LIMIT (app.ts).
import type { NextFunction, Request, Response } from 'express';
import { errors, FhirError } from '../../domain/errors.js';

export interface RequestLimits {
  maxUrlLength: number;
  maxQueryParams: number;
}

function countParams(url: string): number {
  const q = url.indexOf('?');
  if (q < 0) return 0;
  let n = 0;
  for (const part of url.slice(q + 1).split('&')) if (part !== '') n++;
  return n;
}

export function requestLimits(limits: RequestLimits) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const url = req.originalUrl;
    if (url.length > limits.maxUrlLength) {
      next(new FhirError(414, errors.issue('too-long', `The URL is longer than this server accepts (${limits.maxUrlLength} characters)`)));
      return;
    }
    if (countParams(url) > limits.maxQueryParams) {
      next(errors.badRequest(`The query has more parameters than this server accepts (${limits.maxQueryParams})`));
      return;
    }
    next();
  };
}
