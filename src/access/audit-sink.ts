// Where the guard's record of each interaction goes. `record` resolves only once the audit trail
// holds it durably; it rejects when it cannot, and then nothing of the request may be disclosed.
import type { AccessRecord } from '../domain/access-record.js';
import type { Principal } from '../domain/principal.js';
import type { r4 } from '../domain/fhir.js';

export interface AuditSink {
  record(r: AccessRecord): Promise<void>;
  /** Appends AuditEvents a registered audit source sent; resolves with them as chained and stored. */
  append(events: r4.AuditEvent[]): Promise<r4.AuditEvent[]>;
  /** An alert for the privacy officers; durable when it resolves. */
  alert(kind: 'break-glass' | 'self-claimed-relationship', details: {
    who: Principal; patient: string; reason: string; requestId?: string; at: Date;
  }): Promise<void>;
}
