/**
 * Node `tls.createServer()` option names on `createServer()` (issue #7): key/cert pairs, SNICallback
 * (sync, async, late, failing), ALPNProtocols, versions, ciphers, ticketKeys (48 bytes, shared by
 * two servers), and the `newSession`/`resumeSession` events with Node's client (TLS 1.2 session
 * ids, TLS 1.3 stateful tickets). Every wait is bounded.
 */
import { decodeSessionState } from '@puretls/handshake-state-machine/internal';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TLSSocket } from 'node:tls';
import { decodeSession } from '@puretls/session-cache';
import { clientHelloLimits } from '@puretls/handshake-state-machine/internal';
import { ClientHelloPeek, peekLimit } from '../src/node/client-hello-peek';
import { createServer } from '../src/node/node-adapter';
import { mapContextOptions, parseAlpn, ticketKeyRingFromNodeKeys } from '../src/node/node-compat';
import type { SniAnswer } from '../src/node/server-contexts';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { connectTls, connectTlsFailure, payload, readBytes, startServer, within, type RunningServer } from '@puretls/test-support/net';

const certs = new CertDir();
let p256: TestCert;
let certA: TestCert;
let certB: TestCert;
const running: RunningServer[] = [];

beforeAll(() => {
  p256 = certs.make('p256');
  certA = certs.make('p256', 'a.example');
  certB = certs.make('p256', 'b.example');
}, 60_000);
afterAll(() => certs.cleanup());
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function serve(options: Parameters<typeof startServer>[0]): Promise<RunningServer> {
  const r = await startServer(options);
  running.push(r);
  return r;
}

function cn(client: TLSSocket): string | undefined {
  const v = client.getPeerCertificate().subject?.CN;
  return Array.isArray(v) ? v[0] : v;
}

/** Connects, echoes one byte (so tickets arrive), returns the client's last session and reuse flag. */
async function session(port: number, opts: Parameters<typeof connectTls>[1] = {}): Promise<{ session: Buffer | undefined; reused: boolean }> {
  let last: Buffer | undefined;
  const c = await connectTls(port, opts, 10_000, (s) => s.on('session', (b: Buffer) => (last = b)));
  const got = readBytes(c, 1);
  c.write('x');
  await got;
  await new Promise((r) => setTimeout(r, 30));
  const reused = c.isSessionReused();
  c.end();
  return { session: last, reused };
}

describe('key / cert', () => {
  it('arrays pair in order; SNI picks among them', async () => {
    const r = await serve({ key: [certA.key, Buffer.from(certB.key)], cert: [certA.cert, Buffer.from(certB.cert)] });
    const a = await connectTls(r.port, { servername: 'a.example' });
    const b = await connectTls(r.port, { servername: 'b.example' });
    expect(cn(a)).toBe('a.example');
    expect(cn(b)).toBe('b.example');
    a.destroy();
    b.destroy();
  });

  it('single strings; a key without its certificate (or the reverse) is a TypeError naming it', async () => {
    const r = await serve({ key: p256.key, cert: p256.cert });
    const c = await connectTls(r.port, { servername: 'localhost' });
    expect(cn(c)).toBe('localhost');
    c.destroy();
    expect(() => createServer({ key: [certA.key, certB.key], cert: certA.cert })).toThrow(/options\.key\[1\]: key values mismatch/);
    expect(() => createServer({ key: certA.key, cert: [certA.cert, certB.cert] })).toThrow(/options\.cert\[1\]: no key/);
  });
});

