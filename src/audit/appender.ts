// What the audit trail needs of a log: append chained events durably, and close. AuditLog does it
// on the calling thread; ThreadAuditLog (thread-log.ts) does it on a thread of its own.
import type { r4 } from '../domain/fhir.js';

export interface AuditAppender {
  /** Resolves with the events as stored once durable; rejects (503) when they were not stored. */
  append(events: r4.AuditEvent[]): Promise<r4.AuditEvent[]>;
  /**
   * Appends like append but hands nothing back: for callers that only need the events durable (the
   * trail's records of requests). The log on its own thread then sends no copy of them back.
   */
  record(events: r4.AuditEvent[]): Promise<void>;
  close(): Promise<void>;
}
