/**
 * Node `tls.createServer()` option names on `createServer()` (issue #7): key/cert pairs, SNICallback
 * (sync, async, late, failing), ALPNProtocols, versions, ciphers, ticketKeys (48 bytes, shared by
 * two servers), and the `newSession`/`resumeSession` events with Node's client (TLS 1.2 session
 * ids, TLS 1.3 stateful tickets). Every wait is bounded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TLSSocket } from 'node:tls';
import { decodeSession } from '@puretls/session-cache';
import { mapNodeOptions, peekServerName, ticketKeyRingFromNodeKeys } from '../src/node/node-compat';
import type { SniAnswer } from '../src/node/node-compat';
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

  it('single strings; unequal counts, pfx and passphrase are TypeErrors', async () => {
    const r = await serve({ key: p256.key, cert: p256.cert });
    const c = await connectTls(r.port, { servername: 'localhost' });
    expect(cn(c)).toBe('localhost');
    c.destroy();
    expect(() => mapNodeOptions({ key: [certA.key, certB.key], cert: certA.cert })).toThrow(TypeError);
    expect(() => mapNodeOptions({ pfx: Buffer.alloc(1) } as never)).toThrow(/pfx/);
    expect(() => mapNodeOptions({ key: { pem: p256.key, passphrase: 'x' }, cert: p256.cert })).toThrow(/passphrase/);
  });
});

describe('ALPNProtocols, versions, ciphers, ecdhCurve', () => {
  it('ALPNProtocols in Node wire form (Buffer)', async () => {
    const wire = Buffer.concat([Buffer.from([2]), Buffer.from('h2'), Buffer.from([8]), Buffer.from('http/1.1')]);
    const r = await serve({ key: p256.key, cert: p256.cert, ALPNProtocols: wire });
    const c = await connectTls(r.port, { ALPNProtocols: ['http/1.1'] });
    expect(c.alpnProtocol).toBe('http/1.1');
    c.destroy();
    expect(mapNodeOptions({ key: p256.key, cert: p256.cert, ALPNProtocols: [Buffer.from('h2'), 'x'] }).context.alpnProtocols).toEqual(['h2', 'x']);
    expect(() => mapNodeOptions({ key: p256.key, cert: p256.cert, ALPNProtocols: Buffer.from([5, 0x61]) })).toThrow(RangeError);
  });

  it("minVersion 'TLSv1' serves TLS 1.2; maxVersion 'TLSv1.2'; ciphers picks known names", async () => {
    const r = await serve({ key: p256.key, cert: p256.cert, minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'HIGH:!aNULL:ECDHE-ECDSA-AES256-GCM-SHA384', ecdhCurve: 'P-256:bogus' });
    const c = await connectTls(r.port, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(c.getProtocol()).toBe('TLSv1.2');
    expect(c.getCipher().name).toBe('ECDHE-ECDSA-AES256-GCM-SHA384');
    expect(c.getEphemeralKeyInfo()).toMatchObject({ name: 'prime256v1' });
    c.destroy();
    expect(mapNodeOptions({ key: p256.key, cert: p256.cert, ecdhCurve: 'auto', ciphers: 'HIGH' }).context).not.toHaveProperty('groups');
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
        cb(null, name === 'b.example' ? answerB : undefined);
      },
    });
    const b = await connectTls(r.port, { servername: 'b.example' });
    const other = await connectTls(r.port, { servername: 'other.example' });
    const b2 = await connectTls(r.port, { servername: 'B.EXAMPLE' });
    expect(cn(b)).toBe('b.example');
    expect(cn(other)).toBe('localhost');
    expect(cn(b2)).toBe('b.example');
    expect(names).toEqual(['b.example', 'other.example', 'b.example']);
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

  it('peekServerName: split records, incomplete input, garbage', () => {
    // A minimal ClientHello with server_name "x.test", split over two records.
    const sni = Buffer.from([0, 0, 0, 11, 0, 9, 0, 0, 6, ...Buffer.from('x.test')]);
    const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32), Buffer.from([0, 0, 2, 0x13, 0x01, 1, 0]), Buffer.from([0, sni.length]), sni]);
    const msg = Buffer.concat([Buffer.from([1, 0, 0, body.length]), body]);
    const rec = (b: Buffer) => Buffer.concat([Buffer.from([22, 3, 1, b.length >> 8, b.length & 0xff]), b]);
    const two = Buffer.concat([rec(msg.subarray(0, 20)), rec(msg.subarray(20))]);
    expect(peekServerName(two)).toEqual({ complete: true, serverName: 'x.test' });
    expect(peekServerName(two.subarray(0, two.length - 1))).toEqual({ complete: false });
    expect(peekServerName(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual({ complete: true, serverName: undefined });
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
    expect(() => ticketKeyRingFromNodeKeys(new Uint8Array(32))).toThrow(RangeError);
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
    expect(decodeSession(data).version).toBe(0x0303);
    const second = await session(b.port, { ...opts, session: first.session! });
    expect(asked).toEqual([id]);
    expect(second.reused).toBe(true);
  });

  it('TLS 1.3 stateful tickets: each ticket is a newSession; the other server resumes via resumeSession', async () => {
    const { store, asked, a, b } = await pair({ tickets: 'stateful' });
    const first = await session(a.port);
    expect(store.size).toBe(2); // numTickets default 2
    for (const data of store.values()) expect(decodeSession(data).version).toBe(0x0304);
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
