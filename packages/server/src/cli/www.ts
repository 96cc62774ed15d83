/**
 * `puretls serve --www`: a minimal HTTP/1.1 responder over a `PureTlsSocket` (like `openssl s_server
 * -www`). Any request gets an HTML page describing the TLS connection, how it resumed, the session
 * cache statistics and the ticket key ring; `GET /stats.json` the same as JSON. Keep-alive (HTTP/1.1 default, HTTP/1.0 with `Connection: keep-alive`), pipelining,
 * request bodies with `Content-Length` skipped; chunked request bodies are refused (501).
 */
import { bytesToHex, SignatureScheme } from '@puretls/crypto';
import type { SessionCacheMode, SessionCacheStats } from '@puretls/session-cache';
import type { Duplex } from 'node:stream';
import type { ServerContext } from '../core/context';
import type { PureTlsSocket } from '../node/tls-socket';

/** Request line + headers larger than this get 431 and the connection is closed. */
export const MAX_REQUEST_HEAD = 16 * 1024;
/** Request bodies larger than this get 413 (they are read and discarded otherwise). */
export const MAX_REQUEST_BODY = 1 << 20;

/** What the page and `/stats.json` report about one connection. */
export interface ConnectionSummary {
  readonly protocol: string | null;
  readonly cipher: string | null;
  readonly cipherStandardName: string | null;
  readonly group: string | null;
  readonly signatureScheme: string | null;
  readonly sni: string | null;
  readonly alpn: string | null;
  readonly resumed: boolean;
  /** How the session was resumed, `null` after a full handshake (see {@link ResumptionKind}). */
  readonly resumption: ResumptionKind | null;
  /** The session id in hex (TLS 1.2: ServerHello's; TLS 1.3: the resumed session's), or `null`. */
  readonly sessionId: string | null;
  /** TLS 1.3 PSK key exchange mode when resumed (`psk_dhe_ke`, `psk_ke`), else `null`. */
  readonly pskMode: 'psk_dhe_ke' | 'psk_ke' | null;
  /** 0-RTT: not attempted, accepted, or rejected (skipped; the handshake went on as 1-RTT). */
  readonly earlyData: 'none' | 'accepted' | 'rejected';
  /** Bytes of 0-RTT data received on this connection. */
  readonly earlyDataBytes: number;
  /** This request arrived entirely as 0-RTT data (replayable!). */
  readonly requestInEarlyData: boolean;
  readonly helloRetry: boolean;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  /** Requests served on this connection so far, this one included. */
  readonly requests: number;
  /** The server's session cache, shared by every connection of the context. */
  readonly sessionCache: SessionCacheSummary | null;
  /** The server's ticket key ring. */
  readonly ticketKeys: TicketKeysSummary | null;
}

/**
 * How a connection resumed: a TLS 1.3 stateless ticket (the sealed session), a stateful ticket
 * (an id in the session cache, single use), or a TLS 1.2 abbreviated handshake — by session id or
 * RFC 5077 ticket, which `NegotiatedInfo` does not tell apart yet.
 */
export type ResumptionKind = 'stateless ticket' | 'stateful ticket' | 'TLS 1.2 session id' | 'TLS 1.2 ticket';

/** The session cache's configuration and statistics (OpenSSL `SSL_CTX_sess_*`). */
export interface SessionCacheSummary {
  /** TLS 1.3 ticket mode: stateless, stateful or off. */
  readonly tickets: string;
  readonly mode: readonly SessionCacheMode[];
  /** Session lifetime, s. */
  readonly timeout: number;
  /** Entry limit (0 = unbounded). */
  readonly maxEntries: number;
  readonly stats: SessionCacheStats;
}

/** The ticket key ring's public state (never a key). */
export interface TicketKeysSummary {
  /** Keys that open tickets (current + next + previous). */
  readonly keys: number;
  /** The name (16 bytes, hex) of the key that seals new tickets: every ticket starts with it. */
  readonly currentKeyName: string;
  readonly rotationIntervalMs: number;
}

const SCHEME_NAMES = new Map<number, string>(Object.entries(SignatureScheme).map(([name, code]) => [code, name]));

/** The IANA name of a SignatureScheme code (`0x0403` → `ecdsa_secp256r1_sha256`), or hex for unknown ones. */
export function signatureSchemeName(code: number): string {
  return SCHEME_NAMES.get(code) ?? `0x${code.toString(16).padStart(4, '0')}`;
}

