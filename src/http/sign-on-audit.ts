// Sign-on events (SAML logins and logouts, token grants) go into the audit trail like every FHIR
// interaction, and before the answer that completes them: no session cookie or access token leaves
// unless its grant is durably recorded. Refused attempts are recorded too.
import type { Request, Response } from 'express';
import type { AuditSink } from '../access/audit-sink.js';
import type { AccessRecord } from '../domain/access-record.js';
import type { Principal } from '../domain/principal.js';

export type SignOnInteraction = 'login' | 'logout' | 'token';

export interface SignOnAudit {
  /** Records the event; false when the trail could not (the caller then answers 503 instead). */
  (req: Request, res: Response, e: { interaction: SignOnInteraction; status: number; text?: string; principal?: Principal; saml?: AccessRecord['saml'] }): Promise<boolean>;
}

export function signOnAudit(sink: AuditSink | undefined, server: { name: string; version: string }, onFault: (e: unknown) => void): SignOnAudit {
  return async (req, res, e) => {
    if (!sink) return true;
    const client: AccessRecord['client'] = {};
    if (req.socket.remoteAddress) client.address = req.socket.remoteAddress;
    const ua = req.get('user-agent');
    if (ua) client.userAgent = ua.slice(0, 256);
    const record: AccessRecord = {
      requestId: String(res.locals.requestId ?? ''),
      interaction: e.interaction,
      action: 'E',
      recorded: new Date().toISOString(),
      outcome: { code: e.status < 400 ? '0' : e.status < 500 ? '4' : '8', status: e.status, ...(e.text ? { text: e.text } : {}) },
      client,
      server: { ...server, ...(req.get('host') ? { address: req.get('host')! } : {}) },
      method: req.method,
      path: req.path,
      resources: [],
      patients: [],
    };
    if (e.principal) record.principal = e.principal;
    if (e.saml) record.saml = e.saml;
    try {
      await sink.record(record);
      return true;
    } catch (err) {
      onFault(err);
      return false;
    }
  };
}
