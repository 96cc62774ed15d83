/**
 * What `puretls serve --www` shows about a connection (like `openssl s_server -www`): the
 * negotiated parameters, how it resumed, the session cache statistics, the ticket key ring and the
 * server's counters — as an HTML page or as the `/stats.json` document.
 */
import { bytesToHex, SignatureScheme } from '@puretls/crypto';
import type { SessionCacheMode, SessionCacheStats } from '@puretls/session-cache';
import type { ServerContext } from '../core/context';
import type { PureTlsServerStats } from '../node/node-adapter';
import type { PureTlsSocket } from '../node/tls-socket';

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
  /** The server's counters (connections, handshakes, closes the server decided by reason). */
  readonly server: PureTlsServerStats | null;
  /** The HTTP version of this request (`1.0`, `1.1`, `2.0`). */
  readonly httpVersion: string | null;
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

/** What a request adds to the description of its connection. */
export interface RequestFacts {
  /** Requests served on the connection so far, this one included. */
  readonly requests: number;
  /** The request arrived entirely as 0-RTT data. */
  readonly inEarlyData: boolean;
  readonly httpVersion: string | null;
  /** The server's counters, if known. */
  readonly server: PureTlsServerStats | null;
}

/** The connection's negotiated parameters and the server's session state, for display. */
export function describeConnection(socket: PureTlsSocket, request: Partial<RequestFacts> = {}): ConnectionSummary {
  const { requests = 0, inEarlyData: requestInEarlyData = false, httpVersion = null, server = null } = request;
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
    // Described once secured: the connection was chosen by then.
    sessionCache: describeSessionCache(socket.connection!.context),
    ticketKeys: describeTicketKeys(socket.connection!.context),
    server,
    httpVersion,
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
    ['HTTP', s.httpVersion ?? '-'],
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
  const srv = s.server;
  if (srv) {
    const closes = Object.entries(srv.closedByServer);
    sections.push([
      'Server',
      [
        ['Connections', String(srv.connections)],
        ['Handshakes completed', String(srv.handshakes)],
        ['Handshake failures', String(srv.handshakeFailures)],
        ['Open connections', `${srv.open} (${srv.handshaking} handshaking)`],
        ['Closed by the server', closes.length === 0 ? 'none' : closes.map(([reason, n]) => `${reason}: ${n}`).join(', ')],
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
