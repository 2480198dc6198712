// Raw bytes: every request of the leak suite is sent over HTTP and kept as what the client got —
// status, every header, the body as text — so the checks see exactly what went over the wire.
// Also: what a paging cursor carries (decoded), and a normal form for comparing two answers that
// should differ only in the id or value asked about.
import type { Server } from 'node:http';
import request from 'supertest';
import { BASE } from './world.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Req {
  method: Method;
  /** Path under the server root, e.g. `/fhir/ServiceRequest/x`. */
  url: string;
  headers?: Record<string, string>;
  /** JSON body (sent as application/fhir+json unless a content-type header says otherwise). */
  body?: unknown;
  /** Form body (application/x-www-form-urlencoded), for POST _search. */
  form?: string;
}

export interface Exchange {
  req: Req;
  status: number;
  headers: Record<string, string>;
  text: string;
}

export type Send = (req: Req) => Promise<Exchange>;

/**
 * Answers to requests that only read, per principal, so that a question several tests ask (the
 * same search of pat's referrals for every hidden referral, a twin request equal to the hidden
 * one) is sent once: each test still judges the real bytes the server sent for exactly that
 * request, and the suite stays fast enough on the MongoDB double. Writes are never cached.
 */
export type ReadCache = Map<string, Promise<Exchange>>;

function onlyReads(req: Req): boolean {
  if (req.method === 'GET') return true;
  if (req.method !== 'POST') return false;
  if (req.form !== undefined) return req.url.endsWith('/_search');
  const body = req.body as { resourceType?: string; entry?: { request?: { method?: string } }[] } | undefined;
  return body?.resourceType === 'Bundle' && (body.entry ?? []).every((e) => e.request?.method === 'GET');
}

/** Sends `req` as `auth` to a listening server, keeping the raw answer (read-only requests answered once). */
export function sender(server: Server, auth: string, cache?: ReadCache): Send {
  const send = rawSender(server, auth);
  if (!cache) return send;
  return (req) => {
    if (!onlyReads(req)) return send(req);
    const key = `${auth}\n${requestBytes(req)}`;
    let hit = cache.get(key);
    if (!hit) {
      hit = send(req);
      cache.set(key, hit);
    }
    return hit.then((x) => ({ ...x, req }));
  };
}

function rawSender(server: Server, auth: string): Send {
  return async (req) => {
    let r = request(server)[req.method.toLowerCase() as 'get'](req.url).set('Authorization', auth).buffer(true);
    // Keep the body as text whatever its type.
    r = r.parse((res, done) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => done(null, text));
    });
    for (const [k, v] of Object.entries(req.headers ?? {})) r = r.set(k, v);
    if (req.form !== undefined) r = r.set('Content-Type', 'application/x-www-form-urlencoded').send(req.form);
    else if (req.body !== undefined) {
      if (!req.headers?.['Content-Type']) r = r.set('Content-Type', 'application/fhir+json');
      r = r.send(JSON.stringify(req.body));
    }
    const res = await r;
    return { req, status: res.status, headers: res.headers as Record<string, string>, text: typeof res.body === 'string' ? res.body : res.text ?? '' };
  };
}

/** A link the server gave (absolute, under BASE) as a path to request. */
export function pathOf(link: string): string {
  if (!link.startsWith(BASE)) throw new Error(`link outside the base: ${link}`);
  return link.slice(BASE.length);
}

/** Everything the request carried: a marker found here is the client's own, not a disclosure. */
export function requestBytes(req: Req): string {
  const url = safeDecode(req.url);
  return [req.method, req.url, url, JSON.stringify(req.body ?? null), req.form ?? '', safeDecode(req.form ?? ''), ...Object.values(req.headers ?? {})].join('\n');
}

/**
 * Everything the response carried, as one string to search: the body, every header, the same
 * percent-decoded, and the contents of every paging cursor (base64url JSON, possibly nested), which
 * a client can decode as easily as the server.
 */
