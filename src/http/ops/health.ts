// /healthz: the process is alive and serving HTTP. /readyz: it can do its job: the store answers a
// read and the audit trail is taking events. A load balancer sends traffic only to ready instances;
// an orchestrator restarts instances that are not healthy.
import type { Request, Response } from 'express';

export type CheckState = 'ok' | 'failing';

export interface Readiness {
  ready: boolean;
  checks: { store: CheckState; audit: CheckState };
}

/**
 * The audit trail's state as its callers saw it, so readiness needs no probe event of its own (an
 * AuditEvent per probe would fill the chain with noise). Not ready once closed, or while the most
 * recent append failed — but only for `failureMemoryMs`: with no traffic (the load balancer has
 * stopped sending it) nothing would ever clear the failure, so after that the instance reports
 * ready again and the next real request tries the trail once more.
 */
export class AuditHealth {
  private lastFailureAt = -Infinity;
  private failing = false;
  private closed = false;

  constructor(private readonly failureMemoryMs = 10_000, private readonly now: () => number = () => performance.now()) {}

  succeeded(): void {
    this.failing = false;
  }

  failed(): void {
    this.failing = true;
    this.lastFailureAt = this.now();
  }

  close(): void {
    this.closed = true;
  }

  get state(): CheckState {
    if (this.closed) return 'failing';
    return this.failing && this.now() - this.lastFailureAt < this.failureMemoryMs ? 'failing' : 'ok';
  }
}

/** Runs the probe, failing it when it takes longer than timeoutMs (a hung store is not ready). */
export async function probe(check: () => Promise<unknown>, timeoutMs: number): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
  });
  try {
    await Promise.race([check(), late]);
    return 'ok';
  } catch {
    return 'failing';
  } finally {
    clearTimeout(timer);
  }
}

export function healthz(_req: Request, res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.json({ status: 'ok' });
}

/** 200 `{status:'ready'}` or 503 `{status:'not-ready', checks}`; which check failed, never why (no error text). */
export function readyz(ready: () => Promise<Readiness>) {
  return async (_req: Request, res: Response): Promise<void> => {
    res.setHeader('Cache-Control', 'no-store');
    let r: Readiness;
    try {
      r = await ready();
    } catch {
      r = { ready: false, checks: { store: 'failing', audit: 'failing' } };
    }
    if (r.ready) res.json({ status: 'ready', checks: r.checks });
    else res.status(503).json({ status: 'not-ready', checks: r.checks });
  };
}
