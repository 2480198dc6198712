// Memory of a child process, read from /proc (Linux): VmHWM is the peak resident set since the
// process started, VmRSS the current one, split into RssAnon (heap, stacks: memory the process
// itself owns) and RssFile (file pages it has mapped: the node binary, and the database when it is
// memory-mapped, which the kernel can drop and re-read). Elsewhere every field reads as undefined and the report says n/a.
import { readdirSync, readFileSync } from 'node:fs';

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

/** CPU time a process has used, split into its main thread and all its other threads, in ms. */
export interface ThreadCpu {
  mainMs: number;
  otherMs: number;
}

/**
 * utime + stime of every thread of `pid` (/proc/<pid>/task/<tid>/stat, fields 14 and 15, in clock
 * ticks of 1/100 s, Linux's USER_HZ). Node's main thread is the thread whose id is the pid; the
 * others are worker threads (Envelope's audit writer), V8's GC helpers and libuv's pool.
 */
export function threadCpuOf(pid: number): ThreadCpu | undefined {
  try {
    const out: ThreadCpu = { mainMs: 0, otherMs: 0 };
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      } catch {
        continue; // the thread ended meanwhile
      }
      // The command name (field 2) may hold spaces and parentheses: fields are counted after its ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      if (Number(tid) === pid) out.mainMs += ms;
      else out.otherMs += ms;
    }
    return out;
  } catch {
    return undefined;
  }
}

/** CPU per request between two readings, in ms (undefined off Linux or with no requests). */
export function cpuPerRequest(before: ThreadCpu | undefined, after: ThreadCpu | undefined, requests: number): ThreadCpu | undefined {
  if (!before || !after || requests <= 0) return undefined;
  return { mainMs: (after.mainMs - before.mainMs) / requests, otherMs: (after.otherMs - before.otherMs) / requests };
}
