/**
 * The Node adapter against Node's own TLS client (OpenSSL) over loopback: suites, groups, HRR,
 * ALPN, SNI, certificate types, KeyUpdate, large transfers, backpressure, closes, timeouts and
 * garbage. Every wait is bounded (helpers/net.ts `within`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTlsError } from '@puretls/record-layer';
import { ServerContext } from '../src/core/context';
import { createServer } from '../src/node/node-adapter';
import { signatureSchemeName } from '../src/cli/www';
import type { PureTlsSocket } from '../src/node/tls-socket';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { connectTcp, connectTls, connectTlsFailure, once, payload, pumpWrites, readAll, readBytes, sha256, startServer, within, type RunningServer } from '@puretls/test-support/net';

const certs = new CertDir();
let p256: TestCert;
let rsa: TestCert;
let p384: TestCert;
let ed25519: TestCert;
let certA: TestCert;
let certB: TestCert;
const running: RunningServer[] = [];

beforeAll(() => {
  p256 = certs.make('p256');
  rsa = certs.make('rsa2048');
  p384 = certs.make('p384');
  ed25519 = certs.make('ed25519');
  certA = certs.make('p256', 'a.example');
  certB = certs.make('p256', 'b.example');
}, 60_000);
afterAll(() => certs.cleanup());
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function serve(options: Partial<Parameters<typeof startServer>[0]> = {}, onSecure?: ((s: PureTlsSocket) => void) | null): Promise<RunningServer> {
  const r = await startServer({ certificates: [{ cert: p256.cert, key: p256.key }], ...options } as Parameters<typeof startServer>[0], onSecure);
  running.push(r);
  return r;
}

async function echoOnce(client: import('node:tls').TLSSocket, text: string): Promise<string> {
  const got = readBytes(client, text.length);
  client.write(text);
  await got;
  return text;
}

describe('handshake parameters', () => {
  it.each(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'])('suite %s', async (suite) => {
    const r = await serve();
    const secure = r.nextSecure();
    const client = await connectTls(r.port, { ciphers: suite, servername: 'localhost' });
    const s = await secure;
    expect(client.getProtocol()).toBe('TLSv1.3');
    expect(client.getCipher().name).toBe(suite);
    expect(s.getProtocol()).toBe('TLSv1.3');
    expect(s.getCipher()).toEqual({ name: suite, standardName: suite, version: 'TLSv1.3' });
    expect(s.encrypted).toBe(true);
    expect(s.authorized).toBe(false);
    expect(s.servername).toBe('localhost');
    expect(s.alpnProtocol).toBe(false);
    expect(s.isSessionReused()).toBe(false);
    expect(s.remoteAddress).toBe('127.0.0.1');
    expect(s.remotePort).toBe(client.localPort);
    expect(s.localPort).toBe(r.port);
    await echoOnce(client, 'ping');
    client.end();
  });

  it.each([
    ['X25519', 'x25519', 'X25519', 253],
    ['P-256', 'secp256r1', 'prime256v1', 256],
    ['P-384', 'secp384r1', 'secp384r1', 384],
  ] as const)('group %s', async (curve, group, nodeName, size) => {
    const r = await serve();
    const secure = r.nextSecure();
    const client = await connectTls(r.port, { ecdhCurve: curve });
    const s = await secure;
    expect(s.info?.group).toBe(group);
    expect(s.info?.helloRetry).toBe(false);
    expect(s.getEphemeralKeyInfo()).toEqual({ type: 'ECDH', name: nodeName, size });
    expect(client.getEphemeralKeyInfo()).toMatchObject({ name: nodeName, size });
    await echoOnce(client, 'group');
    client.end();
  });

  it('HelloRetryRequest when the client has no share for a server group', async () => {
    // OpenSSL sends a key share for its first group only (X25519); the server serves P-384 only.
    const r = await serve({ groups: ['secp384r1'] });
    const secure = r.nextSecure();
    const client = await connectTls(r.port, { ecdhCurve: 'X25519:P-384' });
    const s = await secure;
    expect(s.info?.helloRetry).toBe(true);
    expect(s.info?.group).toBe('secp384r1');
    expect(client.getEphemeralKeyInfo()).toMatchObject({ name: 'secp384r1' });
    await echoOnce(client, 'after HRR');
    client.end();
  });

  it('no common group → handshake_failure', async () => {
    const r = await serve({ groups: ['secp384r1'] });
    const err = r.nextClientError();
    const e = await connectTlsFailure(r.port, { ecdhCurve: 'X25519' });
    expect(e.message).toMatch(/alert/);
    const se = await err;
    expect(isTlsError(se)).toBe(true);
  });

  it('ALPN: the common protocol is chosen', async () => {
    const r = await serve({ alpnProtocols: ['h2', 'http/1.1'] });
    const secure = r.nextSecure();
    const client = await connectTls(r.port, { ALPNProtocols: ['foo', 'http/1.1'] });
    const s = await secure;
    expect(client.alpnProtocol).toBe('http/1.1');
    expect(s.alpnProtocol).toBe('http/1.1');
    client.end();
  });

  it('ALPN: no overlap → no_application_protocol (RFC 7301 §3.2)', async () => {
    const r = await serve({ alpnProtocols: ['h2'] });
    const err = r.nextClientError();
    const e = await connectTlsFailure(r.port, { ALPNProtocols: ['foo'] });
    expect(e.message).toMatch(/no application protocol/);
    const se = await err;
    expect(isTlsError(se) && se.alert).toBe('no_application_protocol');
  });

  it('SNI picks the certificate; unknown names get the first', async () => {
    const r = await serve({ certificates: [certA, certB].map((c) => ({ cert: c.cert, key: c.key })) });
    for (const [name, cn] of [
      ['b.example', 'b.example'],
      ['a.example', 'a.example'],
      ['c.example', 'a.example'],
    ] as const) {
      const secure = r.nextSecure();
      const client = await connectTls(r.port, { servername: name });
      const s = await secure;
      expect(client.getPeerCertificate().subject.CN).toBe(cn);
      expect(s.servername).toBe(name);
      client.end();
    }
  });

  it.each([
    ['rsa2048', 'rsa_pss_rsae_sha256'],
    ['p256', 'ecdsa_secp256r1_sha256'],
    ['p384', 'ecdsa_secp384r1_sha384'],
    ['ed25519', 'ed25519'],
  ] as const)('%s certificate', async (kind, scheme) => {
    const c = { rsa2048: rsa, p256, p384, ed25519 }[kind];
    const r = await serve({ certificates: [{ cert: c.cert, key: c.key }] });
    const secure = r.nextSecure();
    const client = await connectTls(r.port, { servername: 'localhost' });
    const s = await secure;
    expect(client.getPeerCertificate().subject.CN).toBe('localhost');
    expect(signatureSchemeName(s.info!.signatureScheme!)).toBe(scheme);
    await echoOnce(client, kind);
    client.end();
  });

  it('the node crypto provider and a shared { context }', async () => {
    const context = new ServerContext({ certificates: [{ cert: rsa.cert, key: rsa.key }], crypto: 'node' });
    const r = await startServer({ context });
    running.push(r);
    const secure = r.nextSecure();
    const client = await connectTls(r.port);
    await secure;
    await echoOnce(client, 'node provider');
    client.end();
  });

  it('a TLS 1.2-only client gets protocol_version from a TLS 1.3-only server', async () => {
    const r = await serve({ minVersion: 'TLSv1.3' });
    const err = r.nextClientError();
    const e = await connectTlsFailure(r.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(e.message).toMatch(/protocol version/);
    const se = await err;
    expect(isTlsError(se) && se.alert).toBe('protocol_version');
  });

  it('keylog lines equal the client’s', async () => {
    const r = await serve({ keyLog: true });
    const serverLines: string[] = [];
    r.server.on('keylog', (line) => serverLines.push(line.toString('latin1')));
    const clientLines: string[] = [];
    const secure = r.nextSecure();
    const client = await connectTls(r.port, {}, 10_000, (c) => c.on('keylog', (line) => clientLines.push(line.toString('latin1'))));
    await secure;
    await echoOnce(client, 'keylog');
    const labels = serverLines.map((l) => l.split(' ')[0]);
    expect(labels).toEqual(expect.arrayContaining(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0']));
    for (const l of serverLines) expect(l).toMatch(/^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,96}\n$/);
    // The client (OpenSSL) derived the very same secrets.
    expect(clientLines.length).toBeGreaterThanOrEqual(4);
    for (const l of clientLines) expect(serverLines).toContain(l);
    client.end();
  });
});

describe('data transfer', () => {
  it('8 MiB echoed (client → server → client), checksum equal', async () => {
    const r = await serve();
    const client = await connectTls(r.port);
    const data = payload(8 << 20, 1);
    const got = readBytes(client, data.length, 60_000);
    client.write(data);
    expect((await got).sha256).toBe(sha256(data));
    client.end();
  }, 90_000);

  it('server-initiated KeyUpdate (update_requested), then 8 MiB both ways', async () => {
    const r = await serve();
    const secure = r.nextSecure();
    const client = await connectTls(r.port);
    const s = await secure;
    await echoOnce(client, 'before');
    s.keyUpdate(true);
    await echoOnce(client, 'after update_requested');
    s.keyUpdate(false);
    const data = payload(8 << 20, 1);
    const got = readBytes(client, data.length, 60_000);
    client.write(data);
    expect((await got).sha256).toBe(sha256(data));
    // Keys rolled many times in a row still work.
    for (let i = 0; i < 5; i++) s.keyUpdate(i % 2 === 0);
    await echoOnce(client, 'after many updates');
    client.end();
  }, 90_000);

  it('backpressure: a slow client reader pauses the server writer', async () => {
    const total = 16 << 20;
    const data = payload(total, 2);
    let writer: ReturnType<typeof pumpWrites> | undefined;
    // Write 256 KiB chunks, honouring write()'s answer.
    const r = await serve({}, (s) => (writer = pumpWrites(s, data)));
    const secure = r.nextSecure();
    const client = await connectTls(r.port);
    const s = await secure;
    client.pause();
    await new Promise((res) => setTimeout(res, 300));
    expect(writer?.sawBackpressure()).toBe(true);
    // Bounded buffering while the client is not reading: far less than the 16 MiB offered.
    expect(s.writableLength + s.tcp.writableLength).toBeLessThan(8 << 20);
    const got = readBytes(client, total, 60_000);
    client.resume();
    expect((await got).sha256).toBe(sha256(data));
    client.end();
  }, 90_000);

  it('backpressure: a slow server reader pauses the TCP socket', async () => {
    const r = await serve({}, null);
    const secure = r.nextSecure();
    const client = await connectTls(r.port);
    const s = await secure;
    const total = 16 << 20;
    const data = payload(total, 2);
    const writer = pumpWrites(client, data);
    // The server application does not read: the TLS socket's buffer fills, TCP is paused.
    await within(10_000, 'server TCP paused', (async () => {
      while (!s.tcp.isPaused()) await new Promise((res) => setTimeout(res, 20));
    })());
    await new Promise((res) => setTimeout(res, 200));
    expect(writer.sawBackpressure()).toBe(true);
    expect(s.readableLength).toBeLessThan(4 << 20);
    const got = readBytes(s, total, 60_000);
    expect((await got).sha256).toBe(sha256(data));
    client.end();
  }, 90_000);
});

describe('closing', () => {
  it('client end(): the server sees end, answers close_notify, both close cleanly', async () => {
    const r = await serve({}, null);
    const secure = r.nextSecure();
    const client = await connectTls(r.port);
    const s = await secure;
    const serverData = readAll(s);
    const clientData = readAll(client);
    const serverClosed = once(s, 'close');
    client.end('bye');
    expect((await serverData).toString()).toBe('bye');
    await clientData;
    await serverClosed;
    expect(s.connection!.peerClosed).toBe(true);
    expect(s.connection!.closeNotifySent).toBe(true);
    expect(s.connection!.phase).toBe('closed');
    expect(s.connection!.error).toBeNull();
  });

  it('server end(): the client sees end; its close_notify reaches the server', async () => {
    const r = await serve({}, (s) => s.end('server bye'));
    const secure = r.nextSecure();
    const client = await connectTls(r.port);
    const s = await secure;
    const serverEnded = once(s, 'end');
    const serverClosed = once(s, 'close');
    s.resume();
    expect((await readAll(client)).toString()).toBe('server bye');
    // Node's client answers our close_notify with its own when it ends (allowHalfOpen false).
    await serverEnded;
    await serverClosed;
    expect(s.connection!.closeNotifySent).toBe(true);
    expect(s.connection!.peerClosed).toBe(true);
  });

  it('a TCP reset after the handshake does not crash the server', async () => {
    const r = await serve();
    const secure = r.nextSecure();
    const tcp = await connectTcp(r.port);
    const client = await connectTls(r.port, { socket: tcp });
    client.on('error', () => {});
    const s = await secure;
    const closed = once(s, 'close');
    tcp.resetAndDestroy();
    await closed;
    const again = await connectTls(r.port);
    await echoOnce(again, 'still alive');
    again.end();
  });
});

describe('failures', () => {
  it('handshake timeout: a silent client gets tlsClientError and is disconnected', async () => {
    const r = await serve({ handshakeTimeout: 300 });
    const started = Date.now();
    const err = r.nextClientError(5000);
    const tcp = await connectTcp(r.port);
    const tcpClosed = once(tcp, 'close', 5000);
    const e = (await err) as Error & { code?: string };
    expect(e.code).toBe('ERR_TLS_HANDSHAKE_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(3000);
    await tcpClosed;
  });

  it('garbage from the client: tlsClientError with a TlsError, an alert, the server survives', async () => {
    const r = await serve();
    const err = r.nextClientError();
    const tcp = await connectTcp(r.port);
    const reply = readAll(tcp);
    tcp.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const e = await err;
    expect(isTlsError(e)).toBe(true);
    const bytes = await reply;
    // A plaintext alert record: content type 21, then level fatal (2).
    expect(bytes[0]).toBe(21);
    expect(bytes[5]).toBe(2);
    const client = await connectTls(r.port);
    await echoOnce(client, 'after garbage');
    client.end();
  });

  it('random bytes after a valid start, and EOF during the handshake, are client errors', async () => {
    const r = await serve();
    for (let i = 0; i < 5; i++) {
      const err = r.nextClientError();
      const tcp = await connectTcp(r.port);
      tcp.on('error', () => {});
      tcp.end(Buffer.concat([Buffer.from([22, 3, 1, 0, 200]), payload(i * 40, 3 + i)]));
      await err;
    }
    expect(r.clientErrors.length).toBe(5);
    const client = await connectTls(r.port);
    await echoOnce(client, 'ok');
    client.end();
  });

  it('bad options throw at construction', () => {
    expect(() => createServer({ certificates: 'x' as never })).toThrow(TypeError);
    expect(() => createServer({ certificates: [{ cert: p256.cert, key: p256.key }], fooBar: 1 } as never)).toThrow(/fooBar: unknown option/);
    // A context and context options at once: the options would be ignored, so they are refused.
    expect(() => createServer({ context: new ServerContext({ certificates: [] }), certificates: [{ cert: p256.cert, key: p256.key }] } as never)).toThrow(/give certificates to the ServerContext/);
    expect(() => createServer({ certificates: [{ cert: p256.cert, key: p256.key }], handshakeTimeout: -1 })).toThrow(RangeError);
    expect(() => createServer({ context: {} as ServerContext })).toThrow(TypeError);
  });
});
