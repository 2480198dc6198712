// Memory of a child process, read from /proc (Linux): VmHWM is the peak resident set since the
// process started, VmRSS the current one. Elsewhere both read as undefined and the report says n/a.
import { readFileSync } from 'node:fs';

export interface Memory {
  rssBytes?: number;
  peakRssBytes?: number;
}

export function memoryOf(pid: number): Memory {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : undefined;
    };
    const out: Memory = {};
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    if (rss !== undefined) out.rssBytes = rss;
    if (hwm !== undefined) out.peakRssBytes = hwm;
    return out;
  } catch {
    return {};
  }
}
