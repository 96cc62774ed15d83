/**
 * Handing secured sockets to `node:http`, `node:https` and `node:http2` servers. Node's
 * `tls.Server` is itself the HTTP server (`https.Server`, `http2.createSecureServer()` extend it),
 * so its sockets' `server` is that HTTP server, and `node:http2`'s HTTP/1 fallback
 * (`allowHTTP1: true`) relies on it. A puretls socket was accepted by a `PureTlsServer`: these
 * servers get it as if they had accepted it themselves.
 */
import type { Server as NetServer } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { PureTlsSocket } from './tls-socket';

/**
 * A `secureConnection` listener that hands each socket to `server`: `socket.server = server`, then
 * `'secureConnection'` for TLS-based servers (`https.Server`, `http2.createSecureServer()`, with
 * or without `allowHTTP1`), `'connection'` for plain ones (`http.createServer()`,
 * `http2.createServer()`). The HTTP server never listens; the puretls server does.
 *
 *   const h2 = http2.createSecureServer({ allowHTTP1: true }, handler);
 *   createServer({ key, cert, ALPNProtocols: ['h2', 'http/1.1'] }, handTo(h2)).listen(8443);
 *
 * Under HTTP/2, Node wraps the socket (`req.socket` is a `JSStreamSocket`); the puretls socket is
 * `req.socket.stream`. Under HTTP/1, `req.socket` is the puretls socket.
 * @throws TypeError when `server` is not a `net.Server` (every Node HTTP server is one).
 */
export function handTo(server: NetServer): (socket: PureTlsSocket) => void {
  if (!server || typeof server !== 'object' || typeof (server as { emit?: unknown }).emit !== 'function' || typeof server.listen !== 'function') {
    throw new TypeError('handTo(server): a node:http, node:https or node:http2 server');
  }
  const event = server instanceof TlsServer ? 'secureConnection' : 'connection';
  return (socket) => {
    socket.server = server;
    server.emit(event, socket);
  };
}