/** The connection's negotiated parameters and the server's session state, for display. */
export function describeConnection(socket: PureTlsSocket, requests = 0, requestInEarlyData = false): ConnectionSummary {
  const info = socket.info;
  const cipher = socket.getCipher();
  const resumption: ResumptionKind | null = !info?.resumed
    ? null
    : info.version === 0x0303
      ? info.resumedVia === 'ticket'
        ? 'TLS 1.2 ticket'
        : 'TLS 1.2 session id'
      : info.resumedSession?.singleUse
        ? 'stateful ticket'
        : 'stateless ticket';
  return {
    protocol: socket.getProtocol(),
    cipher: cipher?.name ?? null,
    cipherStandardName: cipher?.standardName ?? null,
    group: info?.group ?? null,
    signatureScheme: info?.signatureScheme !== undefined ? signatureSchemeName(info.signatureScheme) : null,
    sni: info?.serverName ?? null,
    alpn: info?.alpnProtocol ?? null,
    resumed: info?.resumed ?? false,
    resumption,
    sessionId: info && info.sessionId.length > 0 ? bytesToHex(info.sessionId) : null,
    pskMode: info?.pskMode ?? null,
    earlyData: info?.earlyData ?? 'none',
    earlyDataBytes: socket.earlyDataLength,
    requestInEarlyData,
    helloRetry: info?.helloRetry ?? false,
    remoteAddress: socket.remoteAddress ?? null,
    remotePort: socket.remotePort ?? null,
    requests,
    sessionCache: describeSessionCache(socket.connection.context),
    ticketKeys: describeTicketKeys(socket.connection.context),
  };
}

/** The context's session cache configuration and statistics. */
export function describeSessionCache(ctx: ServerContext): SessionCacheSummary {
  const cache = ctx.sessionCache;
  return { tickets: ctx.tickets, mode: cache.getMode(), timeout: cache.timeout, maxEntries: cache.maxEntries, stats: cache.stats };
}

/** The ticket key ring's state, or `null` once the context was closed (its keys wiped). */
export function describeTicketKeys(ctx: ServerContext): TicketKeysSummary | null {
  const ring = ctx.ticketKeys;
  try {
    return { keys: ring.size, currentKeyName: bytesToHex(ring.currentKeyName()), rotationIntervalMs: ring.rotationIntervalMs };
  } catch {
    return null;
  }
}

/** Events of one served request, for logging. */
export interface WwwOptions {
  readonly onRequest?: (request: { method: string; path: string; version: string; status: number }) => void;
}

/**
 * Serves HTTP/1.x on `socket` until the client closes or asks to (`Connection: close`).
 * Never throws: a malformed request gets 400 and the connection is ended.
 */
export function serveWww(socket: PureTlsSocket, options: WwwOptions = {}): void {
  // A request whose head ends within the 0-RTT bytes (delivered first on the stream) came as early data.
  const summary = (n: number, headEnd: number) => describeConnection(socket, n, headEnd <= socket.earlyDataLength);
  serveHttp(socket, summary, options);
}

/**
 * The protocol part, over any Duplex. `summary(n, headEnd)` describes the connection for the n-th
 * request, whose head ends `headEnd` bytes into the stream.
 */
export function serveHttp(stream: Duplex, summary: (requests: number, headEnd: number) => ConnectionSummary, options: WwwOptions = {}): void {
  let buf: Buffer = Buffer.alloc(0);
  /** Stream offset of `buf[0]`: 0 <= offset <= bytes received. */
  let offset = 0;
  let bodyToSkip = 0;
  let requests = 0;
  let closing = false;
  stream.on('error', () => {});

  const respond = (status: number, reason: string, type: string, body: string, keepAlive: boolean, head: boolean): void => {
    const bytes = Buffer.from(body, 'utf8');
    const headers = [
      `HTTP/1.1 ${status} ${reason}`,
      `Content-Type: ${type}`,
      `Content-Length: ${bytes.length}`,
      'Cache-Control: no-store',
      'Server: puretls',
      `Connection: ${keepAlive ? 'keep-alive' : 'close'}`,
      '',
      '',
    ].join('\r\n');
    stream.write(head ? headers : Buffer.concat([Buffer.from(headers, 'latin1'), bytes]));
    if (!keepAlive) {
      closing = true;
      stream.end();
    }
  };
  const fail = (status: number, reason: string): void => {
    options.onRequest?.({ method: '-', path: '-', version: '-', status });
    respond(status, reason, 'text/plain; charset=utf-8', `${status} ${reason}\n`, false, false);
  };

  const serveBuffered = (): void => {
    while (!closing) {
      if (bodyToSkip > 0) {
        const n = Math.min(bodyToSkip, buf.length);
        buf = buf.subarray(n);
        offset += n;
        bodyToSkip -= n;
        if (bodyToSkip > 0) return;
      }
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_REQUEST_HEAD) fail(431, 'Request Header Fields Too Large');
        return;
      }
      if (end > MAX_REQUEST_HEAD) return fail(431, 'Request Header Fields Too Large');
      const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
      buf = buf.subarray(end + 4);
      offset += end + 4;
      const headEnd = offset;
      const m = /^([A-Z]+) (\S+) HTTP\/(1\.[01])$/.exec(lines[0] ?? '');
      if (!m) return fail(400, 'Bad Request');
      const [, method = '', path = '', version = ''] = m;
      const headers = new Map<string, string>();
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i <= 0) return fail(400, 'Bad Request');
        headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
      }
      if (headers.has('transfer-encoding')) return fail(501, 'Not Implemented');
      const length = headers.get('content-length');
      if (length !== undefined) {
        if (!/^\d+$/.test(length)) return fail(400, 'Bad Request');
        bodyToSkip = Number(length);
        if (bodyToSkip > MAX_REQUEST_BODY) return fail(413, 'Content Too Large');
      }
      const connection = (headers.get('connection') ?? '').toLowerCase();
      const keepAlive = version === '1.1' ? !connection.includes('close') : connection.includes('keep-alive');
      requests++;
      const s = summary(requests, headEnd);
      const pathOnly = path.split('?')[0];
      const head = method === 'HEAD';
      options.onRequest?.({ method, path, version, status: 200 });
      if (pathOnly === '/stats.json') respond(200, 'OK', 'application/json', JSON.stringify(s, null, 2) + '\n', keepAlive, head);
      else respond(200, 'OK', 'text/html; charset=utf-8', renderPage(s), keepAlive, head);
    }
  };

  stream.on('data', (chunk: Buffer) => {
    if (closing) return;
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    serveBuffered();
  });
}

