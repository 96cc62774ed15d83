/**
 * `node:http2` over puretls sockets (issue 17: "HTTP/2 allowHTTP1 over our sockets crashes the
 * process (socket has no .server)"): `socket.server` as Node's `tls.Server` sets it, and `handTo()`
 * handing sockets to `http2.createSecureServer({ allowHTTP1: true })` — HTTP/2 and the HTTP/1.1
 * fallback, checked with curl --http2 / --http1.1, Node's `http2.connect` and `https.request`.
 */
import { connect as http2Connect, createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNodeTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handTo } from '../src/node/hand-to';
import type { PureTlsSocket } from '../src/node/tls-socket';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { runTool } from '@puretls/test-support/cli-process';
import { connectTls, useServers, within } from '@puretls/test-support/net';

const certs = new CertDir();
let cert: TestCert;
const servers = useServers();

beforeAll(() => {
  cert = certs.make('p256');
}, 60_000);
afterAll(() => certs.cleanup());

/** The handler: says which HTTP version and which TLS socket served it. */
function handler(req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse): void {
  // HTTP/2: Node wraps the socket (JSStreamSocket); the puretls socket is its `stream`.
  const tls = (req.httpVersionMajor === 2 ? (req.socket as unknown as { stream: PureTlsSocket }).stream : req.socket) as PureTlsSocket;
  const body = JSON.stringify({ http: req.httpVersion, alpn: tls.alpnProtocol, tls: tls.getProtocol(), path: req.url });
  (res as ServerResponse).writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function serveH2() {
  const h2 = createSecureServer({ allowHTTP1: true }, handler);
  return servers.start({ certificates: [{ cert: cert.cert, key: cert.key }], alpnProtocols: ['h2', 'http/1.1'] }, handTo(h2));
}

describe('socket.server', () => {
  it('is the server that accepted the socket, as with Node\u2019s tls.createServer', async () => {
    const node = createNodeTlsServer({ cert: cert.cert, key: cert.key });
    const nodeSame = new Promise<boolean>((resolve) => node.once('secureConnection', (s) => resolve((s as unknown as { server: unknown }).server === node)));
    await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', resolve));
    const nc = await connectTls((node.address() as { port: number }).port);
    const r = await servers.start({ certificates: [{ cert: cert.cert, key: cert.key }] });
    const secured = r.nextSecure();
    const c = await connectTls(r.port);
    expect({ node: await nodeSame, ours: (await secured).server === r.server }).toEqual({ node: true, ours: true });
    nc.destroy();
    c.destroy();
    await new Promise<void>((resolve) => node.close(() => resolve()));
  });
});

describe('handTo(http2.createSecureServer({ allowHTTP1: true }))', () => {
  it('curl --http2 gets HTTP/2, curl --http1.1 the HTTP/1.1 fallback', async () => {
    const r = await serveH2();
    const curl = (v: string) => runTool('curl', ['-sk', v, '--resolve', `localhost:${r.port}:127.0.0.1`, `https://localhost:${r.port}/x`]);
    expect(JSON.parse((await curl('--http2')).out)).toEqual({ http: '2.0', alpn: 'h2', tls: 'TLSv1.3', path: '/x' });
    expect(JSON.parse((await curl('--http1.1')).out)).toEqual({ http: '1.1', alpn: 'http/1.1', tls: 'TLSv1.3', path: '/x' });
  });

  it('Node\u2019s http2.connect (two streams on one session) and https.request without ALPN (HTTP/1.1)', async () => {
    const r = await serveH2();
    const session = http2Connect(`https://127.0.0.1:${r.port}`, { rejectUnauthorized: false, servername: 'localhost' });
    session.on('error', () => {});
    const get = (path: string) =>
      within(
        10_000,
        `h2 ${path}`,
        new Promise<unknown>((resolve, reject) => {
          const req = session.request({ ':path': path });
          let text = '';
          req.on('data', (d: Buffer) => (text += d.toString()));
          req.on('end', () => resolve(JSON.parse(text)));
          req.on('error', reject);
          req.end();
        }),
      );
    try {
      expect(await Promise.all([get('/a'), get('/b')])).toEqual([
        { http: '2.0', alpn: 'h2', tls: 'TLSv1.3', path: '/a' },
        { http: '2.0', alpn: 'h2', tls: 'TLSv1.3', path: '/b' },
      ]);
    } finally {
      session.close();
    }
    const h1 = await within(
      10_000,
      'https.request',
      new Promise<unknown>((resolve, reject) => {
        const req = httpsRequest({ host: '127.0.0.1', port: r.port, path: '/c', servername: 'localhost', rejectUnauthorized: false, agent: false }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(JSON.parse(text)));
        });
        req.on('error', reject);
        req.end();
      }),
    );
    // No ALPN offered (Node's https default): allowHTTP1 serves it as HTTP/1.1 (alpnProtocol false).
    expect(h1).toEqual({ http: '1.1', alpn: false, tls: 'TLSv1.3', path: '/c' });
  });

  it('also to a plain http.Server (the connection event); bad arguments throw', async () => {
    const r = await servers.start({ certificates: [{ cert: cert.cert, key: cert.key }], alpnProtocols: ['http/1.1'] }, handTo(createHttpServer(handler)));
    const out = await runTool('curl', ['-sk', '--resolve', `localhost:${r.port}:127.0.0.1`, `https://localhost:${r.port}/d`]);
    expect(JSON.parse(out.out)).toEqual({ http: '1.1', alpn: 'http/1.1', tls: 'TLSv1.3', path: '/d' });
    expect(() => handTo({} as never)).toThrow(TypeError);
  });
});
