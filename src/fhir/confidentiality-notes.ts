// What a searchset must say about confidentiality: that sealed data was withheld (masked entries,
// issue code `suppressed`, with the break-the-glass hint where the principal could open it), and
// that break glass was used. Never which data, nor why in more detail than the entries show.
import type { Guard } from '../access/guard.js';
import type { Issue } from '../domain/errors.js';
import { ACT_REASON } from './break-glass-request.js';

export function confidentialityIssues(guard: Guard): Issue[] {
  const out: Issue[] = [];
  if (guard.view.maskedAny) {
    const issue: Issue = {
      severity: 'information', code: 'suppressed',
      diagnostics: 'Some data was withheld: sealed content of entries marked REDACTED is not available to you',
    };
    if (guard.view.mayBreakGlass()) issue.details = { system: ACT_REASON, code: 'BTG', display: 'Break the glass' };
    out.push(issue);
  }
  if (guard.view.brokeGlassAny) {
    out.push({
      severity: 'warning', code: 'informational',
      diagnostics: 'Break glass was used: sealed data was opened for an emergency; this access is audited and the privacy officer alerted',
      details: { system: ACT_REASON, code: 'BTG', display: 'Break the glass' },
    });
  }
  return out;
}
