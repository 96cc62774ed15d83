/**
 * `ciphers`, `ecdhCurve`, `honorCipherOrder`, versions, `secureProtocol` and `secureOptions`
 * against Node's own server: the same options and the same Node clients must negotiate the same
 * protocol, suite and group, or fail with the same client-side code.
 */
import { constants as cryptoConstants } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { clientOutcome, onBothServers, within } from '@puretls/test-support/net';
import { connect as tlsConnect } from 'node:tls';

const certs = new CertDir();
let p256: TestCert;
let rsa: TestCert;

beforeAll(() => {
  p256 = certs.make('p256');
  rsa = certs.make('rsa2048');
}, 60_000);
afterAll(() => certs.cleanup());

const TLS12: ConnectionOptions = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };

/** Each client outcome against a server made with `options` (ECDSA and RSA certificates). */
async function outcomes(options: object, clients: ConnectionOptions[]) {
  return onBothServers(async ({ start }) => {
    const s = await start({ key: [p256.key, rsa.key], cert: [p256.cert, rsa.cert], ...options });
    const out = [];
    for (const c of clients) out.push(await clientOutcome(s.port, c));
    return out;
  });
}

/** The group a Node client saw (`getEphemeralKeyInfo()` on the client). */
function groupSeen(port: number, options: ConnectionOptions = {}): Promise<string | undefined> {
  return within(
    10_000,
    'group',
    new Promise((resolve) => {
      const c = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
        resolve((c.getEphemeralKeyInfo() as { name?: string }).name);
        c.destroy();
      });
      c.on('error', () => resolve(undefined));
    }),
  );
}

const CLIENTS: ConnectionOptions[] = [
  {},
  TLS12,
  { ciphers: 'TLS_AES_128_GCM_SHA256' },
  { ciphers: 'TLS_CHACHA20_POLY1305_SHA256' },
  { ...TLS12, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' },
  { ...TLS12, ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305' },
  { ...TLS12, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256', honorCipherOrder: true },
];

describe('ciphers: the same string, the same clients, the same outcome', () => {
  it.each([
    ['the default (tls.DEFAULT_CIPHERS)', {}],
    ['a TLS 1.2-only list: TLS 1.3 keeps its default suites (issue #17)', { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }],
    ['TLS 1.3 names only: TLS 1.2 is off', { ciphers: 'TLS_AES_256_GCM_SHA384' }],
    ['TLS 1.3 and TLS 1.2 names', { ciphers: 'TLS_CHACHA20_POLY1305_SHA256:ECDHE-RSA-AES128-GCM-SHA256' }],
    ['aliases', { ciphers: 'ECDHE+AESGCM:!aRSA' }],
    ['HIGH with exclusions', { ciphers: 'HIGH:!aNULL:!eNULL:!CHACHA20' }],
    ['+ moves to the end', { ciphers: 'HIGH:+AES256' }],
    ['- then re-add', { ciphers: 'ALL:-AES128:CHACHA20:AES128' }],
    ['@STRENGTH', { ciphers: 'AES128:CHACHA20:AES256:@STRENGTH' }],
    ['@SECLEVEL=2', { ciphers: '@SECLEVEL=2:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384' }],
    ['names OpenSSL knows but puretls does not serve, next to ones it does', { ciphers: 'DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA' }],
    ['honorCipherOrder: false (the client\u2019s order)', { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384', honorCipherOrder: false }],
    ['TLS 1.3 order with honorCipherOrder: false', { ciphers: 'TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256', honorCipherOrder: false }],
  ])('%s', async (_what, options) => {
    const r = await outcomes(options, CLIENTS);
    expect(r.puretls).toEqual(r.node);
  });
});

describe('versions', () => {
  it.each([
    ['minVersion TLSv1.3', { minVersion: 'TLSv1.3' }],
    ['maxVersion TLSv1.2', { maxVersion: 'TLSv1.2' }],
    ['secureProtocol TLS_method', { secureProtocol: 'TLS_method' }],
    ['secureProtocol TLS_server_method', { secureProtocol: 'TLS_server_method' }],
    ['secureProtocol TLSv1_2_method', { secureProtocol: 'TLSv1_2_method' }],
    ['secureProtocol SSLv23_method (everything below TLS 1.3)', { secureProtocol: 'SSLv23_method' }],
    ['secureOptions SSL_OP_NO_TLSv1_3', { secureOptions: cryptoConstants.SSL_OP_NO_TLSv1_3 }],
    ['secureOptions SSL_OP_NO_TLSv1_2', { secureOptions: cryptoConstants.SSL_OP_NO_TLSv1_2 }],
    ['secureOptions old-protocol bits (no-ops)', { secureOptions: cryptoConstants.SSL_OP_NO_SSLv3 | cryptoConstants.SSL_OP_NO_TLSv1 | cryptoConstants.SSL_OP_NO_TLSv1_1 }],
    ['secureOptions SSL_OP_CIPHER_SERVER_PREFERENCE over honorCipherOrder: false', { honorCipherOrder: false, secureOptions: cryptoConstants.SSL_OP_CIPHER_SERVER_PREFERENCE, ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384' }],
  ])('%s', async (_what, options) => {
    const r = await outcomes(options, [{}, TLS12, { minVersion: 'TLSv1.3' }, { ...TLS12, ciphers: 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256' }]);
    expect(r.puretls).toEqual(r.node);
  });
});

describe('ecdhCurve', () => {
  it.each([['auto'], ['P-256'], ['P-384'], ['X25519:P-256'], ['P-384:P-256'], ['prime256v1'], ['secp384r1:X448']])('%s: the group a client gets', async (ecdhCurve) => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256.key, cert: p256.cert, ecdhCurve });
      return [await groupSeen(s.port), await groupSeen(s.port, TLS12), await groupSeen(s.port, { ecdhCurve: 'P-384:P-256' }), await groupSeen(s.port, { ...TLS12, ecdhCurve: 'P-256' })];
    });
    expect(r.puretls).toEqual(r.node);
  });
});
