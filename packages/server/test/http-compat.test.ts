/**
 * The `https.createServer` → puretls example (issue #7, examples/https-compat.ts) in process:
 * `http.Server` fed with `PureTlsSocket`s through `emit('connection')`, checked with Node's
 * `https.request` (self-signed: rejectUnauthorized false) — keep-alive reuse, a POST echoed,
 * headers, TLS 1.2 and 1.3. Importing the example here also type-checks it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { startHttpsCompat, type HttpsCompat } from '../examples/https-compat';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { payload, sha256, within } from '@puretls/test-support/net';

const certs = new CertDir();
let cert: TestCert;
const running: HttpsCompat[] = [];
const agents: Agent[] = [];

beforeAll(() => {
  cert = certs.make('p256');
}, 60_000);
afterAll(() => certs.cleanup());
afterEach(async () => {
  for (const a of agents.splice(0)) a.destroy();
  for (const r of running.splice(0)) await within(5000, 'close', r.close());
});

async function start(extra: object = {}): Promise<HttpsCompat> {
  const r = await startHttpsCompat({ certificates: [{ cert: cert.cert, key: cert.key }], alpnProtocols: ['http/1.1'], ...extra });
  running.push(r);
  return r;
}

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The request went over a socket the agent had used before. */
  readonly reusedSocket: boolean;
  readonly localPort: number | undefined;
}

function fetchOver(port: number, options: RequestOptions & { body?: Uint8Array | string } = {}): Promise<Reply> {
  const { body, ...rest } = options;
  return within(
    20_000,
    `${rest.method ?? 'GET'} ${rest.path ?? '/'}`,
    new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, path: '/', ...rest }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), reusedSocket: req.reusedSocket, localPort: req.socket?.localPort }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    }),
  );
}

describe('https.createServer code on puretls (examples/https-compat.ts)', () => {
  it('GET: status, headers, body; TLS 1.3 by default', async () => {
    const r = await start();
    const res = await fetchOver(r.port);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['x-tls-protocol']).toBe('TLSv1.3');
    // tls.DEFAULT_CIPHERS' order, as an https.Server's: AES-256-GCM first.
    expect(res.headers['x-tls-cipher']).toBe('TLS_AES_256_GCM_SHA384');
    expect(res.body.toString()).toBe('hello over TLSv1.3\n');
  });

  it('two requests over one keep-alive agent share one TLS connection', async () => {
    const r = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    let secured = 0;
    r.tlsServer.on('secureConnection', () => secured++);
    const a = await fetchOver(r.port, { agent });
    const b = await fetchOver(r.port, { agent });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.headers.connection).toBe('keep-alive');
    expect(a.reusedSocket).toBe(false);
    expect(b.reusedSocket).toBe(true);
    expect(b.localPort).toBe(a.localPort);
    expect(secured).toBe(1);
  });

  it('POST: a body comes back with its content type and length, on the same keep-alive socket', async () => {
    const r = await start();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    const small = await fetchOver(r.port, { agent, method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body: '{"hello":"puretls"}' });
    expect(small.status).toBe(200);
    expect(small.headers['content-type']).toBe('application/json');
    expect(small.headers['x-echo-length']).toBe('19');
    expect(small.body.toString()).toBe('{"hello":"puretls"}');
    const data = payload(16_000, 5);
    const big = await fetchOver(r.port, { agent, method: 'POST', path: '/echo', headers: { 'content-type': 'application/octet-stream' }, body: data });
    expect(big.status).toBe(200);
    expect(big.headers['x-echo-length']).toBe(String(data.length));
    expect(sha256(big.body)).toBe(sha256(data));
    expect(big.reusedSocket).toBe(true);
  });

  // Regression: a first flight of more than ~48 KiB right after the handshake (pushed before
  // `secureConnection`, push() false, TCP paused) used to stall once http.Server drained the socket.
  it('POST of 1 MiB on a fresh connection (no stall when data arrives with the Finished)', async () => {
    const r = await start();
    const data = payload(1 << 20, 5);
    const big = await within(5000, 'POST 1 MiB', fetchOver(r.port, { method: 'POST', path: '/echo', agent: false, body: data }));
    expect(sha256(big.body)).toBe(sha256(data));
  }, 10_000);

  it('TLS 1.2, a 404, and a chunked request body', async () => {
    const r = await start();
    const nf = await fetchOver(r.port, { path: '/nope', maxVersion: 'TLSv1.2', minVersion: 'TLSv1.2' });
    expect(nf.status).toBe(404);
    expect(nf.headers['x-tls-protocol']).toBe('TLSv1.2');
    const chunked = await within(
      10_000,
      'chunked POST',
      new Promise<Reply>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: r.port, method: 'POST', path: '/echo', rejectUnauthorized: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), reusedSocket: false, localPort: undefined }));
        });
        req.on('error', reject);
        req.write('part one, ');
        setTimeout(() => req.end('part two'), 20);
      }),
    );
    expect(chunked.status).toBe(200);
    expect(chunked.body.toString()).toBe('part one, part two');
  });

  it('the server survives a client that is not TLS', async () => {
    const r = await start();
    const { connect } = await import('node:net');
    await within(
      5000,
      'plain HTTP rejected',
      new Promise<void>((resolve) => {
        const s = connect(r.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        s.resume();
      }),
    );
    expect((await fetchOver(r.port)).status).toBe(200);
  });
});
