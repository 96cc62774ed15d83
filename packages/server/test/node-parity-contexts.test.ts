/**
 * Certificates and contexts against Node's own server: `pfx`/`passphrase`, encrypted keys,
 * several key types, the chain completed from `ca`, a server without a certificate,
 * `SNICallback` answering a secure context, `addContext`, `setSecureContext` (hot reload, with a
 * connection in flight), ticket keys, non-ASCII dNSNames. Each scenario runs on both servers; the
 * client-side view (certificate served, chain, authorization, resumption) must be the same.
 */
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert, type TestChain } from '@puretls/test-support/certs';
import { clientOutcome, errorShape, onBothServers, readBytes, thrown, within, type ParityRun } from '@puretls/test-support/net';
import { createSecureContext } from '../src/node/secure-context';

const certs = new CertDir();
let p256: TestCert;
let rsa: TestCert;
let a: TestCert;
let b: TestCert;
let chain: TestChain;

beforeAll(() => {
  p256 = certs.make('p256');
  rsa = certs.make('rsa2048');
  a = certs.make('p256', 'a.example.com');
  b = certs.make('p256', 'b.example.com');
  chain = certs.chain('p256');
}, 120_000);
afterAll(() => certs.cleanup());

/** What a Node client sees of the server's certificate: leaf CN, key type, the chain's CNs, authorization. */
interface Seen {
  readonly ok: boolean;
  readonly code?: string;
  readonly cn?: string;
  readonly keyType?: string;
  readonly chain?: string[];
  readonly authorized?: boolean;
  readonly fingerprint?: string;
}

function see(port: number, options: tls.ConnectionOptions = {}): Promise<Seen> {
  return within(
    10_000,
    'client',
    new Promise((resolve) => {
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
        const peer = c.getPeerCertificate(true);
        const names: string[] = [];
        for (let x: tls.DetailedPeerCertificate | undefined = peer, i = 0; x && x.subject && i < 5; x = x.issuerCertificate === x ? undefined : x.issuerCertificate, i++) names.push(String(x.subject.CN));
        resolve({ ok: true, cn: String(peer.subject?.CN), keyType: peer.asn1Curve ? 'ec' : peer.bits ? 'rsa' : 'other', chain: names, authorized: c.authorized, fingerprint: peer.fingerprint256 });
        c.destroy();
      });
      c.on('error', (e: Error & { code?: string }) => {
        resolve({ ok: false, code: e.code });
        c.destroy();
      });
    }),
  );
}

/** The implementation's `createSecureContext` (Node's, or puretls's). */
function secureContextOf(run: ParityRun, options: tls.SecureContextOptions): unknown {
  return run.impl === 'node' ? tls.createSecureContext(options) : createSecureContext(options as never);
}

describe('key, cert, pfx, passphrase', () => {
  it('pfx with passphrase (the file\u2019s other certificates complete the chain); { buf, passphrase } in an array', async () => {
    const pfx = certs.pkcs12(chain.leaf, 'secret', [chain.intermediate]);
    const r = await onBothServers(async ({ start }) => {
      const s1 = await start({ pfx, passphrase: 'secret' });
      const s2 = await start({ pfx: [{ buf: pfx, passphrase: 'secret' }] });
      return [await see(s1.port, { ca: chain.root.cert, servername: 'localhost' }), await see(s2.port)];
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node[0]).toMatchObject({ ok: true, authorized: true, chain: ['localhost', 'Intermediate localhost', 'Root localhost'] });
  });

  it('a pfx with a wrong passphrase, or none: both refuse at creation', async () => {
    const pfx = certs.pkcs12(p256, 'secret');
    const r = await onBothServers(({ create }) => [thrown(() => create({ pfx, passphrase: 'wrong' }))?.message, thrown(() => create({ pfx }))?.message]);
    for (const m of [...r.node, ...r.puretls]) expect(m).toMatch(/mac verify failure/);
  });

  it('an encrypted PKCS#8 key: passphrase, per-key { pem, passphrase }; a wrong one is ERR_OSSL_BAD_DECRYPT on both', async () => {
    const enc = certs.encryptedKey(p256, 'pw');
    const r = await onBothServers(async ({ start, create }) => {
      const s1 = await start({ key: enc, cert: p256.cert, passphrase: 'pw' });
      const s2 = await start({ key: [{ pem: enc, passphrase: 'pw' }], cert: p256.cert });
      return [await see(s1.port), await see(s2.port), errorShape(thrown(() => create({ key: enc, cert: p256.cert, passphrase: 'no' }))), errorShape(thrown(() => create({ key: enc, cert: p256.cert })))];
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node[2]).toEqual({ name: 'Error', code: 'ERR_OSSL_BAD_DECRYPT' });
  });

  it('garbage as key or cert: Node\u2019s codes', async () => {
    const r = await onBothServers(({ create }) => [errorShape(thrown(() => create({ key: 'junk', cert: p256.cert }))), errorShape(thrown(() => create({ key: p256.key, cert: 'junk' })))]);
    expect(r.puretls).toEqual(r.node);
  });

  it('several key/cert pairs are matched by key type, not by position; the client\u2019s signature algorithms pick', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: [p256.key, rsa.key], cert: [rsa.cert, p256.cert] });
      return [await see(s.port), await see(s.port, { sigalgs: 'ECDSA+SHA256' }), await see(s.port, { sigalgs: 'RSA-PSS+SHA256' }), await see(s.port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' })];
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.map((x) => x.keyType)).toEqual(['ec', 'ec', 'rsa', 'rsa']);
  });
});

