/**
 * Server limits with real sockets (issue #7): maxConcurrentHandshakes, the handshake timeout, and
 * maxBufferedBytes (unread plaintext + unsent ciphertext → TCP reads pause), and many slow clients
 * (issue #10). Loops and waits bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_LENGTH } from '@puretls/record-layer';
import { MAX_CLIENT_HELLO_LENGTH } from '@puretls/handshake-state-machine/internal';
import type { PureTlsSocket } from '../src/node/tls-socket';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { connectTcp, connectTls, payload, readBytes, sha256, startServer, until, useServers, within, type RunningServer } from '@puretls/test-support/net';

const certs = new CertDir();
let p256: TestCert;
const servers = useServers();

beforeAll(() => {
  p256 = certs.make('p256');
}, 60_000);
afterAll(() => certs.cleanup());

function serve(options: Record<string, unknown>, onSecure?: ((s: PureTlsSocket) => void) | null): Promise<RunningServer> {
  return servers.start({ key: p256.key, cert: p256.cert, ...options }, onSecure);
}

describe('maxConcurrentHandshakes', () => {
  it('refuses connections beyond the limit at once, counts them, and recovers', async () => {
    const r = await serve({ maxConcurrentHandshakes: 2 });
    const idle = [await connectTcp(r.port), await connectTcp(r.port)];
    await until('two handshakes in progress', () => r.server.handshakingCount === 2);
    const err = r.nextClientError();
    const third = await connectTcp(r.port);
    const closed = within(2000, 'refused socket closes', new Promise((res) => third.once('close', res)));
    expect(await err).toMatchObject({ code: 'ERR_TLS_TOO_MANY_HANDSHAKES' });
    await closed;
    expect(r.server.refusedHandshakes).toBe(1);
    // A slot frees up when an idle client leaves: a real client gets through.
    idle[0]!.destroy();
    await until('one handshake left', () => r.server.handshakingCount === 1);
    const c = await connectTls(r.port);
    expect(c.getProtocol()).toBe('TLSv1.3');
    c.destroy();
    idle[1]!.destroy();
    expect(r.server.refusedHandshakes).toBe(1);
    await expect(startServer({ key: p256.key, cert: p256.cert, maxConcurrentHandshakes: -1 })).rejects.toThrow(RangeError);
  });
});

describe('handshake timeout', () => {
  it('a silent client gets ERR_TLS_HANDSHAKE_TIMEOUT and is disconnected', async () => {
    const r = await serve({ handshakeTimeout: 150 });
    const t0 = Date.now();
    const err = r.nextClientError(3000);
    const tcp = await connectTcp(r.port);
    const closed = within(3000, 'server closes', new Promise((res) => tcp.once('close', res)));
    expect(await err).toMatchObject({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
    await closed;
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(r.server.handshakingCount).toBe(0);
  });
});

describe('maxBufferedBytes', () => {
  const LIMIT = 32 * 1024;
  /** One TCP read (64 KiB) may land after the check, plus one record of plaintext. */
  const SLACK = 64 * 1024 + 16 * 1024;

  it('an application that does not read: TCP reads pause, the data arrives intact once it reads', async () => {
    const r = await serve({ maxBufferedBytes: LIMIT }, null);
    const secure = r.nextSecure();
    const c = await connectTls(r.port);
    const s = await secure;
    const data = payload(4 << 20, 11);
    c.write(data);
    await until('server pauses TCP', () => s.tcp.isPaused(), 5000);
    await new Promise((res) => setTimeout(res, 200));
    expect(s.readableLength + s.tcp.writableLength).toBeLessThanOrEqual(LIMIT + SLACK);
    expect(c.writableLength).toBeGreaterThan(0); // the client is held back too
    const got = await readBytes(s, data.length);
    expect(got.sha256).toBe(sha256(data));
    c.destroy();
  });

  it('a client that does not read its echo: the server stops reading it; all bytes come back when it reads', async () => {
    const r = await serve({ maxBufferedBytes: LIMIT }, (s) => s.pipe(s));
    const secure = r.nextSecure();
    const c = await connectTls(r.port);
    const s = await secure;
    c.pause();
    const data = payload(16 << 20, 12);
    c.write(data);
    await until('server pauses TCP', () => s.tcp.isPaused(), 10_000);
    await new Promise((res) => setTimeout(res, 200));
    expect(s.readableLength + s.tcp.writableLength).toBeLessThanOrEqual(LIMIT + SLACK);
    const got = readBytes(c, data.length, 30_000);
    c.resume();
    expect((await got).sha256).toBe(sha256(data));
    c.destroy();
  }, 40_000);
});

describe('many slow clients (slowloris)', () => {
  const CLIENTS = 200;
  /** What one handshaking connection may hold: one whole record plus the largest ClientHello. */
  const PER_CONNECTION = MAX_RECORD_LENGTH + 4 + MAX_CLIENT_HELLO_LENGTH;

  /**
   * Half the clients stall inside the first record (16 KiB announced, 8 KiB sent); the other half
   * send one whole record of a 40 KiB ClientHello and stall (the joiner holds that message).
   */
  function partialHello(i: number): Buffer {
    const hsHeader = [1, 0, 0x9c, 0x40]; // ClientHello of 40000 bytes
    const body = Buffer.alloc(1 << 14, 0x41);
    body.set(hsHeader, 0);
    const record = Buffer.concat([Buffer.from([22, 3, 1, 0x40, 0x00]), body]); // one 2^14-byte record
    return i % 2 === 0 ? record.subarray(0, 5 + 8192) : record;
  }

  it(`${CLIENTS} connections that send part of a ClientHello and stall: bounded buffers, all freed by the handshake timeout`, async () => {
    const r = await serve({ handshakeTimeout: 8000 });
    const timeouts: Error[] = [];
    r.server.on('tlsClientError', (e) => {
      if ((e as { code?: string }).code === 'ERR_TLS_HANDSHAKE_TIMEOUT') timeouts.push(e);
    });
    const sockets = await Promise.all(Array.from({ length: CLIENTS }, () => connectTcp(r.port, 10_000)));
    try {
      sockets.forEach((s, i) => s.write(partialHello(i)));
      await until('every connection handshaking with its bytes buffered', () => r.server.handshakingCount === CLIENTS && r.server.handshakeBufferedBytes >= CLIENTS * 8192, 7000);
      await new Promise((res) => setTimeout(res, 200));
      const held = r.server.handshakeBufferedBytes;
      expect(held).toBeLessThanOrEqual(CLIENTS * PER_CONNECTION);
      // Nothing beyond what was sent is held twice: at most the bytes sent plus preallocated message buffers.
      expect(held).toBeLessThanOrEqual((CLIENTS / 2) * (5 + 8192 + 16384) + (CLIENTS / 2) * (40000 + 4));
      // The timeout frees every one of them: server sockets closed, nothing held.
      await until('all timed out', () => r.server.handshakingCount === 0 && r.server.connectionCount === 0, 20_000);
      expect(timeouts.length).toBe(CLIENTS);
      expect(r.server.handshakeFailures).toBe(CLIENTS);
      expect(r.server.context.sessionStats).toMatchObject({ accept: CLIENTS, acceptGood: 0 });
      expect(r.server.handshakeBufferedBytes).toBe(0);
    } finally {
      for (const s of sockets) s.destroy();
    }
  }, 60_000);
});
