/**
 * The `--www` demo's HTTP side (node:http / node:http2 on top of a stream) over an in-memory
 * Duplex — keep-alive, pipelining, HEAD, 404, bare-LF heads, parse errors, 0-RTT accounting — the
 * page, and the CLI logger's line formats.
 */
import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/cli/log';
import { WwwServer, type WwwRequestLog } from '../src/cli/www';
import { renderPage, signatureSchemeName, type ConnectionSummary } from '../src/cli/www-page';
import { readAll, within } from '@puretls/test-support/net';

const SUMMARY: ConnectionSummary = {
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_128_GCM_SHA256',
  cipherStandardName: 'TLS_AES_128_GCM_SHA256',
  group: 'x25519',
  signatureScheme: 'ecdsa_secp256r1_sha256',
  sni: 'localhost',
  alpn: 'http/1.1',
  resumed: false,
  resumption: null,
  sessionId: null,
  pskMode: null,
  earlyData: 'none',
  earlyDataBytes: 0,
  requestInEarlyData: false,
  helloRetry: false,
  remoteAddress: '127.0.0.1',
  remotePort: 5555,
  requests: 0,
  sessionCache: {
    tickets: 'stateful',
    mode: ['server'],
    timeout: 7200,
    maxEntries: 20480,
    stats: { number: 3, accept: 7, acceptGood: 6, hits: 2, cbHits: 1, misses: 4, timeouts: 5, cacheFull: 8, lookupTimeouts: 9, callbackErrors: 10, binderFailures: 11, replaysRejected: 12, contextMismatches: 13 },
  },
  ticketKeys: { keys: 2, currentKeyName: '00112233445566778899aabbccddeeff', rotationIntervalMs: 43_200_000 },
  server: { connections: 9, handshakes: 7, handshakeFailures: 2, open: 3, handshaking: 1, refusedHandshakes: 0, closedByServer: { IdleTimeout: 4, TooManyEmptyRecords: 1 } },
  httpVersion: '1.1',
};

/** The value of the table row named `th` in a rendered page. */
function row(page: string, th: string): string | undefined {
  return new RegExp(`<th align="left">${th}</th><td>([^<]*)</td>`).exec(page)?.[1];
}

/**
 * A served in-memory connection: write requests into `input`, read responses from `output`.
 * `earlyBytes`: how many of the first bytes count as 0-RTT data.
 */
function served(summary: Partial<ConnectionSummary> = {}, earlyBytes = 0) {
  const input = new PassThrough();
  const output = new PassThrough();
  const stream = Duplex.from({ readable: input, writable: output });
  const log: WwwRequestLog[] = [];
  const www = new WwwServer({ onRequest: (r) => log.push(r) });
  www.attach(stream, (f) => ({ ...SUMMARY, ...summary, requests: f.requests, requestInEarlyData: f.inEarlyData, httpVersion: f.httpVersion }), () => earlyBytes);
  return { input, output, log, response: readAll(output, 5000) };
}

/** Responses in `raw`, split by their Content-Length. */
function split(raw: string): { status: number; headers: string; body: string }[] {
  const out: { status: number; headers: string; body: string }[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    const headers = rest.slice(0, end);
    const len = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
    const head = /^HTTP\/1\.1 \d+/.test(headers) && !/^HEAD/.test(headers) ? len : 0;
    out.push({ status: Number(headers.slice(9, 12)), headers, body: rest.slice(end + 4, end + 4 + head) });
    rest = rest.slice(end + 4 + head);
  }
  return out;
}

