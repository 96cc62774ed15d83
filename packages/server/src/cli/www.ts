/**
 * `puretls serve --www`: the demo's HTTP side is Node's own — a `node:http2` secure server with
 * `allowHTTP1: true`, handed each puretls socket (`handTo`): HTTP/2 when ALPN chose `h2`,
 * `node:http`'s HTTP/1.x otherwise (keep-alive, pipelining, HEAD, chunked bodies, its limits and
 * errors). It never listens; the puretls server does. Routes: `/` the page, `/stats.json` the
 * same as JSON, anything else 404. Every method is answered (like `openssl s_server -www`);
 * request bodies are read and discarded.
 *
 * Bare-LF request heads: RFC 9112 §2.2 "a recipient MAY recognize a single LF as a line terminator
 * and ignore any preceding CR", and many test tools send `GET / HTTP/1.0\n\n`; Node's parser
 * requires CRLF (even with `insecureHTTPParser` it misses that request's end). The first request
 * head of each HTTP/1 connection is therefore read here and its line ends normalized before
 * `node:http` sees it: one-shot clients (HTTP/1.0, `Connection: close`) are served whatever
 * line ends they use; later requests on a kept-alive connection go to `node:http` as they are.
 */
import { createSecureServer, type Http2SecureServer, type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PureTlsServerStats } from '../node/node-adapter';
import { handTo } from '../node/hand-to';
import type { PureTlsSocket } from '../node/tls-socket';
import { describeConnection, renderPage, type ConnectionSummary, type RequestFacts } from './www-page';

export { describeConnection, renderPage, signatureSchemeName, type ConnectionSummary } from './www-page';

/** The ALPN protocols `--www` speaks; `--alpn` may offer only these with `--www`. */
export const WWW_ALPN: readonly string[] = ['h2', 'http/1.1'];

/** The longest first request head read here (Node's default `maxHeaderSize`); longer → `node:http` answers 431. */
export const MAX_FIRST_HEAD = 16 * 1024;

/** One answered request, for the access log. */
export interface WwwRequestLog {
  readonly method: string;
  /** The request target as sent (`/stats.json?x=1`). */
  readonly path: string;
  /** `1.0`, `1.1` or `2.0`. */
  readonly httpVersion: string;
  readonly status: number;
  /** The puretls socket (or the stream given to {@link WwwServer.attach}). */
  readonly socket: Duplex;
}

export interface WwwOptions {
  /** Called once per answered request (the CLI's access line). */
  readonly onRequest?: (request: WwwRequestLog) => void;
  /** The server's counters, shown on the page and in `/stats.json`. */
  readonly serverStats?: () => PureTlsServerStats;
}

/** A plaintext stream the demo can serve: a puretls socket, or any Duplex with Node's `alpnProtocol`. */
export type WwwStream = Duplex & { alpnProtocol?: string | false; server?: object };

/** Per connection (keyed by the socket under HTTP/1, by the session under HTTP/2). */
interface ConnectionState {
  readonly stream: WwwStream;
  requests: number;
  /** Plaintext bytes handed to the HTTP parser so far, counted as received (before normalizing). */
  delivered: number;
  /** Where the first request head ended in the received bytes (-1: not read here). */
  firstHeadEnd: number;
  /** 0-RTT bytes received on the connection. */
  earlyBytes(): number;
  describe(facts: RequestFacts): ConnectionSummary;
}

type Request = IncomingMessage | Http2ServerRequest;
type Response = ServerResponse | Http2ServerResponse;

/** The demo's HTTP server (see the file comment). */
export class WwwServer {
  private readonly http: Http2SecureServer;
  private readonly handTo: (socket: PureTlsSocket) => void;
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly states = new WeakMap<object, ConnectionState>();
  private stopping = false;