describe('ALPNProtocols, versions, ciphers, ecdhCurve', () => {
  it('ALPNProtocols in Node wire form (Buffer)', async () => {
    const wire = Buffer.concat([Buffer.from([2]), Buffer.from('h2'), Buffer.from([8]), Buffer.from('http/1.1')]);
    const r = await serve({ key: p256.key, cert: p256.cert, ALPNProtocols: wire });
    const c = await connectTls(r.port, { ALPNProtocols: ['http/1.1'] });
    expect(c.alpnProtocol).toBe('http/1.1');
    c.destroy();
    expect(parseAlpn([Buffer.from('h2'), 'x'])).toEqual(['h2', 'x']);
    expect(() => createServer({ key: p256.key, cert: p256.cert, ALPNProtocols: Buffer.from([5, 0x61]) })).toThrow(RangeError);
  });

  it("maxVersion 'TLSv1.2', an OpenSSL cipher string and ecdhCurve; TLSv1 and unknown curves refused", async () => {
    const r = await serve({ key: p256.key, cert: p256.cert, maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:HIGH:!aNULL', ecdhCurve: 'P-256:X448' });
    const c = await connectTls(r.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(c.getProtocol()).toBe('TLSv1.2');
    expect(c.getCipher().name).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
    expect(c.getEphemeralKeyInfo()).toMatchObject({ name: 'prime256v1' });
    c.destroy();
    expect(mapContextOptions({ key: p256.key, cert: p256.cert, ecdhCurve: 'auto', ciphers: 'HIGH' }, 'options')).not.toHaveProperty('groups');
    expect(() => createServer({ key: p256.key, cert: p256.cert, minVersion: 'TLSv1' as never })).toThrow(/serves only TLSv1\.2 and TLSv1\.3/);
    expect(() => createServer({ key: p256.key, cert: p256.cert, ecdhCurve: 'P-256:bogus' })).toThrow(/Failed to set ECDH curve/);
  });
});

describe('SNICallback', () => {
  const answerB: SniAnswer = { key: '', cert: '' };
  beforeAll(() => Object.assign(answerB as object, { key: certB.key, cert: certB.cert }));

  it('synchronous answer: { key, cert } for the name, default otherwise', async () => {
    const names: string[] = [];
    const r = await serve({
      key: p256.key,
      cert: p256.cert,
      SNICallback: (name, cb) => {
        names.push(name);
        cb(null, name.toLowerCase() === 'b.example' ? answerB : undefined);
      },
    });
    const b = await connectTls(r.port, { servername: 'b.example' });
    const other = await connectTls(r.port, { servername: 'other.example' });
    const b2 = await connectTls(r.port, { servername: 'B.EXAMPLE' });
    expect(cn(b)).toBe('b.example');
    expect(cn(other)).toBe('localhost');
    expect(cn(b2)).toBe('b.example');
    // As Node: the name as the client sent it.
    expect(names).toEqual(['b.example', 'other.example', 'B.EXAMPLE']);
    for (const c of [b, other, b2]) c.destroy();
  });

  it('asynchronous answer within sniTimeout is used', async () => {
    const r = await serve({ key: p256.key, cert: p256.cert, sniTimeout: 2000, SNICallback: (_n, cb) => setTimeout(() => cb(null, answerB), 30) });
    const c = await connectTls(r.port, { servername: 'b.example' });
    expect(cn(c)).toBe('b.example');
    const got = readBytes(c, 5);
    c.write('hello');
    await got;
    c.destroy();
  });

  it('a late answer is ignored: the default certificate is used', async () => {
    let lateCalled = false;
    const r = await serve({
      key: p256.key,
      cert: p256.cert,
      sniTimeout: 50,
      SNICallback: (_n, cb) =>
        setTimeout(() => {
          lateCalled = true;
          cb(null, answerB);
        }, 300),
    });
    const c = await connectTls(r.port, { servername: 'b.example' });
    expect(cn(c)).toBe('localhost');
    await within(2000, 'late callback', new Promise<void>((res) => setTimeout(res, 350)));
    expect(lateCalled).toBe(true);
    c.destroy();
  });

  it('cb(err) fails the handshake: tlsClientError carries the error', async () => {
    const boom = new Error('no certificate for you');
    const r = await serve({ key: p256.key, cert: p256.cert, SNICallback: (_n, cb) => cb(boom) });
    const err = r.nextClientError();
    await connectTlsFailure(r.port, { servername: 'b.example' });
    expect(await err).toBe(boom);
  });

  it('no server_name: the callback is not called', async () => {
    let called = false;
    const r = await serve({ key: p256.key, cert: p256.cert, SNICallback: (_n, cb) => ((called = true), cb(null)) });
    const c = await connectTls(r.port, { servername: '' });
    expect(called).toBe(false);
    c.destroy();
  });

  /** A minimal ClientHello with one extension (server_name by default) holding `data`, as one handshake message. */
  function clientHello(data: Buffer, type = 0): Buffer {
    const sni = Buffer.concat([Buffer.from([type >> 8, type & 0xff, data.length >> 8, data.length & 0xff]), data]);
    const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32), Buffer.from([0, 0, 2, 0x13, 0x01, 1, 0]), Buffer.from([sni.length >> 8, sni.length & 0xff]), sni]);
    return Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  }
  const hostName = (name: string) => Buffer.concat([Buffer.from([0, name.length + 3, 0, 0, name.length]), Buffer.from(name, 'latin1')]);
  const rec = (b: Buffer, type = 22) => Buffer.concat([Buffer.from([type, 3, 1, b.length >> 8, b.length & 0xff]), b]);
  /** Feeds `bytes` to a fresh peek in `chunk`-byte pieces; the last answer. */
  function peek(bytes: Buffer, chunk = bytes.length, limits = clientHelloLimits({})) {
    const p = new ClientHelloPeek(limits);
    let r = p.push(new Uint8Array(0));
    for (let i = 0; i < bytes.length; i += chunk) r = p.push(bytes.subarray(i, i + chunk));
    return r;
  }

  it('ClientHelloPeek (record-layer framing, the handshake package\'s ClientHello reader): split records and chunks, incomplete input', () => {
    const msg = clientHello(hostName('X.Test'));
    const two = Buffer.concat([rec(msg.subarray(0, 20)), rec(msg.subarray(20))]);
    // The name as sent (Node gives SNICallback the client's spelling).
    expect(peek(two)).toEqual({ complete: true, serverName: 'X.Test', alpn: undefined });
    for (const chunk of [1, 3, 7, 64]) expect(peek(two, chunk)).toEqual({ complete: true, serverName: 'X.Test', alpn: undefined });
    expect(peek(two.subarray(0, two.length - 1))).toEqual({ complete: false });
    // No server_name (a GREASE extension instead): complete, no name.
    expect(peek(rec(clientHello(Buffer.alloc(0), 0x0a0a)))).toEqual({ complete: true, serverName: undefined, alpn: undefined });
    // ALPN (RFC 7301 §3.1): the offer, in order.
    const alpn = Buffer.from([0, 6, 2, 0x68, 0x32, 1, 0x78, 0]).subarray(0, 7);
    alpn.writeUInt16BE(5, 0);
    expect(peek(rec(clientHello(alpn, 16)))).toEqual({ complete: true, serverName: undefined, alpn: ['h2', 'x'] });
  });

  it('ClientHelloPeek: anything but a well-formed ClientHello is "no name" (the connection\'s own parse sends the alert)', () => {
    const none = { complete: true, serverName: undefined, alpn: undefined };
    expect(peek(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual(none);
    // An application-data record first, a ServerHello type, two host names, a control character.
    expect(peek(rec(clientHello(hostName('a.test')), 23))).toEqual(none);
    const serverHello = clientHello(hostName('a.test'));
    serverHello[0] = 2;
    expect(peek(rec(serverHello))).toEqual(none);
    const twice = Buffer.concat([hostName('a.test'), hostName('b.test').subarray(2)]);
    twice.writeUInt16BE(twice.length - 2, 0);
    expect(peek(rec(clientHello(twice)))).toEqual(none);
    expect(peek(rec(clientHello(hostName('a\x01b'))))).toEqual(none);
    // Larger than the context's ClientHello limit: refused without being buffered further.
    const limits = clientHelloLimits({ clientHelloLimits: { maxLength: 1024 } });
    const big = clientHello(hostName('a.test'));
    big.writeUIntBE(2000, 1, 3);
    expect(peek(rec(big), big.length + 5, limits)).toEqual(none);
    // Bytes beyond the peek's bound without a whole ClientHello: no name.
    const header = Buffer.from([1, 0, 0x03, 0xfc]);
    const tiny = Buffer.concat([rec(header), ...Array.from({ length: peekLimit(limits) }, () => rec(Buffer.from([0])))]);
    expect(peek(tiny, 64, limits)).toEqual(none);
  });
});

describe('ticketKeys (Node 48-byte format)', () => {
  it('two servers with the same 48 bytes open each other’s tickets; other keys do not', async () => {
    const keys = payload(48, 7);
    const a = await serve({ key: p256.key, cert: p256.cert, ticketKeys: keys });
    const b = await serve({ key: p256.key, cert: p256.cert, ticketKeys: Buffer.from(keys) });
    const c = await serve({ key: p256.key, cert: p256.cert, ticketKeys: payload(48, 8) });
    const first = await session(a.port);
    expect(first.session).toBeDefined();
    expect((await session(b.port, { session: first.session! })).reused).toBe(true);
    expect((await session(c.port, { session: first.session! })).reused).toBe(false);
    expect(ticketKeyRingFromNodeKeys(keys)).toEqual(ticketKeyRingFromNodeKeys(Buffer.from(keys)));
    expect(() => ticketKeyRingFromNodeKeys(new Uint8Array(32))).toThrow(/exactly 48 bytes/);
  });
});

describe('newSession / resumeSession events', () => {
  /** Two servers sharing an external store through Node's events only. */
  async function pair(extra: Record<string, unknown>) {
    const store = new Map<string, Buffer>();
    const asked: string[] = [];
    const make = async () => {
      const r = await serve({ key: p256.key, cert: p256.cert, ...extra });
      r.server.on('newSession', (id, data, cb) => {
        store.set(id.toString('hex'), data);
        cb();
      });
      r.server.on('resumeSession', (id, cb) => {
        asked.push(id.toString('hex'));
        setImmediate(() => cb(null, store.get(id.toString('hex')) ?? null));
      });
      return r;
    };
    return { store, asked, a: await make(), b: await make() };
  }

  it('TLS 1.2 session ids (tickets off): stored on one server, resumed on the other', async () => {
    const { store, asked, a, b } = await pair({ tickets: 'off' });
    const opts = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
    const first = await session(a.port, opts);
    expect(store.size).toBe(1);
    const [id, data] = [...store][0]!;
    expect(decodeSessionState(decodeSession(data).state)?.version).toBe(0x0303);
    const second = await session(b.port, { ...opts, session: first.session! });
    expect(asked).toEqual([id]);
    expect(second.reused).toBe(true);
  });

  it('TLS 1.3 stateful tickets: each ticket is a newSession; the other server resumes via resumeSession', async () => {
    const { store, asked, a, b } = await pair({ tickets: 'stateful' });
    const first = await session(a.port);
    expect(store.size).toBe(2); // numTickets default 2
    for (const data of store.values()) expect(decodeSessionState(decodeSession(data).state)?.version).toBe(0x0304);
    const second = await session(b.port, { session: first.session! });
    expect(asked).toHaveLength(1);
    expect(store.has(asked[0]!)).toBe(true);
    expect(second.reused).toBe(true);
  });

  it('a resumeSession answer that does not decode is a miss, not an error', async () => {
    const r = await serve({ key: p256.key, cert: p256.cert, tickets: 'off' });
    const first = await session(r.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    const other = await serve({ key: p256.key, cert: p256.cert, tickets: 'off' });
    other.server.on('resumeSession', (_id, cb) => cb(null, Buffer.from('garbage')));
    const second = await session(other.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', session: first.session! });
    expect(second.reused).toBe(false);
    expect(other.clientErrors).toEqual([]);
  });
});