describe('the --www HTTP server (node:http over the stream)', () => {
  it('keeps HTTP/1.1 alive, pipelines, and closes on Connection: close; a POST body is read and dropped', async () => {
    const { input, response, log } = served();
    input.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /stats.json HTTP/1.1\r\nHost: x\r\n\r\n');
    input.write('POST /stats.json?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    const rs = split((await response).toString());
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(rs[0]!.headers).toMatch(/Connection: keep-alive/i);
    expect(rs[0]!.body).toContain('<td>TLSv1.3</td>');
    expect(JSON.parse(rs[1]!.body)).toMatchObject({ protocol: 'TLSv1.3', requests: 2, httpVersion: '1.1' });
    expect(JSON.parse(rs[2]!.body)).toMatchObject({ requests: 3 });
    expect(rs[2]!.headers).toMatch(/Connection: close/i);
    expect(log.map((r) => [r.method, r.path, r.status, r.httpVersion])).toEqual([
      ['GET', '/', 200, '1.1'],
      ['GET', '/stats.json', 200, '1.1'],
      ['POST', '/stats.json?x=1', 200, '1.1'],
    ]);
  });

  it('HTTP/1.0 closes after one response; HEAD has the headers and no body', async () => {
    const { input, response } = served();
    input.write('HEAD / HTTP/1.0\r\n\r\n');
    const raw = (await response).toString();
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).toMatch(/content-length: [1-9]\d*/i);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
  });

  it('an unknown path is 404', async () => {
    const { input, response, log } = served();
    input.write('GET /nope HTTP/1.0\r\n\r\n');
    const raw = (await response).toString();
    expect(raw).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(log.map((r) => r.status)).toEqual([404]);
  });

  it.each([
    ['GET / HTTP/1.0\n\n', 200, 'text/html'],
    ['GET /stats.json HTTP/1.0\nHost: x\n\n', 200, 'application/json'],
    ['GET /stats.json HTTP/1.1\nHost: x\r\nConnection: close\n\n', 200, 'application/json'],
    ['GET /missing HTTP/1.0\n\n', 404, 'text/plain'],
  ])('a bare-LF request head %j is answered (RFC 9112 §2.2)', async (req, status, type) => {
    const { input, response } = served();
    input.write(req);
    const raw = (await within(5000, 'response', response)).toString();
    expect(Number(raw.slice(9, 12))).toBe(status);
    expect(raw).toMatch(new RegExp(`content-type: ${type}`, 'i'));
  });

  it('a bare-LF head split over several writes, with a body after it', async () => {
    const { input, response } = served();
    for (const part of ['POST / HTT', 'P/1.0\nContent-', 'Length: 3\n', '\nabc']) input.write(part);
    const raw = (await within(5000, 'response', response)).toString();
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
  });

  it.each([['garbage\r\n\r\n'], ['GET / HTTP/1.1\r\nno colon\r\n\r\n'], ['GET / HTTP/1.1\r\nX: ' + 'a'.repeat(20_000) + '\r\n\r\n']])('%j → 400 or 431, and close', async (req) => {
    const { input, response, log } = served();
    input.write(req);
    const raw = (await within(5000, 'response', response)).toString();
    expect([400, 431]).toContain(Number(raw.slice(9, 12)));
    expect(raw).toMatch(/Connection: close/i);
    expect(log.map((r) => r.status)).toEqual([400]);
  });

  it('a request counts as 0-RTT only when its head ended within the early bytes', async () => {
    const first = 'GET /stats.json HTTP/1.1\r\nHost: x\r\n\r\n';
    const { input, response } = served({ earlyData: 'accepted' }, first.length);
    input.write(first);
    await new Promise((r) => setTimeout(r, 20));
    input.write(first.replace('HTTP/1.1', 'HTTP/1.0'));
    const rs = split((await response).toString()).map((r) => JSON.parse(r.body) as ConnectionSummary);
    expect(rs.map((r) => r.requestInEarlyData)).toEqual([true, false]);
  });
});

