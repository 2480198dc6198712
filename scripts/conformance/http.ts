// One HTTP exchange with the server under test, through node's own fetch. Bodies are kept as text and,
// when they parse, as JSON, so asserts can read headers, status and content alike.

export interface HttpRequest {
  method: string;
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body as sent. */
  text?: string;
  /** The body as JSON, when it is JSON. */
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  body?: unknown;
  durationMs: number;
}

export type FetchLike = typeof fetch;

export class HttpError extends Error {
  override readonly name = 'HttpError';
}

export async function send(req: HttpRequest, opts: { fetch?: FetchLike; timeoutMs?: number } = {}): Promise<HttpResponse> {
  const started = performance.now();
  let res: Response;
  try {
    const init: RequestInit = { method: req.method, headers: req.headers, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) };
    if (req.text !== undefined) init.body = req.text;
    res = await (opts.fetch ?? fetch)(req.url, init);
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new HttpError(`${req.method} ${req.url} failed: ${(e as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  const text = await res.text();
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const out: HttpResponse = { status: res.status, statusText: res.statusText, headers, text, durationMs: Math.round(performance.now() - started) };
  const body = parseJson(text);
  if (body !== undefined) out.body = body;
  return out;
}

export function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Short explanation of an error response for a report: the first OperationOutcome issue, or the text. */
export function explainBody(res: HttpResponse | undefined): string {
  if (!res) return '';
  const body = res.body as { resourceType?: string; issue?: { severity?: string; code?: string; diagnostics?: string; expression?: string[] }[] } | undefined;
  if (body?.resourceType === 'OperationOutcome' && body.issue?.length) {
    const i = body.issue[0]!;
    return `OperationOutcome ${i.severity ?? ''}/${i.code ?? ''}${i.expression?.length ? ` at ${i.expression.join(', ')}` : ''}: ${i.diagnostics ?? ''}`.trim();
  }
  return res.text.length > 200 ? `${res.text.slice(0, 200)}…` : res.text;
}
