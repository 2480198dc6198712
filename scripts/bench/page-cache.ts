// Reads the estate's database files once, start to end, before anything is measured, so that every
// run starts with them in the operating system's page cache whatever ran before it. Without this a
// run's first minutes read from disk when other work had pushed the file out (a free-slot search on
// one connection measured p95 37.9 ms on a cold file and about half that on a cached one), and two
// runs of the same code disagreed for reasons that have nothing to do with it. A server in service
// keeps its working set cached; the benchmark reports that state. `--cold` skips it.
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { DB_FILE } from '../estate/dataset.js';

export interface Warmed {
  bytes: number;
  ms: number;
}

const CHUNK = 8 * 1024 * 1024;

export function warmPageCache(dataDir: string): Warmed {
  const t0 = performance.now();
  const buf = Buffer.allocUnsafe(CHUNK);
  let bytes = 0;
  for (const name of [DB_FILE, `${DB_FILE}-wal`]) {
    const path = join(dataDir, name);
    if (!existsSync(path)) continue;
    const fd = openSync(path, 'r');
    try {
      for (let n = readSync(fd, buf, 0, CHUNK, null); n > 0; n = readSync(fd, buf, 0, CHUNK, null)) bytes += n;
    } finally {
      closeSync(fd);
    }
  }
  return { bytes, ms: performance.now() - t0 };
}
