// Page tokens for `_cursor`. The store pages by keyset cursors, which only go forward; a page token
// also carries the store cursors of the pages before it (the most recent ones), so a Bundle can offer
// a `previous` link without an offset that would shift when other clients write.
import { errors } from '../domain/errors.js';

/** How many pages back a `previous` chain reaches; bounds the length of page URLs. */
const MAX_BACK = 20;

interface PageToken {
  /** The store cursor of this page; absent for the first page. */
  c?: string;
  /** Store cursors of earlier pages, oldest first ('' for the first page). */
  p: string[];
}

export interface PageLinks {
  /** The store cursor to run this page with. */
  storeCursor?: string;
  self?: string;
  next(storeNext: string): string;
  previous?: string;
}

function encode(t: PageToken): string {
  return Buffer.from(JSON.stringify(t), 'utf8').toString('base64url');
}

function decode(token: string): PageToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as PageToken;
    if (typeof t !== 'object' || t === null || !Array.isArray(t.p) || !t.p.every((x) => typeof x === 'string')) throw new Error('shape');
    if (t.c !== undefined && typeof t.c !== 'string') throw new Error('shape');
    return t;
  } catch {
    throw errors.badRequest('_cursor is not a page token issued by this server', '_cursor');
  }
}

/** Reads the `_cursor` token of a request (if any) and says how to link the neighbouring pages. */
export function pageLinks(token: string | undefined): PageLinks {
  const t: PageToken = token ? decode(token) : { p: [] };
  const links: PageLinks = {
    next: (storeNext) => encode({ c: storeNext, p: [...t.p, t.c ?? ''].slice(-MAX_BACK) }),
  };
  if (token) {
    links.self = token;
    if (t.c !== undefined) links.storeCursor = t.c;
    if (t.p.length > 0) {
      const prev = t.p[t.p.length - 1]!;
      // The first page has no cursor: its link is the plain query.
      if (prev !== '') links.previous = encode({ c: prev, p: t.p.slice(0, -1) });
      else links.previous = '';
    }
  }
  return links;
}
