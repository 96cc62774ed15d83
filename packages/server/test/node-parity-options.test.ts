/**
 * Nothing fails open: every option of the known-options table against Node's own
 * `tls.createServer` and ours. Supported options are accepted by both (what each does is
 * compared in the other node-parity files); refused ones, and names nobody knows, are accepted
 * (and ignored) by Node but refused by puretls with a TypeError naming them; values Node refuses
 * are refused by both, with Node's code.
 */
import { constants as cryptoConstants } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { onBothServers, thrown, throwsShape } from '@puretls/test-support/net';
import { KNOWN_OPTIONS } from '../src/node/node-options';
import { SECURE_OPTIONS } from '../src/node/node-protocols';

const certs = new CertDir();
let p256: TestCert;
let pfx: Buffer;

beforeAll(() => {
  p256 = certs.make('p256');
  pfx = certs.pkcs12(p256, 'pw');
}, 60_000);
afterAll(() => certs.cleanup());

/** A value each refused option is given (Node accepts each of these unless noted). */
const REFUSED_SAMPLES: Record<string, unknown> = {
  allowPartialTrustChain: true,
  clientCertEngine: 'dynamic', // Node: engine error too
  crl: 'not a crl', // Node: a parse error too
  dhparam: 'auto',
  isServer: true,
  makeHrrCookie: () => new Uint8Array(32),
  maxClientHelloExtensions: 10,
  privateKeyEngine: 'dynamic', // Node: needs privateKeyIdentifier
  privateKeyIdentifier: 'key', // Node: needs privateKeyEngine
  requestOCSP: true,
  secureContext: {},
  server: {},
  session: Buffer.alloc(8),
  sigalgs: 'ECDSA+SHA256',
};
/** Options Node itself refuses with these samples (its error is not compared). */
const NODE_REFUSES = new Set(['clientCertEngine', 'crl', 'privateKeyEngine', 'privateKeyIdentifier']);

/** A value each supported Node option is given: accepted by both. */
function supportedSamples(ca = ''): Record<string, unknown> {
  return {
    ALPNCallback: () => undefined,
    ALPNProtocols: ['h2'],
    SNICallback: (_n: string, cb: (e: null) => void) => cb(null),
    allowHalfOpen: true,
    ca,
    captureRejections: true,
    ciphers: 'HIGH:!aNULL',
    ecdhCurve: 'P-256:X25519',
    enableTrace: false,
    handshakeTimeout: 5000,
    highWaterMark: 32768,
    honorCipherOrder: false,
    keepAlive: true,
    keepAliveInitialDelay: 1000,
    maxVersion: 'TLSv1.3',
    minVersion: 'TLSv1.2',
    noDelay: true,
    passphrase: 'pw',
    pauseOnConnect: false,
    pskCallback: () => null,
    pskIdentityHint: 'hint',
    rejectUnauthorized: true,
    requestCert: false,
    secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
    secureProtocol: 'TLS_method',
    sessionIdContext: 'app',
    sessionTimeout: 300,
    ticketKeys: Buffer.alloc(48, 1),
  };
}

describe('every option of the table', () => {
  it('the table names every Node option this file samples, and no sample is missing', () => {
    const nodeRows = Object.entries(KNOWN_OPTIONS).filter(([, r]) => r.origin !== 'puretls');
    const sampled = new Set([...Object.keys(REFUSED_SAMPLES), ...Object.keys(supportedSamples()), 'key', 'cert', 'pfx']);
    expect(nodeRows.map(([k]) => k).filter((k) => !sampled.has(k))).toEqual([]);
    for (const k of Object.keys(REFUSED_SAMPLES)) expect(KNOWN_OPTIONS[k]?.status === 'supported' && !KNOWN_OPTIONS[k]?.refuseValue, k).toBe(false);
  });

  it.each(Object.keys(REFUSED_SAMPLES))('refused: %s (Node ignores it or fails differently; puretls throws a TypeError naming it)', async (name) => {
    const r = await onBothServers(({ create }) => thrown(() => create({ key: p256.key, cert: p256.cert, [name]: REFUSED_SAMPLES[name] })));
    if (!NODE_REFUSES.has(name)) expect(r.node).toBeUndefined();
    expect(r.puretls).toBeInstanceOf(TypeError);
    expect(r.puretls?.message).toContain(`options.${name}`);
    expect(r.puretls?.code).toBe('ERR_INVALID_ARG_VALUE');
  });

  it.each([['enableTrace', true, /traces/]])('refused value: %s %s', async (name, value, why) => {
    const r = await onBothServers(({ create }) => thrown(() => create({ key: p256.key, cert: p256.cert, [name]: value })));
    expect(r.node).toBeUndefined();
    expect(r.puretls?.message).toMatch(why);
  });

  it.each(['fooBar', 'ciphersuites', 'alpnprotocols', 'SniCallback'])('unknown name %s: Node ignores it, puretls throws naming it', async (name) => {
    const r = await onBothServers(({ create }) => thrown(() => create({ key: p256.key, cert: p256.cert, [name]: 'x' })));
    expect(r.node).toBeUndefined();
    expect(r.puretls).toBeInstanceOf(TypeError);
    expect(r.puretls?.message).toMatch(new RegExp(`options\\.${name}: unknown option`));
  });

  it('a near miss is named with the known option', async () => {
    const r = await onBothServers(({ create }) => thrown(() => create({ key: p256.key, cert: p256.cert, ALPNprotocols: ['h2'] })));
    expect(r.puretls?.message).toMatch(/did you mean "ALPNProtocols"/);
  });

  it.each(Object.keys(supportedSamples()))('supported: %s is accepted by both', async (name) => {
    const value = supportedSamples(p256.cert)[name];
    const r = await onBothServers(({ create }) => throwsShape(() => create({ key: p256.key, cert: p256.cert, [name]: value })));
    expect(r).toEqual({ node: null, puretls: null });
  });

  it('supported: pfx with passphrase; key and cert without any (createServer(listener))', async () => {
    const r = await onBothServers(({ create }) => [throwsShape(() => create({ pfx, passphrase: 'pw' })), throwsShape(() => create({})), throwsShape(() => (create as (l: () => void) => unknown)(() => {}))]);
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual([null, null, null]);
  });
});

