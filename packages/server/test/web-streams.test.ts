/**
 * The Web Streams adapter (issue #7) against Node's own TLS client over loopback: a `node:net`
 * server whose sockets become web streams through `Duplex.toWeb`, handed to `accept()`. The same
 * interop as the Node adapter in spirit: suites in TLS 1.3 and 1.2, 4 MiB both ways, backpressure,
 * resumption with `session`, failed handshakes, closes both ways. Every wait is bounded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { isTlsError } from '@puretls/record-layer';
import { ServerContext, type ServerContextOptions } from '../src/core/context';
import { cipherName } from '../src/core/connection';
import { TlsAdapterError, isPuretlsError, isTlsAdapterError } from '../src/index';
import { ConnectionStats, type ServerClose } from '../src/lifecycle/close-stats';
import { accept, type AcceptOptions, type TlsStreams } from '../src/web-streams';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { connectTcp, connectTls, connectTlsFailure, once, payload, pumpWrites, readAll, readBytes, sha256, until, within } from '@puretls/test-support/net';
import { createNodeProvider, bytesToHex } from '@puretls/crypto';

const certs = new CertDir();
let p256: TestCert;
let rsa: TestCert;
const running: WebServer[] = [];

beforeAll(() => {
  p256 = certs.make('p256');
  rsa = certs.make('rsa2048');
}, 60_000);
afterAll(() => certs.cleanup());
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

interface WebServer {
  readonly port: number;
  readonly ctx: ServerContext;
  /** The next accepted connection's streams. */
  next(ms?: number): Promise<TlsStreams>;
  close(): Promise<void>;
}

/**
 * A `node:net` server (half-open TCP: our close_notify may follow the client's FIN) that hands
 * every socket to `accept()` as web streams; `onAccept` runs for each (default: echo via pipeTo).
 */
async function serve(
  options: Partial<ServerContextOptions> = {},
  onAccept: ((t: TlsStreams) => void) | null = (t) => void t.readable.pipeTo(t.writable).catch(() => {}),
  acceptOptions: AcceptOptions = {},
  toWeb: (tcp: Socket) => { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } = (tcp) => Duplex.toWeb(tcp) as never,
): Promise<WebServer> {
  const ctx = new ServerContext({ certificates: [{ cert: p256.cert, key: p256.key }], ...options } as ServerContextOptions);
  const waiters: ((t: TlsStreams) => void)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createNetServer({ allowHalfOpen: true }, (tcp) => {
    sockets.add(tcp);
    tcp.on('close', () => sockets.delete(tcp));
    tcp.on('error', () => {});
    const web = toWeb(tcp);
    const t = accept(web.readable, web.writable, ctx, acceptOptions);
    onAccept?.(t);
    waiters.shift()?.(t);
  });
  await within(5000, 'listen', new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const r: WebServer = {
    port: addr.port,
    ctx,
    next: (ms = 10_000) => within(ms, 'accept', new Promise((resolve) => waiters.push(resolve))),
    close: () =>
      within(
        5000,
        'server close',
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        }),
      ),
  };
  running.push(r);
  return r;
}

/**
 * Web streams over a TCP socket by hand: the readable closes on the peer's FIN whatever the write
 * side does (Node 20's `Duplex.toWeb` readable waits for both sides), pausing TCP when full.
 */
function tcpToWeb(tcp: Socket): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } {
  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        tcp.on('data', (b: Buffer) => {
          c.enqueue(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
          if ((c.desiredSize ?? 0) <= 0) tcp.pause();
        });
        tcp.on('end', () => c.close());
        tcp.on('error', (e) => c.error(e));
      },
      pull() {
        tcp.resume();
      },
      cancel() {
        tcp.destroy();
      },
    },
    { highWaterMark: 64 << 10, size: (b) => b.byteLength },
  );
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => new Promise((resolve, reject) => tcp.write(chunk, (e) => (e ? reject(e) : resolve()))),
    close: () => new Promise((resolve) => tcp.end(resolve)),
    abort: () => void tcp.destroy(),
  });
  return { readable, writable };
}

async function echoOnce(client: TLSSocket, text: string): Promise<void> {
  const got = readBytes(client, text.length);
  client.write(text);
  await got;
}