describe('the chain completed from ca', () => {
  it.each([
    ['ca: intermediate and root', () => ({ ca: [chain.intermediate.cert, chain.root.cert] })],
    ['ca: both in one string', () => ({ ca: chain.intermediate.cert + chain.root.cert })],
    ['ca: the intermediate only', () => ({ ca: chain.intermediate.cert })],
    ['ca: the root only (no path)', () => ({ ca: chain.root.cert })],
    ['no ca', () => ({})],
    ['a cert PEM with its chain is kept as it is', () => ({ cert: chain.leaf.cert + chain.intermediate.cert, ca: chain.root.cert })],
  ])('%s', async (_what, extra) => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: chain.leaf.key, cert: chain.leaf.cert, ...extra() });
      return [await see(s.port, { ca: chain.root.cert, servername: 'localhost', rejectUnauthorized: false }), await see(s.port)];
    });
    expect(r.puretls).toEqual(r.node);
  });
});

describe('certificates only through SNI', () => {
  it('no certificate up front, addContext: a named client gets its certificate, an unnamed one fails as on Node', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({});
      s.server.addContext('a.example.com', { key: a.key, cert: a.cert });
      return [await see(s.port, { servername: 'a.example.com' }), await see(s.port, { servername: 'other.example.com' }), await see(s.port)];
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node[0]).toMatchObject({ ok: true, cn: 'a.example.com' });
    expect(r.node[2]).toMatchObject({ ok: false });
  });

  it('addContext: * is one label; the last added match wins; the default otherwise', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256.key, cert: p256.cert });
      s.server.addContext('*.example.com', { key: a.key, cert: a.cert });
      s.server.addContext('b.example.com', { key: b.key, cert: b.cert });
      return Promise.all(['x.example.com', 'b.example.com', 'x.y.example.com', 'example.com', 'localhost'].map(async (n) => (await see(s.port, { servername: n })).cn));
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual(['a.example.com', 'b.example.com', 'localhost', 'localhost', 'localhost']);
  });

  it('addContext errors: no host name is ERR_TLS_REQUIRED_SERVER_NAME', async () => {
    const r = await onBothServers(({ create }) => errorShape(thrown(() => create({ key: p256.key, cert: p256.cert }).addContext('', { key: a.key, cert: a.cert }))));
    expect(r.puretls).toEqual(r.node);
  });

  it('SNICallback answering createSecureContext() (Node\u2019s on Node, puretls\u2019s on puretls), also asynchronously, or its .context', async () => {
    const r = await onBothServers(async (run) => {
      const ctxA = secureContextOf(run, { key: a.key, cert: a.cert });
      const ctxB = secureContextOf(run, { key: b.key, cert: b.cert });
      const s = await run.start({
        key: p256.key,
        cert: p256.cert,
        SNICallback: (name: string, cb: (e: Error | null, c?: unknown) => void) => {
          if (name === 'a.example.com') cb(null, ctxA);
          else if (name === 'b.example.com') setTimeout(() => cb(null, (ctxB as { context: unknown }).context), 20);
          else cb(null);
        },
      });
      return [await see(s.port, { servername: 'a.example.com' }), await see(s.port, { servername: 'b.example.com' }), await see(s.port, { servername: 'c.example.com' })].map((x) => x.cn);
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual(['a.example.com', 'b.example.com', 'localhost']);
  });

  it('differs: an SNICallback answering Node\u2019s own tls.SecureContext works on Node; on puretls cb throws a TypeError and the handshake fails with it', async () => {
    const r = await onBothServers(async ({ start }) => {
      let thrownAtCall: Error | undefined;
      const nodeCtx = tls.createSecureContext({ key: a.key, cert: a.cert });
      const s = await start({
        key: p256.key,
        cert: p256.cert,
        SNICallback: (_n: string, cb: (e: Error | null, c?: unknown) => void) => {
          try {
            cb(null, nodeCtx);
          } catch (e) {
            thrownAtCall = e as Error;
          }
        },
      });
      const err = s.nextClientError().catch(() => undefined);
      const seen = await see(s.port, { servername: 'a.example.com' });
      return { seen: seen.cn ?? seen.ok, thrownAtCall: thrownAtCall?.message, clientError: seen.ok ? undefined : (await err)?.message };
    });
    expect(r.node).toEqual({ seen: 'a.example.com', thrownAtCall: undefined, clientError: undefined });
    expect(r.puretls.seen).toBe(false);
    expect(r.puretls.thrownAtCall).toMatch(/a Node tls\.SecureContext .* cannot be used/);
    expect(r.puretls.clientError).toBe(r.puretls.thrownAtCall);
  });
});

