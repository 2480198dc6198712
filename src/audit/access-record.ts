// The input of the audit layer; defined in src/domain (several layers fill it in).
export type { AccessRecord, AuditOutcome } from '../domain/access-record.js';
