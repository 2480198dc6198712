// Structured JSON logs (pino): one line per request, and the server's own events and faults.
// What a request line holds is chosen so that it never carries patient data: the route template
// and interaction instead of the URL (ids and query strings can identify a patient), the principal's
// id, client and role but not its fhirUser, and nothing at all of a patient's own identity when the
// caller is a patient.
import type { NextFunction, Request, Response } from 'express';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Principal } from '../../domain/principal.js';
import { classify } from './classify.js';
import { contextOf } from './context.js';

export type { Logger } from 'pino';

/** A logger at `level`, writing JSON lines to stdout (or to `destination`, for tests). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'envelope', pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** What a log line may say about who asked. */
export function principalFields(p: Principal): Record<string, string> {
  const out: Record<string, string> = { role: p.role, authMethod: p.authMethod };
  // A patient's sign-in id identifies the patient: their requests are logged by role only.
  const isPatient = p.role === 'patient' || p.fhirUser?.startsWith('Patient/') === true;
  if (!isPatient) out.sub = p.sub;
  if (p.clientId !== undefined) out.clientId = p.clientId;
  if (p.organization !== undefined) out.organization = p.organization;
  return out;
}

/** Logs each request once it has ended (answered or abandoned by the client). */
export function requestLogger(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      if (!logger.isLevelEnabled('info')) return;
      const kind = classify(req);
      const ctx = contextOf(res);
      const line: Record<string, unknown> = {
        reqId: res.locals.requestId,
        method: req.method,
        route: kind.route,
        interaction: kind.interaction,
        status: res.statusCode,
        ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      };
      if (kind.type) line.type = kind.type;
      if (ctx?.principal) line.principal = principalFields(ctx.principal);
      if (!res.writableFinished) line.aborted = true;
      logger.info(line, 'request');
    });
    next();
  };
}
