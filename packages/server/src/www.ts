/**
 * `puretls serve --www`: a minimal HTTP/1.1 responder over a `PureTlsSocket` (like `openssl s_server
 * -www`). Any request gets an HTML page describing the TLS connection; `GET /stats.json` the same
 * as JSON. Keep-alive (HTTP/1.1 default, HTTP/1.0 with `Connection: keep-alive`), pipelining,
 * request bodies with `Content-Length` skipped; chunked request bodies are refused (501).
 */
import { SignatureScheme } from '@puretls/crypto';
import type { Duplex } from 'node:stream';
import type { PureTlsSocket } from './tls-socket';

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
  readonly helloRetry: boolean;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  /** Requests served on this connection so far, this one included. */
  readonly requests: number;
}

const SCHEME_NAMES = new Map<number, string>(Object.entries(SignatureScheme).map(([name, code]) => [code, name]));

/** The IANA name of a SignatureScheme code (`0x0403` → `ecdsa_secp256r1_sha256`), or hex for unknown ones. */
export function signatureSchemeName(code: number): string {
  return SCHEME_NAMES.get(code) ?? `0x${code.toString(16).padStart(4, '0')}`;
}

/** The connection's negotiated parameters, for display. */
export function describeConnection(socket: PureTlsSocket, requests = 0): ConnectionSummary {
  const info = socket.info;
  const cipher = socket.getCipher();
  return {
    protocol: socket.getProtocol(),
    cipher: cipher?.name ?? null,
    cipherStandardName: cipher?.standardName ?? null,
    group: info?.group ?? null,
    signatureScheme: info?.signatureScheme !== undefined ? signatureSchemeName(info.signatureScheme) : null,
    sni: info?.serverName ?? null,
    alpn: info?.alpnProtocol ?? null,
    resumed: info?.resumed ?? false,
    helloRetry: info?.helloRetry ?? false,
    remoteAddress: socket.remoteAddress ?? null,
    remotePort: socket.remotePort ?? null,
    requests,
  };
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
  const summary = (n: number) => describeConnection(socket, n);
  serveHttp(socket, summary, options);
}

/** The protocol part, over any Duplex (`summary(n)` describes the connection). */
export function serveHttp(stream: Duplex, summary: (requests: number) => ConnectionSummary, options: WwwOptions = {}): void {
  let buf: Buffer = Buffer.alloc(0);
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
      const s = summary(requests);
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

/** The HTML page (every peer-supplied value escaped). */
export function renderPage(s: ConnectionSummary): string {
  const rows: [string, string][] = [
    ['Protocol', s.protocol ?? '-'],
    ['Cipher', s.cipher ?? '-'],
    ['Cipher (IANA)', s.cipherStandardName ?? '-'],
    ['Group', s.group ?? '-'],
    ['Signature scheme', s.signatureScheme ?? '-'],
    ['SNI', s.sni ?? '-'],
    ['ALPN', s.alpn ?? '-'],
    ['Session reused', s.resumed ? 'yes' : 'no'],
    ['HelloRetryRequest', s.helloRetry ? 'yes' : 'no'],
    ['Client', s.remoteAddress ? `${s.remoteAddress}:${s.remotePort ?? ''}` : '-'],
    ['Requests on this connection', String(s.requests)],
  ];
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>puretls</title></head><body>',
    '<h1>puretls</h1>',
    '<table>',
    ...rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    '<p><a href="/stats.json">/stats.json</a></p>',
    '</body></html>',
    '',
  ].join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
