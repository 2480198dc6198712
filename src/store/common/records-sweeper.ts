// Expired server-side records (sessions, once-only ids, claims) are invisible the moment they expire;
// this timer also deletes them, so the records table does not grow without bound. MongoDB's TTL
// index does the same on its own; on SQLite nothing else would. A failed purge is reported and
// retried at the next tick: it costs only space, never correctness.
import type { RecordStore } from '../../domain/records.js';

export interface RecordsSweeper {
  stop(): Promise<void>;
}

export function startRecordsSweeper(opts: {
  records: RecordStore;
  now: () => Date;
  intervalMs: number;
  onError: (e: unknown) => void;
}): RecordsSweeper {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = running.then(() => opts.records.purgeExpired(opts.now().toISOString())).catch(opts.onError);
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
