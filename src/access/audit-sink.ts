// Where the guard's record of each interaction goes. `record` resolves only once the audit trail
// holds it durably; it rejects when it cannot, and then nothing of the request may be disclosed.
import type { AccessRecord } from '../domain/access-record.js';

export interface AuditSink {
  record(r: AccessRecord): Promise<void>;
}
