/** The `--www` HTTP/1.x responder over an in-memory Duplex, and the CLI logger's line formats. */
import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log';
import { renderPage, serveHttp, signatureSchemeName, type ConnectionSummary } from '../src/www';
import { readAll, within } from './helpers/net';

const SUMMARY: ConnectionSummary = {
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_128_GCM_SHA256',
  cipherStandardName: 'TLS_AES_128_GCM_SHA256',
  group: 'x25519',
  signatureScheme: 'ecdsa_secp256r1_sha256',
  sni: 'localhost',
  alpn: 'http/1.1',
  resumed: false,
  helloRetry: false,
  remoteAddress: '127.0.0.1',
  remotePort: 5555,
  requests: 0,
};

/** A served in-memory connection: write requests into `input`, read responses from `output`. */
function served(summary: Partial<ConnectionSummary> = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  const stream = Duplex.from({ readable: input, writable: output });
  serveHttp(stream, (n) => ({ ...SUMMARY, ...summary, requests: n }));
  return { input, output, response: readAll(output, 5000) };
}

function split(raw: string): { status: number; headers: string; body: string }[] {
  const out: { status: number; headers: string; body: string }[] = [];
  let rest = raw;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    const headers = rest.slice(0, end);
    const len = Number(/Content-Length: (\d+)/.exec(headers)?.[1] ?? 0);
    out.push({ status: Number(headers.slice(9, 12)), headers, body: rest.slice(end + 4, end + 4 + len) });
    rest = rest.slice(end + 4 + len);
  }
  return out;
}

describe('serveHttp', () => {
  it('keeps HTTP/1.1 alive, pipelines, and closes on Connection: close', async () => {
    const { input, response } = served();
    input.write('GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /stats.json HTTP/1.1\r\nHost: x\r\n\r\n');
    input.write('POST /stats.json?x=1 HTTP/1.1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    const rs = split((await response).toString());
    expect(rs.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(rs[0]!.headers).toContain('Connection: keep-alive');
    expect(rs[0]!.body).toContain('<td>TLSv1.3</td>');
    expect(JSON.parse(rs[1]!.body)).toMatchObject({ protocol: 'TLSv1.3', requests: 2 });
    expect(JSON.parse(rs[2]!.body)).toMatchObject({ requests: 3 });
    expect(rs[2]!.headers).toContain('Connection: close');
  });

  it('HTTP/1.0 closes after one response; HEAD has no body', async () => {
    const { input, response } = served();
    input.write('HEAD / HTTP/1.0\r\n\r\n');
    const raw = (await response).toString();
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw.endsWith('\r\n\r\n')).toBe(true);
  });

  it.each([
    ['garbage\r\n\r\n', 400],
    ['GET / HTTP/1.1\r\nno colon\r\n\r\n', 400],
    ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n', 501],
    ['POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n', 413],
    ['GET / HTTP/1.1\r\nX: ' + 'a'.repeat(20_000), 431],
  ])('%j → %i and close', async (req, status) => {
    const { input, response } = served();
    input.write(req);
    const raw = (await within(5000, 'response', response)).toString();
    expect(Number(raw.slice(9, 12))).toBe(status);
    expect(raw).toContain('Connection: close');
  });

  it('escapes peer-chosen values (SNI) in the page', () => {
    const page = renderPage({ ...SUMMARY, sni: '<script>alert(1)</script>' });
    expect(page).not.toContain('<script>');
    expect(page).toContain('&#60;script&#62;');
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
  it('rejects unknown levels', () => {
    expect(() => createLogger({ level: 'trace' as never, format: 'text' })).toThrow(RangeError);
  });
});
