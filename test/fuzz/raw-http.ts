// A minimal HTTP/1.1 client over raw sockets, with keep-alive. The fuzzer needs what ordinary clients
// refuse to send — bytes that are not UTF-8 in the request target, header values of any size and
// content, bodies that contradict their Content-Type — and it needs to be cheap per request, so ten
// thousand cases run in seconds. It sends exactly the bytes it is given (plus Host, Content-Length
// and keep-alive) and reads one response: status, headers, body (Content-Length, chunked, or until
// the server closes).
import { connect, type Socket } from 'node:net';

export interface RawRequest {
  method: string;
  /** The request target as bytes in latin1 (so any byte 0x00-0xff can be sent). */
  target: string;
  headers: readonly (readonly [string, string])[];
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** Thrown when the connection ended before a whole response arrived. */
export class ConnectionLost extends Error {}

/** One keep-alive connection; requests on it are sent one at a time. */
export class RawConnection {
  private socket: Socket | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(private readonly host: string, private readonly port: number, private readonly timeoutMs = 30_000) {}

  private async open(): Promise<Socket> {
    if (this.socket && !this.ended) return this.socket;
    this.socket?.destroy();
    this.buffered = Buffer.alloc(0);
    this.ended = false;
    this.failure = undefined;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('data', (d: Buffer) => {
      if (this.socket !== socket) return;
      this.buffered = this.buffered.length === 0 ? d : Buffer.concat([this.buffered, d]);
      this.notify();
    });
    const end = (e?: Error) => {
      // A connection replaced since (after the server closed it) must not end the new one.
      if (this.socket !== socket) return;
      this.ended = true;
      if (e) this.failure = e;
      this.notify();
    };
    socket.on('end', () => end());
    socket.on('close', () => end());
    socket.on('error', (e) => end(e));
    return socket;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** Waits for more bytes (or the end of the connection). */
  private async more(deadline: number): Promise<void> {
    if (this.ended) throw new ConnectionLost(this.failure?.message ?? 'the server closed the connection');
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no complete response within ${this.timeoutMs} ms`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private take(n: number): Buffer {
    const out = this.buffered.subarray(0, n);
    this.buffered = this.buffered.subarray(n);
    return out;
  }

  async send(req: RawRequest): Promise<RawResponse> {
    const socket = await this.open();
    const lines = [`${req.method} ${req.target} HTTP/1.1`, `Host: ${this.host}:${this.port}`];
    for (const [k, v] of req.headers) lines.push(`${k}: ${v}`);
    if (req.body !== undefined) lines.push(`Content-Length: ${req.body.length}`);
    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    socket.write(req.body ? Buffer.concat([head, req.body]) : head);
    const res = await this.read(req.method === 'HEAD');
    if ((res.headers['connection'] ?? '').toLowerCase() === 'close') this.close();
    return res;
  }

  private async read(head: boolean): Promise<RawResponse> {
    const deadline = Date.now() + this.timeoutMs;
    let end: number;
    while ((end = this.buffered.indexOf('\r\n\r\n')) < 0) await this.more(deadline);
    const lines = this.take(end + 4).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
    if (!Number.isInteger(status)) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    if (head || status === 204 || status === 304 || (status >= 100 && status < 200)) return { status, headers, body: Buffer.alloc(0) };
    if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) return { status, headers, body: await this.chunked(deadline) };
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      while (this.buffered.length < length) await this.more(deadline);
      return { status, headers, body: Buffer.from(this.take(length)) };
    }
    // Neither: the body runs until the server closes the connection.
    for (;;) {
      try {
        await this.more(deadline);
      } catch (e) {
        if (!(e instanceof ConnectionLost)) throw e;
        return { status, headers, body: Buffer.from(this.take(this.buffered.length)) };
      }
    }
  }

  private async chunked(deadline: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      let eol: number;
      while ((eol = this.buffered.indexOf('\r\n')) < 0) await this.more(deadline);
      const size = parseInt(this.take(eol + 2).toString('latin1'), 16);
      if (!Number.isInteger(size)) throw new Error('malformed chunk size');
      while (this.buffered.length < size + 2) await this.more(deadline);
      if (size === 0) {
        // Trailers (none expected) end with an empty line, already consumed with the size's CRLF pair.
        this.take(2);
        return Buffer.concat(parts);
      }
      parts.push(Buffer.from(this.take(size)));
      this.take(2);
    }
  }

  close(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.ended = true;
    socket?.destroy();
  }
}