describe('values Node refuses: both refuse, with Node\u2019s code', () => {
  const CASES: [string, Record<string, unknown>][] = [
    ['ciphers: a number', { ciphers: 5 }],
    ['ciphers: an unknown name', { ciphers: 'bogus' }],
    ['ciphers: only an alias matching nothing', { ciphers: '!aNULL' }],
    ['ciphers: an unknown TLS 1.3 name', { ciphers: 'TLS_bogus' }],
    ['minVersion: TLSv1.4', { minVersion: 'TLSv1.4' }],
    ['maxVersion: a number', { maxVersion: 3 }],
    ['secureProtocol: unknown', { secureProtocol: 'bogus' }],
    ['secureProtocol: SSLv3', { secureProtocol: 'SSLv3_method' }],
    ['secureProtocol with minVersion', { secureProtocol: 'TLS_method', minVersion: 'TLSv1.2' }],
    ['ALPNCallback with ALPNProtocols', { ALPNCallback: () => 'h2', ALPNProtocols: ['h2'] }],
    ['ticketKeys: 10 bytes', { ticketKeys: Buffer.alloc(10) }],
    ['sessionTimeout: -1', { sessionTimeout: -1 }],
    ['handshakeTimeout: a string', { handshakeTimeout: 'x' }],
    ['ecdhCurve: unknown', { ecdhCurve: 'bogus' }],
    ['ecdhCurve: one unknown in a list', { ecdhCurve: 'P-256:bogus' }],
    ['SNICallback: not a function', { SNICallback: 5 }],
    ['sessionIdContext: a number', { sessionIdContext: 5 }],
  ];
  it.each(CASES)('%s', async (_what, extra) => {
    const r = await onBothServers(({ create }) => throwsShape(() => create({ key: p256.key, cert: p256.cert, ...extra })));
    expect(r.node, 'Node refuses it').not.toBeNull();
    expect(r.puretls).toEqual(r.node);
  });
});

describe('differences, asserted on both', () => {
  it("minVersion 'TLSv1' / 'TLSv1.1', TLSv1_method: Node serves TLS 1.0/1.1 too; puretls refuses (TLS 1.2 and 1.3 only)", async () => {
    for (const extra of [{ minVersion: 'TLSv1' }, { minVersion: 'TLSv1.1' }, { maxVersion: 'TLSv1.1' }, { secureProtocol: 'TLSv1_method' }, { secureProtocol: 'TLSv1_1_server_method' }]) {
      const r = await onBothServers(({ create }) => thrown(() => create({ key: p256.key, cert: p256.cert, ...extra })));
      expect(r.node, JSON.stringify(extra)).toBeUndefined();
      expect(r.puretls?.message, JSON.stringify(extra)).toMatch(/serves only TLSv1\.2 and TLSv1\.3/);
      expect(r.puretls?.code).toBe('ERR_TLS_INVALID_PROTOCOL_VERSION');
    }
  });

  it('a cipher name OpenSSL ignores (an unknown one next to a known one): Node ignores it, puretls refuses it', async () => {
    const r = await onBothServers(({ create }) => thrown(() => create({ key: p256.key, cert: p256.cert, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256:bogus' })));
    expect(r.node).toBeUndefined();
    expect(r.puretls?.code).toBe('ERR_SSL_NO_CIPHER_MATCH');
  });

  it('secureOptions: the SSL_OP_* values puretls knows are crypto.constants\u2019; bits without an equivalent are refused by name', async () => {
    for (const [name, { bit }] of Object.entries(SECURE_OPTIONS)) {
      const c = (cryptoConstants as unknown as Record<string, number>)[name];
      if (c !== undefined) expect(c >>> 0, name).toBe(bit >>> 0);
    }
    const r = await onBothServers(({ create }) => thrown(() => create({ key: p256.key, cert: p256.cert, secureOptions: cryptoConstants.SSL_OP_PRIORITIZE_CHACHA })));
    expect(r.node).toBeUndefined();
    expect(r.puretls?.message).toMatch(/SSL_OP_PRIORITIZE_CHACHA is not supported/);
  });

  it("a key without a certificate: Node creates the server (its handshakes fail), puretls refuses it", async () => {
    const rsa = certs.make('rsa2048');
    const r = await onBothServers(({ create }) => thrown(() => create({ key: [p256.key, rsa.key], cert: p256.cert })));
    expect(r.node).toBeUndefined();
    expect(r.puretls?.message).toMatch(/options\.key\[1\]: no certificate/);
  });
});