/** Reads a web stream to its end (or `limit` bytes): total length and SHA-256. */
async function readWeb(readable: ReadableStream<Uint8Array>, ms = 60_000, limit = Infinity): Promise<{ length: number; sha256: string; text: string }> {
  return within(
    ms,
    'reading the plaintext readable',
    (async () => {
      const h = HASHER.createHash('sha256');
      const chunks: Uint8Array[] = [];
      let length = 0;
      const reader = readable.getReader();
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        h.update(r.value);
        length += r.value.length;
        if (length <= 1024) chunks.push(r.value);
        if (length >= limit) break;
      }
      reader.releaseLock();
      return { length, sha256: bytesToHex(h.digest()), text: length <= 1024 ? Buffer.concat(chunks).toString() : '' };
    })(),
  );
}
const HASHER = createNodeProvider();

/** Closes a Node TLS client cleanly (close_notify) and waits for the socket to close. */
async function endCleanly(client: TLSSocket): Promise<void> {
  const closed = once(client, 'close', 5000);
  client.end();
  client.resume();
  await closed;
}

const TLS12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;

describe('handshake and echo', () => {
  it.each([
    ['TLSv1.3', 'TLS_AES_128_GCM_SHA256'],
    ['TLSv1.3', 'TLS_AES_256_GCM_SHA384'],
    ['TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256'],
    ['TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    ['TLSv1.2', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
    ['TLSv1.2', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ] as const)('%s %s', async (version, suite) => {
    const r = await serve();
    const accepted = r.next();
    const client = await connectTls(r.port, { minVersion: version, maxVersion: version, ciphers: suite, servername: 'localhost' });
    const t = await accepted;
    const info = await within(5000, 'info', t.info);
    expect(client.getProtocol()).toBe(version);
    expect(client.getCipher().name).toBe(suite);
    expect(info.version).toBe(version === 'TLSv1.3' ? 0x0304 : 0x0303);
    expect(cipherName(info.cipherSuite).name).toBe(suite);
    expect(info.serverName).toBe('localhost');
    expect(info.resumed).toBe(false);
    await echoOnce(client, `hello over ${version}`);
    await echoOnce(client, 'and again');
    await endCleanly(client);
    await within(5000, 'closed', t.closed);
  });

  it('an RSA certificate, TLS 1.2 ECDHE-RSA', async () => {
    const r = await serve({ certificates: [{ cert: rsa.cert, key: rsa.key }] });
    const accepted = r.next();
    const client = await connectTls(r.port, { ...TLS12, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    const t = await accepted;
    expect((await t.info).version).toBe(0x0303);
    await echoOnce(client, 'rsa');
    await endCleanly(client);
  });

  it('server-initiated KeyUpdate through `connection`, then echo', async () => {
    const r = await serve();
    const accepted = r.next();
    const client = await connectTls(r.port);
    const t = await accepted;
    await t.info;
    await echoOnce(client, 'before');
    t.connection.keyUpdate(true);
    // The KeyUpdate is flushed with the next write; an echo forces one.
    await echoOnce(client, 'after update_requested');
    await endCleanly(client);
  });
});

describe('data transfer', () => {
  it.each(['TLSv1.3', 'TLSv1.2'] as const)('%s: 4 MiB each way at once, checksums equal', async (version) => {
    const toServer = payload(4 << 20, 11);
    const toClient = payload(4 << 20, 12);
    let serverRead: Promise<{ length: number; sha256: string }> | undefined;
    const r = await serve({}, (t) => {
      serverRead = readWeb(t.readable);
      void (async () => {
        const w = t.writable.getWriter();
        // 64 KiB chunks; each write resolves once its ciphertext was handed to TCP.
        for (let off = 0; off < toClient.length; off += 64 << 10) await w.write(toClient.subarray(off, off + (64 << 10)));
        await w.close();
      })().catch(() => {});
    });
    const accepted = r.next();
    const client = await connectTls(r.port, { minVersion: version, maxVersion: version });
    const t = await accepted;
    const clientRead = readBytes(client, toClient.length, 60_000);
    client.write(toServer);
    expect((await clientRead).sha256).toBe(sha256(toClient));
    client.end();
    const got = await serverRead!;
    expect(got.length).toBe(toServer.length);
    expect(got.sha256).toBe(sha256(toServer));
    await within(5000, 'closed', t.closed);
    expect(t.connection.closeNotifySent).toBe(true);
    expect(t.connection.peerClosed).toBe(true);
  }, 90_000);

  it('8 MiB echoed through pipeTo', async () => {
    const r = await serve();
    const client = await connectTls(r.port);
    const data = payload(8 << 20, 1);
    const got = readBytes(client, data.length, 60_000);
    client.write(data);
    expect((await got).sha256).toBe(sha256(data));
    await endCleanly(client);
  }, 90_000);

  it('backpressure: a server that does not read stops reading TCP; the client’s writes back up', async () => {
    const r = await serve({}, null, { readableHighWaterMark: 16 << 10 });
    const accepted = r.next();
    const client = await connectTls(r.port);
    const t = await accepted;
    await t.info;
    const total = 16 << 20;
    const data = payload(total, 2);
    const writer = pumpWrites(client, data);
    await new Promise((res) => setTimeout(res, 400));
    expect(writer.sawBackpressure()).toBe(true);
    // Far from everything was taken off the client: most of it is still in its buffers.
    expect(writer.offered()).toBeLessThan(total);
    const got = await readWeb(t.readable, 60_000, total);
    expect(got.length).toBe(total);
    expect(got.sha256).toBe(sha256(data));
  }, 90_000);
});

describe('resumption with `session`', () => {
  /** Connects, echoes, waits for the first ticket (`session` event), ends cleanly. */
  async function firstSession(port: number, extra: object = {}): Promise<Buffer> {
    let gotSession: (s: Buffer) => void = () => {};
    const session = new Promise<Buffer>((resolve) => (gotSession = resolve));
    const client = await connectTls(port, { servername: 'localhost', ...extra }, 10_000, (c) => c.on('session', (s: Buffer) => gotSession(s)));
    expect(client.isSessionReused()).toBe(false);
    await echoOnce(client, 'hello');
    const s = await within(5000, 'the client session event', session);
    await endCleanly(client);
    return s;
  }

  it.each([
    ['TLSv1.3', 'stateless'],
    ['TLSv1.3', 'stateful'],
    ['TLSv1.2', 'stateless'],
  ] as const)('%s, tickets %s: the second connection resumes on both sides', async (version, tickets) => {
    const r = await serve({ tickets });
    const versions = { minVersion: version, maxVersion: version };
    const first = r.next();
    const session = await firstSession(r.port, versions);
    const t1 = await first;
    expect((await t1.info).resumed).toBe(false);
    await within(5000, 'first closed', t1.closed);

    const second = r.next();
    const client = await connectTls(r.port, { servername: 'localhost', session, ...versions });
    const t2 = await second;
    const info = await t2.info;
    expect(client.isSessionReused()).toBe(true);
    expect(info.resumed).toBe(true);
    expect(info.version).toBe(version === 'TLSv1.3' ? 0x0304 : 0x0303);
    await echoOnce(client, 'resumed');
    await endCleanly(client);
    expect(r.ctx.sessionStats.hits).toBe(1);
  }, 30_000);
});

describe('closing', () => {
  it('client end(): the readable ends, pipeTo closes the writable, close_notify both ways, `closed` resolves', async () => {
    let serverText: Promise<{ text: string }> | undefined;
    const r = await serve({}, (t) => {
      serverText = readWeb(t.readable);
    });
    const accepted = r.next();
    const client = await connectTls(r.port);
    const t = await accepted;
    const clientData = readAll(client);
    const clientClosed = once(client, 'close');
    client.end('bye');
    expect((await serverText!).text).toBe('bye');
    // Web streams are half-open: the client waits for our close_notify until we close.
    const w = t.writable.getWriter();
    await w.write(new TextEncoder().encode('bye to you'));
    await w.close();
    expect((await clientData).toString()).toBe('bye to you');
    await clientClosed;
    await within(5000, 'closed', t.closed);
    expect(t.connection.peerClosed).toBe(true);
    expect(t.connection.closeNotifySent).toBe(true);
    expect(t.connection.phase).toBe('closed');
    expect(t.connection.error).toBeNull();
  });

  it('server close(): the client sees the data and end; its close_notify ends our readable', async () => {
    const r = await serve({}, (t) => {
      void (async () => {
        const w = t.writable.getWriter();
        await w.write(new TextEncoder().encode('server bye'));
        await w.close();
      })();
    });
    const accepted = r.next();
    const client = await connectTls(r.port);
    const t = await accepted;
    const serverRead = readWeb(t.readable);
    expect((await readAll(client)).toString()).toBe('server bye');
    expect((await serverRead).length).toBe(0);
    await within(5000, 'closed', t.closed);
    expect(t.connection.peerClosed).toBe(true);
    expect(t.connection.closeNotifySent).toBe(true);
  });

  it('closing the writable before the handshake completed waits for it', async () => {
    const r = await serve({}, (t) => void t.writable.close().catch(() => {}));
    const accepted = r.next();
    const client = await connectTls(r.port);
    const t = await accepted;
    expect((await readAll(client)).length).toBe(0);
    expect((await t.info).version).toBe(0x0304);
    await within(5000, 'closed', t.closed);
  });

  it('a TCP reset after the handshake errors the streams; the server keeps serving', async () => {
    const r = await serve({}, null);
    const accepted = r.next();
    const tcp = await connectTcp(r.port);
    const client = await connectTls(r.port, { socket: tcp });
    client.on('error', () => {});
    const t = await accepted;
    await t.info;
    tcp.resetAndDestroy();
    await expect(within(5000, 'read after reset', readWeb(t.readable))).rejects.toThrow();
    await expect(within(5000, 'closed', t.closed)).rejects.toThrow();
    const accepted2 = r.next();
    const again = await connectTls(r.port);
    const t2 = await accepted2;
    void t2.readable.pipeTo(t2.writable).catch(() => {});
    await echoOnce(again, 'still alive');
    await endCleanly(again);
  });
});

describe('failures', () => {
  it('a TLS 1.2-only client against a TLS 1.3-only server: `info` rejects with the TlsError, the streams error, the client gets the alert', async () => {
    const r = await serve({ minVersion: 'TLSv1.3' }, null);
    const accepted = r.next();
    const e = await connectTlsFailure(r.port, TLS12);
    expect(e.message).toMatch(/protocol version/);
    const t = await accepted;
    const err = await t.info.then(
      () => null,
      (x: unknown) => x,
    );
    expect(isTlsError(err)).toBe(true);
    expect(isTlsError(err) && err.alert).toBe('protocol_version');
    await expect(t.readable.getReader().read()).rejects.toBe(err);
    await expect(t.writable.getWriter().write(new Uint8Array(1))).rejects.toBe(err);
    await expect(t.closed).rejects.toBe(err);
  });

  it('garbage: a TlsError, a plaintext fatal alert on the wire', async () => {
    const r = await serve({}, null);
    const accepted = r.next();
    const tcp = await connectTcp(r.port);
    const reply = readAll(tcp);
    tcp.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const t = await accepted;
    await expect(t.info).rejects.toSatisfy(isTlsError);
    const bytes = await reply;
    expect(bytes[0]).toBe(21);
    expect(bytes[5]).toBe(2);
  });

  it('EOF during the handshake: ECONNRESET (a hand-made ReadableStream: Node 20’s Duplex.toWeb reports EOF only after its writable side finished)', async () => {
    const r = await serve({}, null, {}, tcpToWeb);
    const accepted = r.next();
    const tcp = await connectTcp(r.port);
    tcp.end(Buffer.from([22, 3, 1, 0, 200, 1, 0]));
    const t = await accepted;
    const err = await t.info.then(
      () => null,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(TlsAdapterError);
    expect(isPuretlsError(err)).toBe(true);
    expect(isTlsAdapterError(err)).toBe(true);
    expect(isTlsError(err)).toBe(false);
    expect(err).toMatchObject({ code: 'ECONNRESET', reason: 'PeerDisconnected', alert: null, message: 'socket hang up' });
  });

  it('handshake timeout: a silent client fails with ERR_TLS_HANDSHAKE_TIMEOUT and is disconnected', async () => {
    const r = await serve({}, null, { handshakeTimeoutMs: 300 });
    const started = Date.now();
    const accepted = r.next();
    const tcp = await connectTcp(r.port);
    const tcpClosed = once(tcp, 'close', 5000);
    const t = await accepted;
    const err = await t.info.then(
      () => null,
      (x: unknown) => x,
    );
    expect(err).toMatchObject({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT', reason: 'HandshakeTimeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await tcpClosed;
  });

  it('an ignored failure is no unhandled rejection', async () => {
    const r = await serve({}, null);
    const accepted = r.next();
    const tcp = await connectTcp(r.port);
    tcp.end('not TLS at all\r\n');
    await accepted;
    // Nothing awaits info/closed/streams here: vitest fails the run on an unhandled rejection.
    await new Promise((res) => setTimeout(res, 100));
  });

  it('bad arguments throw', () => {
    const ctx = new ServerContext({ certificates: [{ cert: p256.cert, key: p256.key }] });
    const rs = () => new ReadableStream<Uint8Array>();
    const ws = () => new WritableStream<Uint8Array>();
    expect(() => accept({} as never, ws(), ctx)).toThrow(TypeError);
    expect(() => accept(rs(), {} as never, ctx)).toThrow(TypeError);
    expect(() => accept(rs(), ws(), {} as never)).toThrow(TypeError);
    expect(() => accept(rs(), ws(), ctx, { handshakeTimeoutMs: -1 })).toThrow(RangeError);
    expect(() => accept(rs(), ws(), ctx, { idleTimeoutMs: 1.5 })).toThrow(RangeError);
    expect(() => accept(rs(), ws(), ctx, { stats: {} as never })).toThrow(TypeError);
    expect(() => accept(rs(), ws(), ctx, { onServerClose: 'x' as never })).toThrow(TypeError);
    const locked = rs();
    locked.getReader();
    expect(() => accept(locked, ws(), ctx)).toThrow(TypeError);
  });
});

describe('the lifecycle shared with the Node adapter: idle timeout, counters, close reasons', () => {
  it('idleTimeoutMs: an idle connection gets close_notify (the client sees end); counted as IdleTimeout; writes after it fail', async () => {
    const stats = new ConnectionStats();
    const closes: ServerClose[] = [];
    const r = await serve({}, null, { idleTimeoutMs: 300, stats, onServerClose: (c) => closes.push(c) });
    const accepted = r.next();
    const client = await connectTls(r.port, { servername: 'localhost' });
    client.on('data', () => {});
    const t = await accepted;
    await t.info;
    const ended = once(client, 'end', 5000);
    const writer = t.writable.getWriter();
    await writer.write(new TextEncoder().encode('hello'));
    await ended;
    await within(5000, 'closed', t.closed);
    expect(closes.map((c) => [c.reason, c.phase, c.alert])).toEqual([['IdleTimeout', 'open', null]]);
    await expect(writer.write(new Uint8Array(1))).rejects.toMatchObject({ code: 'ERR_TLS_IDLE_TIMEOUT', reason: 'IdleTimeout' });
    expect(stats.snapshot()).toEqual({ connections: 1, handshakes: 1, handshakeFailures: 0, open: 0, handshaking: 0, closedByServer: { IdleTimeout: 1 } });
    client.destroy();
  });

  it('a handshake timeout and a failed handshake are counted; an alert we send names its reason, the peer\'s does not count', async () => {
    const stats = new ConnectionStats();
    const closes: ServerClose[] = [];
    const r = await serve({ alpnProtocols: ['h2'] }, null, { handshakeTimeoutMs: 200, stats, onServerClose: (c) => closes.push(c) });
    const silent = await connectTcp(r.port);
    await connectTlsFailure(r.port, { ALPNProtocols: ['spdy/1'] });
    await until('both failed', () => stats.handshakeFailures === 2, 5000);
    expect(closes.map((c) => c.reason).sort()).toEqual(['HandshakeTimeout', 'NoApplicationProtocol']);
    expect(stats.snapshot()).toMatchObject({ connections: 2, handshakes: 0, handshakeFailures: 2, handshaking: 0, closedByServer: { HandshakeTimeout: 1, NoApplicationProtocol: 1 } });
    silent.destroy();
  });
});