export function responseBytes(x: Exchange): string {
  const raw = `${x.text}\n${JSON.stringify(x.headers)}`;
  const decoded = safeDecode(raw);
  return [raw, decoded, ...cursorContents(decoded)].join('\n');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

const CURSOR = /_cursor=([A-Za-z0-9_\-]+={0,2})/g;

/** The decoded contents of every cursor in `s`, unwrapping base64url JSON inside JSON strings. */
export function cursorContents(s: string): string[] {
  const out: string[] = [];
  const unwrap = (b64: string, depth: number): void => {
    if (depth > 4 || b64.length < 8 || !/^[A-Za-z0-9_\-]+={0,2}$/.test(b64)) return;
    const text = Buffer.from(b64, 'base64url').toString('utf8');
    out.push(text);
    try {
      const walk = (v: unknown): void => {
        if (typeof v === 'string') unwrap(v, depth + 1);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      };
      walk(JSON.parse(text));
    } catch {
      // Not JSON: the decoded text is all there is.
    }
  };
  for (const m of s.matchAll(CURSOR)) unwrap(m[1]!, 0);
  return out;
}

/** Headers whose values are part of an answer (the rest differ per request: date, request id, length). */
const COMPARED_HEADERS = ['location', 'content-location', 'etag', 'last-modified', 'link', 'content-type', 'allow', 'www-authenticate'];

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g;
const HTTP_DATE = /[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT/g;
const CURSOR_VALUE = /_cursor=[A-Za-z0-9_\-%.=]+/g;

/**
 * The answer with what legitimately differs between two requests removed: the token values asked
 * about (replaced by their names), server-assigned ids, timestamps and cursors (opaque, signed per
 * query). Two answers that differ after this differ in something the client can see.
 */
export function normalForm(x: Exchange, tokens: Record<string, string>): string {
  const entries = Object.entries(tokens).sort((a, b) => b[1].length - a[1].length);
  const norm = (s: string): string => {
    let out = s;
    for (const [name, value] of entries) {
      out = out.split(value).join(`{${name}}`);
      const enc = encodeURIComponent(value);
      if (enc !== value) out = out.split(enc).join(`{${name}}`);
    }
    return out.replace(UUID, '{uuid}').replace(INSTANT, '{instant}').replace(HTTP_DATE, '{http-date}').replace(CURSOR_VALUE, '_cursor={cursor}');
  };
  const headers: Record<string, string> = {};
  for (const h of COMPARED_HEADERS) if (x.headers[h] !== undefined) headers[h] = norm(String(x.headers[h]));
  return JSON.stringify({ request: `${x.req.method} ${norm(x.req.url)}`, status: x.status, headers, body: norm(x.text) });
}

/** Where two strings first differ, with some context: enough to see the leak in a failure message. */
export function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 120);
  return `hidden: …${a.slice(from, i + 200)}…\nmissing: …${b.slice(from, i + 200)}…`;
}

/** `s` around the first occurrence of `needle`. */
export function around(s: string, needle: string): string {
  const i = s.indexOf(needle);
  return i < 0 ? '' : `…${s.slice(Math.max(0, i - 160), i + needle.length + 80)}…`;
}

/**
 * A batch answer as one exchange per entry (its request, and its response entry as the text), so
 * that each entry is judged on its own; anything else as itself.
 */
export function units(x: Exchange): Exchange[] {
  const body = x.req.body as { resourceType?: string; type?: string; entry?: { request: { method: Method; url: string } }[] } | undefined;
  if (x.req.method !== 'POST' || body?.resourceType !== 'Bundle' || body.type !== 'batch' || x.status !== 200) return [x];
  let answer: { type?: string; entry?: { response?: { status?: string } }[] };
  try {
    answer = JSON.parse(x.text) as typeof answer;
  } catch {
    return [x];
  }
  if (answer.type !== 'batch-response' || answer.entry?.length !== body.entry?.length) return [x];
  return body.entry!.map((e, i) => {
    const r = answer.entry![i]!;
    return { req: { method: e.request.method, url: `/fhir/${e.request.url}` }, status: Number(r.response?.status?.split(' ')[0] ?? 0), headers: {}, text: JSON.stringify(r) };
  });
}

/** The entries of a Bundle answer (empty for anything else). */
export function bundleEntries(x: Exchange): { resourceType?: string; id?: string; mode?: string }[] {
  try {
    const body = JSON.parse(x.text) as { resourceType?: string; entry?: { resource?: { resourceType?: string; id?: string; entry?: unknown }; search?: { mode?: string } }[] };
    if (body.resourceType !== 'Bundle') return [];
    const out: { resourceType?: string; id?: string; mode?: string }[] = [];
    for (const e of body.entry ?? []) {
      const r = e.resource;
      if (!r) continue;
      const item: { resourceType?: string; id?: string; mode?: string } = {};
      if (r.resourceType !== undefined) item.resourceType = r.resourceType;
      if (r.id !== undefined) item.id = r.id;
      if (e.search?.mode !== undefined) item.mode = e.search.mode;
      out.push(item);
      // A batch answer nests searchsets.
      if (r.resourceType === 'Bundle') out.push(...bundleEntries({ ...x, text: JSON.stringify(r) }));
    }
    return out;
  } catch {
    return [];
  }
}