  constructor(private readonly options: WwwOptions = {}) {
    this.http = createSecureServer({ allowHTTP1: true }, (req, res) => this.handle(req, res));
    this.handTo = handTo(this.http);
    this.http.on('session', (s) => {
      this.sessions.add(s);
      s.once('close', () => this.sessions.delete(s));
      // One session's protocol error is its own (nghttp2 already sent GOAWAY).
      s.on('error', () => {});
      if (this.stopping) s.close();
    });
    // node:http's parse errors (HTTP/1): 400, then close_notify (Node's default would destroy the socket).
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      const state = this.states.get(socket);
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
      if (state) this.options.onRequest?.({ method: '-', path: '-', httpVersion: '1.1', status: 400, socket: state.stream });
    });
  }

  /** Serves HTTP on a secured puretls socket until it closes. */
  serve(socket: PureTlsSocket): void {
    this.attach(socket, (facts) => describeConnection(socket, facts), () => socket.earlyDataLength);
  }

  /**
   * Serves HTTP on `stream`: HTTP/2 when `stream.alpnProtocol` is `h2`, HTTP/1.x otherwise.
   * `describe` says what the page shows; `earlyBytes` how many bytes came as 0-RTT data.
   */
  attach(stream: WwwStream, describe: (facts: RequestFacts) => ConnectionSummary, earlyBytes: () => number = () => 0): void {
    const state: ConnectionState = { stream, requests: 0, delivered: 0, firstHeadEnd: -1, earlyBytes, describe };
    stream.on('error', () => {});
    if (stream.alpnProtocol === 'h2') {
      const onSession = (s: ServerHttp2Session): void => void this.states.set(s, state);
      // node:http2 emits 'session' synchronously from the hand-over.
      this.http.once('session', onSession);
      countDelivered(stream, state);
      this.handTo(stream as PureTlsSocket);
      this.http.off('session', onSession);
      return;
    }
    if (stream.alpnProtocol === undefined) stream.alpnProtocol = false;
    readFirstHead(stream, (held, headEnd, added) => {
      state.firstHeadEnd = headEnd;
      // `held` is longer than what was received by the CRs added: count as received.
      state.delivered = -added;
      this.states.set(stream, state);
      countDelivered(stream, state);
      if (held.length > 0) stream.unshift(held);
      this.handTo(stream as PureTlsSocket);
      stream.resume();
    });
  }

  /**
   * Graceful shutdown of the HTTP side: HTTP/2 sessions get GOAWAY and end once their streams
   * are done; HTTP/1 answers from now on say `Connection: close`. (The TLS server's drain closes
   * the connections that are idle.)
   */
  shutdown(): void {
    this.stopping = true;
    for (const s of this.sessions) s.close();
  }

  private handle(req: Request, res: Response): void {
    const h2 = req.httpVersionMajor === 2;
    const state = this.states.get(h2 ? (req as Http2ServerRequest).stream.session! : req.socket);
    if (!state) {
      res.writeHead(500).end();
      return;
    }
    state.requests++;
    const early = state.earlyBytes();
    const received = state.requests === 1 && state.firstHeadEnd >= 0 ? state.firstHeadEnd : state.delivered;
    const summary = state.describe({
      requests: state.requests,
      inEarlyData: early > 0 && received <= early,
      httpVersion: req.httpVersion,
      server: this.options.serverStats?.() ?? null,
    });
    const target = req.url ?? '/';
    const path = target.split('?')[0];
    const [status, type, body] =
      path === '/stats.json'
        ? [200, 'application/json', JSON.stringify(summary, null, 2) + '\n']
        : path === '/'
          ? [200, 'text/html; charset=utf-8', renderPage(summary)]
          : [404, 'text/plain; charset=utf-8', '404 Not Found\n'];
    const bytes = Buffer.from(body, 'utf8');
    const headers: Record<string, string | number> = { 'content-type': type, 'content-length': bytes.length, 'cache-control': 'no-store', server: 'puretls' };
    // RFC 9113 §8.2.2: no connection-specific header fields in HTTP/2.
    if (this.stopping && !h2) headers['connection'] = 'close';
    // Bodies are not needed: read and dropped.
    req.resume();
    (res as ServerResponse).writeHead(status, headers);
    if (req.method === 'HEAD') res.end();
    else res.end(bytes);
    this.options.onRequest?.({ method: req.method ?? '-', path: target, httpVersion: req.httpVersion, status, socket: state.stream });
  }
}

let shared: WwwServer | undefined;

/**
 * Serves the demo on `socket` (one shared {@link WwwServer} when `options` is not given).
 * Never throws: a malformed request gets 400 and the connection is closed.
 */
export function serveWww(socket: PureTlsSocket, options?: WwwOptions): void {
  (options ? new WwwServer(options) : (shared ??= new WwwServer())).serve(socket);
}

/** Counts the plaintext bytes the HTTP parser is handed (a listener ahead of node:http's). */
function countDelivered(stream: Duplex, state: ConnectionState): void {
  stream.on('data', (d: Buffer) => (state.delivered += d.length));
}

/**
 * Reads until the first request head is complete (an empty line ends it), `MAX_FIRST_HEAD` bytes
 * came without one, or the stream ended; then `done(held, headEnd, added)` with every byte held —
 * the head's bare LFs turned into CRLF, `added` CRs — and where the head ended in the received
 * bytes (-1: no head). The stream is left paused; the caller resumes it after handing it over.
 */
function readFirstHead(stream: Duplex, done: (held: Buffer, headEnd: number, added: number) => void): void {
  let held: Buffer = Buffer.alloc(0);
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    stream.pause();
    stream.off('data', onData);
    stream.off('end', finish);
    const end = headEnd(held);
    if (end < 0) return done(held, end, 0);
    const head = crlfLines(held.subarray(0, end));
    done(head.length === end ? held : Buffer.concat([head, held.subarray(end)]), end, head.length - end);
  };
  const onData = (d: Buffer): void => {
    held = held.length === 0 ? d : Buffer.concat([held, d]);
    if (headEnd(held) >= 0 || held.length > MAX_FIRST_HEAD) finish();
  };
  stream.on('data', onData);
  stream.once('end', finish);
}

/** The offset just past the empty line that ends the first head (`\n\n` or `\n\r\n`), or -1. */
function headEnd(b: Buffer): number {
  for (let i = b.indexOf(10); i >= 0 && i < b.length; i = b.indexOf(10, i + 1)) {
    if (b[i + 1] === 10) return i + 2;
    if (b[i + 1] === 13 && b[i + 2] === 10) return i + 3;
  }
  return -1;
}

/** `head` with every LF that has no CR before it preceded by one (RFC 9112 §2.2). */
function crlfLines(head: Buffer): Buffer {
  let bare = 0;
  for (let i = 0; i < head.length; i++) if (head[i] === 10 && head[i - 1] !== 13) bare++;
  if (bare === 0) return head;
  const out = Buffer.allocUnsafe(head.length + bare);
  let o = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] === 10 && head[i - 1] !== 13) out[o++] = 13;
    out[o++] = head[i]!;
  }
  return out;
}