describe('setSecureContext: hot reload', () => {
  it('new connections get the new certificate; a connection in flight keeps working on the old one', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: a.key, cert: a.cert });
      const old = await within(
        10_000,
        'first client',
        new Promise<tls.TLSSocket>((resolve) => {
          const c = tls.connect({ host: '127.0.0.1', port: s.port, rejectUnauthorized: false }, () => resolve(c));
          c.on('error', () => {});
        }),
      );
      const before = String(old.getPeerCertificate().subject.CN);
      s.server.setSecureContext({ key: b.key, cert: b.cert });
      const after = (await see(s.port)).cn;
      const echoed = readBytes(old, 5);
      old.write('still');
      await echoed;
      old.destroy();
      return { before, after, oldStillWorks: true };
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ before: 'a.example.com', after: 'b.example.com', oldStillWorks: true });
  });

  it('options not given are back at their defaults (ciphers), as Node; a bad call changes nothing', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256.key, cert: p256.cert, ciphers: 'TLS_CHACHA20_POLY1305_SHA256:ECDHE-ECDSA-AES128-GCM-SHA256' });
      const first = await clientOutcome(s.port);
      const bad = errorShape(thrown(() => s.server.setSecureContext({ key: p256.key, cert: p256.cert, ciphers: 'bogus' })));
      const stillFirst = await clientOutcome(s.port);
      s.server.setSecureContext({ key: p256.key, cert: p256.cert });
      return { first, bad, stillFirst, reset: await clientOutcome(s.port) };
    });
    expect(r.puretls).toEqual(r.node);
  });
});

describe('ticket keys', () => {
  it('getTicketKeys() is 48 bytes; setTicketKeys(keys) then getTicketKeys() gives them back; two servers with the same keys resume each other\u2019s sessions', async () => {
    const keys = Buffer.alloc(48, 7);
    const r = await onBothServers(async ({ start }) => {
      const s1 = await start({ key: p256.key, cert: p256.cert });
      const s2 = await start({ key: p256.key, cert: p256.cert });
      const length = s1.server.getTicketKeys().length;
      s1.server.setTicketKeys(keys);
      s2.server.setTicketKeys(s1.server.getTicketKeys());
      const roundTrip = s2.server.getTicketKeys().equals(keys);
      const session = await firstSession(s1.port);
      const reused = await resumed(s2.port, session);
      s2.server.setTicketKeys(Buffer.alloc(48, 9));
      return { length, roundTrip, reused, reusedAfterChange: await resumed(s2.port, session) };
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ length: 48, roundTrip: true, reused: true, reusedAfterChange: false });
  });

  it('ticketKeys given at creation are what getTicketKeys() returns', async () => {
    const keys = Buffer.alloc(48, 3);
    const r = await onBothServers(({ create }) => create({ key: p256.key, cert: p256.cert, ticketKeys: keys }).getTicketKeys().equals(keys));
    expect(r).toEqual({ node: true, puretls: true });
  });
});

describe('certificates Node loads and puretls too', () => {
  it('a non-ASCII dNSName in the certificate', async () => {
    const odd = certs.make('p256', 'odd', undefined, 'subjectAltName=DNS:b\u00fccher.example,DNS:localhost');
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: odd.key, cert: odd.cert });
      return (await see(s.port)).fingerprint !== undefined;
    });
    expect(r).toEqual({ node: true, puretls: true });
  });

  it('differs: an RSA-1024 certificate is served by Node; puretls refuses it unless allowWeakRsa', async () => {
    const weak = certs.make('rsa1024');
    const r = await onBothServers(({ create }) => thrown(() => create({ key: weak.key, cert: weak.cert }))?.message);
    expect(r.node).toBeUndefined();
    expect(r.puretls).toMatch(/1024|weak|2048/i);
    const served = await onBothServers(async ({ impl, start }) => (await see((await start({ key: weak.key, cert: weak.cert, ...(impl === 'puretls' ? { allowWeakRsa: true } : {}) })).port)).keyType);
    expect(served).toEqual({ node: 'rsa', puretls: 'rsa' });
  });
});

/** A TLS 1.3 session from a first connection (waits for the tickets). */
function firstSession(port: number): Promise<Buffer> {
  return within(
    10_000,
    'session',
    new Promise((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => c.write('x'));
      let last: Buffer | undefined;
      c.on('session', (s: Buffer) => (last = s));
      c.on('data', () => setTimeout(() => (last ? (resolve(last), c.destroy()) : reject(new Error('no session'))), 50));
      c.on('error', reject);
    }),
  );
}

function resumed(port: number, session: Buffer): Promise<boolean> {
  return within(
    10_000,
    'resumption',
    new Promise((resolve) => {
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, session }, () => {
        resolve(c.isSessionReused());
        c.destroy();
      });
      c.on('error', () => resolve(false));
    }),
  );
}
