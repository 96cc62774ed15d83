/**
 * A benchmark server process for bench/e2e: puretls (`createServer` from @puretls/server/node, node or
 * noble crypto provider) or Node's own `tls.createServer`, with the same application on top, so
 * the two differ only in their TLS stack.
 *
 *   node server.main.js --impl node|noble|nodetls --cert FILE --key FILE [--no-tickets]
 *
 * Prints `PORT <n>` once listening on 127.0.0.1. Exits when its stdin closes (the suite's pipe),
 * so a killed suite leaves no server behind. The application, after the handshake:
 * - `GET …` (openssl s_time -www): a 2-byte HTTP/1.0 answer, then close.
 * - `down <bytes> [<write size>]\n`: that many bytes to the client in writes of that size (default
 *   16 KiB, with backpressure), then close.
 * - `up <bytes>\n`: reads that many bytes, answers `ok\n`, then closes.
 * `--no-tickets`: no session tickets (TLS 1.2 resumes by session id): puretls `tickets: 'off'`
 * (its built-in session cache), Node `SSL_OP_NO_TICKET` plus a `Map` behind the `newSession` /
 * `resumeSession` events (Node has no built-in server session cache).
 */
import { constants } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createNodeTlsServer } from 'node:tls';
import { parseArgs } from 'node:util';
import { createServer } from '@puretls/server/node';

const { values } = parseArgs({
  options: { impl: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, 'no-tickets': { type: 'boolean' } },
});
const impl = values.impl;
if ((impl !== 'node' && impl !== 'noble' && impl !== 'nodetls') || !values.cert || !values.key) {
  console.error('usage: server.main.js --impl node|noble|nodetls --cert FILE --key FILE [--no-tickets]');
  process.exit(2);
}
const cert = readFileSync(values.cert, 'utf8');
const key = readFileSync(values.key, 'utf8');
const noTickets = values['no-tickets'] === true;

/** The application's write buffers, one per write size (`down <bytes> <size>`). */
const chunks = new Map<number, Buffer>();
const MAX_WRITE = 16 * 1024 * 1024;
const HTTP_ANSWER = 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok';

/** The application: the same for every TLS stack. */
function serve(sock: Duplex): void {
  sock.on('error', () => {}); // clients (s_time) may reset instead of closing
  let head = Buffer.alloc(0);
  const onHead = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    if (head.subarray(0, 4).toString('latin1') === 'GET ') {
      if (head.includes('\r\n\r\n')) {
        sock.off('data', onHead);
        sock.end(HTTP_ANSWER);
      }
      return;
    }
    const nl = head.indexOf(0x0a);
    if (nl === -1) {
      if (head.length > 64) sock.destroy();
      return;
    }
    sock.off('data', onHead);
    const [cmd, n, size] = head.subarray(0, nl).toString('latin1').split(' ');
    const total = Number(n);
    const writeSize = size === undefined ? 16384 : Number(size);
    const rest = head.subarray(nl + 1);
    if (cmd === 'down' && Number.isSafeInteger(total) && Number.isSafeInteger(writeSize) && writeSize > 0 && writeSize <= MAX_WRITE) sendBytes(sock, total, writeSize);
    else if (cmd === 'up' && Number.isSafeInteger(total)) receiveBytes(sock, total, rest.length);
    else sock.destroy();
  };
  sock.on('data', onHead);
}

function sendBytes(sock: Duplex, total: number, writeSize: number): void {
  let chunk = chunks.get(writeSize);
  if (chunk === undefined) chunks.set(writeSize, (chunk = Buffer.alloc(writeSize, 0x61)));
  const CHUNK = chunk;
  let left = total;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, CHUNK.length);
      left -= n;
      if (!sock.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) {
        sock.once('drain', pump);
        return;
      }
    }
    sock.end();
  };
  pump();
}

function receiveBytes(sock: Duplex, total: number, already: number): void {
  let got = already;
  const check = () => {
    if (got >= total) {
      sock.off('data', onData);
      sock.end('ok\n');
    }
  };
  const onData = (c: Buffer) => {
    got += c.length;
    check();
  };
  sock.on('data', onData);
  check();
}

const server =
  impl === 'nodetls'
    ? createNodeTlsServer({ key, cert, ...(noTickets ? { secureOptions: constants.SSL_OP_NO_TICKET } : {}) }, serve)
    : createServer({ key, cert, crypto: impl, ...(noTickets ? { tickets: 'off' as const } : {}) }, serve);
server.on('tlsClientError', () => {});
if (impl === 'nodetls' && noTickets) {
  // Node's tls.Server keeps no session cache of its own: session-id resumption needs the
  // application's store (these events); a Map is what a single-process server would use.
  const sessions = new Map<string, Buffer>();
  server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
    if (sessions.size >= 20480) sessions.delete(sessions.keys().next().value!);
    sessions.set(id.toString('latin1'), data);
    done();
  });
  server.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => done(null, sessions.get(id.toString('latin1')) ?? null));
}
server.listen(0, '127.0.0.1', () => {
  console.log(`PORT ${(server.address() as AddressInfo).port}`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
