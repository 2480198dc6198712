// The leak oracle: given what a principal got for a path about a hidden target, and what the same
// principal got for the same path about its twin (which matches nothing), list every way the first
// answer discloses the target.
//
// 1. Markers: none of the target's markers may appear in the bytes sent (body, every header, what
//    paging cursors carry), except a marker the request itself carried (an id asked about, a code
//    searched for): the client knows those already, and the server echoes them in links and errors.
// 2. Twin: where the target's existence is hidden (or the request asks about hidden content), the
//    answer must be the answer for something missing — same status, headers and body once the
//    values asked about, server ids, timestamps and cursors are normalised. This is what catches a
//    count, a status or an error text that differs.
// 3. Pointer: a path that starts from a visible resource naming the target by reference may show
//    that reference, but no entry of the answer may be the target.
// Each entry of a batch is judged as an exchange of its own (its request, its response entry).
import type { Path } from './paths.js';
import { around, bundleEntries, cursorContents, firstDifference, normalForm, requestBytes, responseBytes, units, type Exchange } from './raw.js';
import type { Target } from './reasons.js';

export interface Verdict {
  /** Disclosures of the target. */
  leaks: string[];
  /** Answers inconsistent in themselves (a total that does not match the pages). */
  inconsistencies: string[];
}

const line = (x: Exchange) => `${x.req.method} ${x.req.url}${x.req.headers ? ` ${JSON.stringify(x.req.headers)}` : ''} -> ${x.status}`;

function markerLeaks(t: Target, path: Path, asked: string, sent: string, where: string): string[] {
  const out: string[] = [];
  for (const m of t.markers) {
    if (asked.includes(m) || (path.viaPointer && m === t.id)) continue;
    if (sent.includes(m)) out.push(`${where}: the answer holds '${m}': ${around(sent, m)}`);
  }
  return out;
}

/** `shown`: the path documents that it shows this target's existence (Path.existenceShown). */
export function judge(t: Target, twin: Target, path: Path, got: Exchange[], missing: Exchange[], shown = false): Verdict {
  const leaks = new Set<string>();
  let compared = false;
  got.forEach((x, i) => {
    const mine = units(x);
    if (mine[0] !== x) {
      // A batch: its entries are judged below; the headers of the whole answer here.
      const headers = JSON.stringify(x.headers);
      for (const l of markerLeaks(t, path, requestBytes(x.req), [headers, ...cursorContents(headers)].join('\n'), line(x))) leaks.add(l);
    }
    const theirs = missing[i] ? units(missing[i]!) : [];
    mine.forEach((u, j) => {
      const asked = requestBytes(u.req);
      for (const l of markerLeaks(t, path, asked, responseBytes(u), line(u))) leaks.add(l);
      if (path.viaPointer && !t.idVisible) {
        for (const e of bundleEntries(u)) {
          if (e.resourceType === t.type && e.id === t.id) leaks.add(`${line(u)}: ${t.type}/${t.id} is an entry (${e.mode ?? 'no mode'})`);
        }
      }
      // Masked data may be released; it is compared with a missing one only where the request is about hidden content.
      if (t.idVisible && !t.markers.some((m) => asked.includes(m))) return;
      if (shown) {
        if (u.status !== 403 && u.status !== 404) leaks.add(`${line(u)}: expected a refusal (403 or 404)`);
        return;
      }
      const m = theirs[j];
      if (!m) {
        leaks.add(`${line(u)}: ${mine.length} answers for the hidden target, ${theirs.length} for a missing one`);
        return;
      }
      if (requestBytes(m.req) === asked) return; // nothing about the target in the request: the markers are the whole check
      compared = true;
      const a = normalForm(u, t.tokens);
      const b = normalForm(m, twin.tokens);
      if (a !== b) leaks.add(`${line(u)}: differs from the answer for a missing ${t.type} (${m.status}):\n${firstDifference(a, b)}`);
    });
  });
  if (compared && got.length !== missing.length) leaks.add(`${got.length} exchanges for the hidden target, ${missing.length} for a missing one`);
  return { leaks: [...leaks], inconsistencies: path.check?.(got, t) ?? [] };
}
