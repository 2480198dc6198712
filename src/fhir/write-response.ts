// The response to a successful create/update/patch, shaped by the client's Prefer header.
import type { ReleasedVersion } from '../access/guard.js';
import { releaseOutcome } from '../access/guard.js';
import { informational } from '../domain/errors.js';
import type { Ctx } from './context.js';
import { preferReturn, versionHeaders } from './headers.js';
import type { FhirResponse } from './types.js';

export function writeResponse(ctx: Ctx, v: ReleasedVersion, status: number, message: string): FhirResponse {
  const headers = versionHeaders(v, ctx.req.baseUrl, true);
  switch (preferReturn(ctx.req.headers.prefer)) {
    case 'minimal':
      return { status, headers };
    case 'OperationOutcome':
      return { status, headers, body: releaseOutcome(informational(message)) };
    default:
      return { status, headers, body: v.resource! };
  }
}