/** The HTML page (every peer-supplied value escaped), sections like `openssl s_server -www`'s. */
export function renderPage(s: ConnectionSummary): string {
  const connection: [string, string][] = [
    ['Protocol', s.protocol ?? '-'],
    ['Cipher', s.cipher ?? '-'],
    ['Cipher (IANA)', s.cipherStandardName ?? '-'],
    ['Group', s.group ?? '-'],
    ['Signature scheme', s.signatureScheme ?? '-'],
    ['SNI', s.sni ?? '-'],
    ['ALPN', s.alpn ?? '-'],
    ['HelloRetryRequest', s.helloRetry ? 'yes' : 'no'],
    ['Client', s.remoteAddress ? `${s.remoteAddress}:${s.remotePort ?? ''}` : '-'],
    ['Requests on this connection', String(s.requests)],
  ];
  const resumption: [string, string][] = [
    ['Session reused', s.resumed ? `yes (${s.resumption ?? 'unknown'})` : 'no'],
    ['Session id', s.sessionId ?? '-'],
    ['PSK mode', s.pskMode ?? '-'],
    ['0-RTT', s.earlyData === 'none' ? 'not attempted' : s.earlyData === 'accepted' ? `accepted (${s.earlyDataBytes} bytes)` : 'rejected'],
    ['This request in 0-RTT data', s.requestInEarlyData ? 'yes' : 'no'],
  ];
  const sections: [string, [string, string][]][] = [
    ['Connection', connection],
    ['Resumption', resumption],
  ];
  const c = s.sessionCache;
  if (c) {
    const st = c.stats;
    sections.push([
      'Session cache',
      [
        ['Tickets (TLS 1.3)', c.tickets],
        ['Mode', c.mode.join(', ')],
        ['Session timeout', `${c.timeout} s`],
        ['Sessions in the cache', `${st.number} (limit ${c.maxEntries === 0 ? 'none' : c.maxEntries})`],
        ['Handshakes started (accept)', String(st.accept)],
        ['Handshakes completed (accept good)', String(st.acceptGood)],
        ['Cache hits', String(st.hits)],
        ['Callback hits', String(st.cbHits)],
        ['Misses', String(st.misses)],
        ['Timeouts (expired)', String(st.timeouts)],
        ['Cache full (evicted)', String(st.cacheFull)],
        ['Lookup timeouts', String(st.lookupTimeouts)],
        ['Callback errors', String(st.callbackErrors)],
        ['Binder failures', String(st.binderFailures)],
        ['Replays rejected', String(st.replaysRejected)],
        ['Context mismatches', String(st.contextMismatches)],
      ],
    ]);
  }
  const k = s.ticketKeys;
  sections.push([
    'Ticket keys',
    k
      ? [
          ['Keys', String(k.keys)],
          ['Current key name', k.currentKeyName],
          ['Rotation interval', `${Math.round(k.rotationIntervalMs / 1000)} s`],
        ]
      : [['Keys', 'none (wiped)']],
  ]);
  const headline = s.protocol ? `${s.resumed ? 'Reused' : 'New'}, ${s.protocol}, Cipher is ${s.cipher ?? '-'}` : 'No handshake';
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>puretls</title></head><body>',
    '<h1>puretls</h1>',
    `<p>${escapeHtml(headline)}</p>`,
    ...sections.flatMap(([title, rows]) => [
      `<h2>${escapeHtml(title)}</h2>`,
      '<table>',
      ...rows.map(([key, v]) => `<tr><th align="left">${escapeHtml(key)}</th><td>${escapeHtml(v)}</td></tr>`),
      '</table>',
    ]),
    '<p><a href="/stats.json">/stats.json</a></p>',
    '</body></html>',
    '',
  ].join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