describe('the page', () => {
  it('escapes peer-chosen values (SNI) in the page', () => {
    const page = renderPage({ ...SUMMARY, sni: '<script>alert(1)</script>' });
    expect(page).not.toContain('<script>');
    expect(page).toContain('&#60;script&#62;');
  });

  it('the page: headline, resumption, 0-RTT, session cache statistics, ticket keys', () => {
    const full = renderPage(SUMMARY);
    expect(full).toContain('<p>New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256</p>');
    expect(row(full, 'Session reused')).toBe('no');
    expect(row(full, '0-RTT')).toBe('not attempted');
    expect(row(full, 'PSK mode')).toBe('-');
    expect(row(full, 'Tickets \\(TLS 1\\.3\\)')).toBe('stateful');
    expect(row(full, 'Sessions in the cache')).toBe('3 (limit 20480)');
    const stats: [string, string][] = [
      ['Handshakes started \\(accept\\)', '7'],
      ['Handshakes completed \\(accept good\\)', '6'],
      ['Cache hits', '2'],
      ['Callback hits', '1'],
      ['Misses', '4'],
      ['Timeouts \\(expired\\)', '5'],
      ['Cache full \\(evicted\\)', '8'],
      ['Replays rejected', '12'],
    ];
    for (const [th, v] of stats) expect(row(full, th), th).toBe(v);
    expect(row(full, 'Keys')).toBe('2');
    expect(row(full, 'Current key name')).toBe('00112233445566778899aabbccddeeff');
    expect(row(full, 'Rotation interval')).toBe('43200 s');

    const resumed = renderPage({ ...SUMMARY, resumed: true, resumption: 'stateful ticket', pskMode: 'psk_dhe_ke', earlyData: 'accepted', earlyDataBytes: 42, requestInEarlyData: true });
    expect(resumed).toContain('<p>Reused, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256</p>');
    expect(row(resumed, 'Session reused')).toBe('yes (stateful ticket)');
    expect(row(resumed, 'PSK mode')).toBe('psk_dhe_ke');
    expect(row(resumed, '0-RTT')).toBe('accepted (42 bytes)');
    expect(row(resumed, 'This request in 0-RTT data')).toBe('yes');
    expect(row(renderPage({ ...SUMMARY, earlyData: 'rejected' }), '0-RTT')).toBe('rejected');
    expect(row(renderPage({ ...SUMMARY, ticketKeys: null, sessionCache: null }), 'Keys')).toBe('none (wiped)');
    expect(row(full, 'Closed by the server')).toBe('IdleTimeout: 4, TooManyEmptyRecords: 1');
    expect(row(full, 'Open connections')).toBe('3 (1 handshaking)');
    expect(row(full, 'HTTP')).toBe('1.1');
    expect(renderPage({ ...SUMMARY, server: null })).not.toContain('Closed by the server');
  });

  it('names signature schemes', () => {
    expect(signatureSchemeName(0x0804)).toBe('rsa_pss_rsae_sha256');
    expect(signatureSchemeName(0x0807)).toBe('ed25519');
    expect(signatureSchemeName(0x1234)).toBe('0x1234');
  });
});

describe('createLogger', () => {
  const at = () => new Date(0);
  it('text: level filter and key=value fields (quoted when needed)', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', format: 'text', write: (l) => lines.push(l), now: at });
    log.debug('hidden');
    log.info('handshake', { remote: '127.0.0.1:1', sni: undefined, error: 'a b', resumed: false });
    expect(lines).toEqual(['1970-01-01T00:00:00.000Z info  handshake remote=127.0.0.1:1 error="a b" resumed=false']);
  });
  it('json: one object per line', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l), now: at });
    log.debug('x', { n: 1 });
    expect(JSON.parse(lines[0]!)).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'debug', msg: 'x', n: 1 });
  });
  it('text: peer-chosen values with spaces, quotes, control characters or non-ASCII are quoted JSON strings', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', format: 'text', write: (l) => lines.push(l), now: at });
    log.info('request', { path: '/a\x1b[31mb', host: 'é', ok: '/plain' });
    expect(lines).toEqual(['1970-01-01T00:00:00.000Z info  request path="/a\\u001b[31mb" host="é" ok=/plain']);
  });
  it('rejects unknown levels', () => {
    expect(() => createLogger({ level: 'trace' as never, format: 'text' })).toThrow(RangeError);
  });
});
