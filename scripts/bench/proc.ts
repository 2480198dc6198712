// Memory of a child process, read from /proc (Linux): VmHWM is the peak resident set since the
// process started, VmRSS the current one, split into RssAnon (heap, stacks: memory the process
// itself owns) and RssFile (file pages it has mapped, here mostly the memory-mapped database, which
// the kernel can drop and re-read). Elsewhere every field reads as undefined and the report says n/a.
import { readFileSync } from 'node:fs';

export interface Memory {
  rssBytes?: number;
  peakRssBytes?: number;
  anonBytes?: number;
  fileBytes?: number;
}

/** The fields of a /proc/<pid>/status text, in bytes (pure: the parsing of memoryOf). */
export function parseStatus(status: string): Memory {
  const kb = (field: string) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const out: Memory = {};
  const fields: [keyof Memory, string][] = [['rssBytes', 'VmRSS'], ['peakRssBytes', 'VmHWM'], ['anonBytes', 'RssAnon'], ['fileBytes', 'RssFile']];
  for (const [key, field] of fields) {
    const v = kb(field);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export function memoryOf(pid: number): Memory {
  try {
    return parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return {};
  }
}

/** Peaks seen by a MemoryWatch. VmHWM has no anonymous-only counterpart, so that one is sampled. */
export interface MemoryPeaks {
  /** VmHWM at the last sample: the true peak resident set. */
  peakRssBytes?: number;
  /** Largest RssAnon sampled. */
  peakAnonBytes?: number;
  /** Largest RssFile sampled. */
  peakFileBytes?: number;
  samples: number;
}

/** Samples a process's memory every `everyMs` until stop(), keeping the peaks. */
export function watchMemory(pid: number, everyMs = 250): { stop(): MemoryPeaks } {
  const peaks: MemoryPeaks = { samples: 0 };
  const max = (a: number | undefined, b: number | undefined) => (b === undefined ? a : a === undefined ? b : Math.max(a, b));
  const sample = () => {
    const m = memoryOf(pid);
    if (m.peakRssBytes === undefined) return;
    peaks.samples++;
    peaks.peakRssBytes = max(peaks.peakRssBytes, m.peakRssBytes);
    peaks.peakAnonBytes = max(peaks.peakAnonBytes, m.anonBytes);
    peaks.peakFileBytes = max(peaks.peakFileBytes, m.fileBytes);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop() {
      sample();
      clearInterval(timer);
      return { ...peaks };
    },
  };
}
