// Random access to the entries of a large definitions bundle without parsing all of it.
//
// profiles-resources.json is 35 MB; decoding and parsing it whole costs a few hundred milliseconds
// on every process start, while a request touches only a handful of resource types. The file is
// pretty-printed with one `"fullUrl" : "..."` at the top of every entry, so a native byte search
// finds each entry's range, and a single entry can later be read and parsed on its own. Anything
// unexpected (a different layout in a future package version) makes `open` return undefined and the
// caller falls back to parsing the whole bundle.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

const MARKER = Buffer.from('"fullUrl" : "');
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;

export class BundleIndex {
  private constructor(
    private readonly path: string,
    private readonly ranges: ReadonlyMap<string, readonly [number, number]>,
  ) {}

  /** Indexes the bundle at `path`, or returns undefined when its layout is not the expected one. */
  static open(path: string): BundleIndex | undefined {
    const buf = readFileSync(path);
    const starts: { url: string; at: number }[] = [];
    for (let i = buf.indexOf(MARKER); i !== -1; i = buf.indexOf(MARKER, i + MARKER.length)) {
      const urlStart = i + MARKER.length;
      const at = buf.lastIndexOf(OPEN_BRACE, i);
      // The entry's opening brace must be separated from the marker by whitespace only.
      if (at < 0 || buf.toString('latin1', at + 1, i).trim() !== '') return undefined;
      starts.push({ url: buf.toString('utf8', urlStart, buf.indexOf(QUOTE, urlStart)), at });
    }
    if (starts.length === 0) return undefined;
    const ranges = new Map<string, readonly [number, number]>();
    starts.forEach((s, k) => {
      // An entry ends where the next one begins (minus the separating comma), the last one at the `]` closing `entry`.
      const end = k + 1 < starts.length ? starts[k + 1]!.at : buf.lastIndexOf(CLOSE_BRACKET);
      ranges.set(s.url, [s.at, end]);
    });
    return new BundleIndex(path, ranges);
  }

  has(fullUrl: string): boolean {
    return this.ranges.has(fullUrl);
  }

  get size(): number {
    return this.ranges.size;
  }

  /** The `resource` of the entry with `fullUrl`, read and parsed on its own; undefined if absent. */
  resource(fullUrl: string): Record<string, unknown> | undefined {
    const range = this.ranges.get(fullUrl);
    if (!range) return undefined;
    const [start, end] = range;
    const buf = Buffer.alloc(end - start);
    const fd = openSync(this.path, 'r');
    try {
      readSync(fd, buf, 0, buf.length, start);
    } finally {
      closeSync(fd);
    }
    let text = buf.toString('utf8').trimEnd();
    if (text.endsWith(',')) text = text.slice(0, -1);
    const entry = JSON.parse(text) as { fullUrl?: string; resource?: Record<string, unknown> };
    if (entry.fullUrl !== fullUrl) throw new Error(`Bundle index out of step at ${fullUrl}`);
    return entry.resource;
  }
}
