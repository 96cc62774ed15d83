/**
 * An `https.createServer(options, handler)` application moved onto puretls (issue #7): the
 * application keeps its `node:http` server and handler; puretls terminates TLS and hands every
 * secured socket to the HTTP server as a `connection`, like `https.Server` does internally.
 *
 *   before:  https.createServer({ key, cert }, handler).listen(8443);
 *   after:   const httpServer = http.createServer(handler);
 *            createServer({ key, cert, ALPNProtocols: ['http/1.1'] }, handTo(httpServer)).listen(8443);
 *
 * HTTP/1.1 only (keep-alive included): advertise `ALPNProtocols: ['http/1.1']`. For HTTP/2 hand
 * the sockets to `http2.createSecureServer({ allowHTTP1: true }, handler)` instead and advertise
 * `['h2', 'http/1.1']` (see the server README).
 *
 * Run (Node 20 has no TypeScript loader; bundle first, from the repository root, after `pnpm install`):
 *   npx esbuild packages/server/examples/https-compat.ts --bundle --platform=node --format=esm \
 *     --conditions=development --outfile=/tmp/https-compat.mjs
 *   node /tmp/https-compat.mjs cert.pem key.pem 8443
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createServer, handTo, type PureTlsServer, type PureTlsServerOptions, type PureTlsSocket } from '../src/node';

/** Largest request body the echo route accepts. */
const MAX_ECHO_BODY = 1 << 20;

/**
 * The application's request handler, unchanged from its `https.createServer` days: `GET /` says
 * hello (with what TLS negotiated, read from the socket), `POST /echo` echoes the body back.
 */
export function handler(req: IncomingMessage, res: ServerResponse): void {
  const tls = req.socket as unknown as PureTlsSocket;
  res.setHeader('x-tls-protocol', tls.getProtocol?.() ?? 'none');
  res.setHeader('x-tls-cipher', tls.getCipher?.()?.name ?? 'none');
  if (req.method === 'GET' && req.url === '/') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`hello over ${tls.getProtocol?.() ?? 'plain TCP'}\n`);
    return;
  }
  if (req.method === 'POST' && req.url === '/echo') {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_ECHO_BODY) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(d);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream', 'x-echo-length': String(size) });
      res.end(Buffer.concat(chunks));
    });
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found\n');
}

/** A running server: the TLS listener, the HTTP server it feeds, and how to stop both. */
export interface HttpsCompat {
  readonly tlsServer: PureTlsServer;
  readonly httpServer: HttpServer;
  readonly port: number;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

/**
 * Starts the HTTP server behind a puretls listener on `host:port` (default 127.0.0.1, an
 * ephemeral port).
 * @throws TypeError / RangeError for a malformed option; KeyError for an unusable key or certificate.
 */
export async function startHttpsCompat(options: PureTlsServerOptions & { readonly port?: number; readonly host?: string }): Promise<HttpsCompat> {
  const { port = 0, host = '127.0.0.1', ...tlsOptions } = options;
  const httpServer = createHttpServer({ keepAliveTimeout: 5000 }, handler);
  const tlsServer = createServer(tlsOptions as PureTlsServerOptions);
  // http.Server only reads and writes the socket through the stream API (plus setTimeout,
  // remoteAddress, destroySoon when present): a PureTlsSocket does, though it is no net.Socket.
  tlsServer.on('secureConnection', handTo(httpServer));
  // Handshake failures are the TLS server's business (https.Server forwards them as tlsClientError too).
  tlsServer.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject);
    tlsServer.listen(port, host, () => {
      tlsServer.off('error', reject);
      resolve();
    });
  });
  const addr = tlsServer.address();
  if (!addr || typeof addr === 'string') throw new Error('the TLS server has no TCP address');
  return {
    tlsServer,
    httpServer,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        tlsServer.close(() => resolve());
        tlsServer.closeAllConnections();
      }),
  };
}

// `node https-compat.mjs cert.pem key.pem [port]`
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [certFile, keyFile, port = '8443'] = process.argv.slice(2);
  if (!certFile || !keyFile) {
    console.error('usage: https-compat cert.pem key.pem [port]');
    process.exit(2);
  }
  const server = await startHttpsCompat({
    key: readFileSync(keyFile),
    cert: readFileSync(certFile),
    ALPNProtocols: ['http/1.1'],
    port: Number(port),
    host: '0.0.0.0',
  });
  console.log(`listening on https://localhost:${server.port}/`);
}
