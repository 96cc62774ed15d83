/**
 * Node's `ciphers` strings read as OpenSSL reads them: every TLS 1.2 string here is also given to
 * `openssl ciphers -s -tls1_2` and the result, restricted to the suites puretls serves, must be
 * ours, in order; the name tables are checked against what the installed OpenSSL lists.
 */
import { spawnSync } from 'node:child_process';
import { DEFAULT_CIPHERS } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUITES } from '@puretls/handshake-state-machine/internal';
import { requireTool } from '@puretls/test-support/tools';
import { OPENSSL_DEFAULT_CIPHERSUITES, parseNodeCiphers } from '../src/node/openssl-ciphers';
import { OPENSSL_EMPTY_ALIASES, OPENSSL_OTHER_SUITES } from '../src/node/openssl-cipher-names';

const OURS12 = SUITES.filter((s) => s.version === 0x0303).map((s) => s.opensslName);

beforeAll(() => requireTool('openssl', ['version'], 'openssl'));

/**
 * `openssl ciphers -s -psk -tls1_2 list`: the TLS 1.2 names it enables (PSK suites included, as a
 * server with a PSK callback has them), or `null` when it refuses the string.
 */
function opensslList(list: string, tls12 = true): string[] | null {
  const r = spawnSync('openssl', ['ciphers', ...(tls12 ? ['-s', '-psk', '-tls1_2'] : []), list], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return null;
  return r.stdout.trim().split(':').filter((n) => !n.startsWith('TLS_'));
}

const AGREE = [
  'ALL',
  'HIGH',
  'DEFAULT',
  'HIGH:!aNULL',
  'HIGH:!aRSA',
  'ECDHE+AESGCM',
  'ECDHE+AESGCM:ECDHE+CHACHA20',
  'aRSA:aECDSA',
  'CHACHA20:AES128:AES256',
  'AES256:AES128:@STRENGTH',
  'HIGH:@STRENGTH',
  'ALL:-aRSA:aRSA',
  'ALL:-AES128:CHACHA20:AES128',
  'ALL:!AES128:AES128',
  'ALL:+AES256',
  'ALL:+aRSA:+CHACHA20',
  'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256,ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384',
  '@SECLEVEL=2:ECDHE-ECDSA-AES128-GCM-SHA256',
  'HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA',
  'FIPS',
  'ECDSA+AES256:ECDSA',
  'kECDHE+aRSA+AES128',
  'TLSv1.2+HIGH',
  // The one PSK suite we serve (ECDHE_PSK, RFC 5489 / RFC 7905) and the aliases that reach it.
  'ECDHE-PSK-CHACHA20-POLY1305',
  'ECDHE-PSK-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256',
  'PSK',
  'aPSK:ECDHE',
  'kECDHEPSK:ECDH',
  'ALL:!PSK',
  'ECDHE:PSK:-CHACHA20',
  DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_')).join(':'),
];

describe('TLS 1.2 strings: the order OpenSSL gives, restricted to our suites', () => {
  it.each(AGREE)('%s', (list) => {
    const openssl = opensslList(list);
    expect(openssl, 'openssl accepts it').not.toBeNull();
    expect(parseNodeCiphers(list).tls12.map((s) => s.opensslName)).toEqual(openssl!.filter((n) => OURS12.includes(n)));
  });
});

describe('the TLS 1.2 / TLS 1.3 split (Node processCiphers)', () => {
  it('a TLS 1.2-only string keeps OpenSSL\u2019s default TLS 1.3 list', () => {
    const r = parseNodeCiphers('ECDHE-ECDSA-AES128-GCM-SHA256');
    expect(r.tls13.map((s) => s.name).join(':')).toBe(OPENSSL_DEFAULT_CIPHERSUITES);
    expect(r.tls12.map((s) => s.opensslName)).toEqual(['ECDHE-ECDSA-AES128-GCM-SHA256']);
    expect(r.tls13Only).toBe(false);
  });
  it('TLS 1.3 names select TLS 1.3 suites; alone they turn TLS 1.2 off', () => {
    const r = parseNodeCiphers('TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256');
    expect(r.tls13.map((s) => s.name)).toEqual(['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256']);
    expect(r).toMatchObject({ tls12: [], tls13Only: true });
    expect(parseNodeCiphers(DEFAULT_CIPHERS).tls13.map((s) => s.name).join(':')).toBe(OPENSSL_DEFAULT_CIPHERSUITES);
  });
});

describe('refused, naming the part', () => {
  it.each([
    ['bogus', 'ERR_SSL_NO_CIPHER_MATCH', /"bogus"/],
    ['ECDHE-RSA-AES128-GCM-SHA256:bogus', 'ERR_SSL_NO_CIPHER_MATCH', /"bogus"/],
    ['ecdhe-rsa-aes128-gcm-sha256', 'ERR_SSL_NO_CIPHER_MATCH', /ecdhe-rsa/],
    ['TLS_bogus', 'ERR_SSL_NO_CIPHER_MATCH', /TLS_bogus/],
    ['!aNULL', 'ERR_SSL_NO_CIPHER_MATCH', /enables no TLS 1.2 suite/],
    ['DHE-RSA-AES128-GCM-SHA256', 'ERR_SSL_NO_CIPHER_MATCH', /enables no TLS 1.2 suite/],
    ['@SECLEVEL=3:HIGH', 'ERR_INVALID_ARG_VALUE', /@SECLEVEL=3/],
    ['@FOO:HIGH', 'ERR_INVALID_ARG_VALUE', /@FOO/],
    ['SUITEB128', 'ERR_INVALID_ARG_VALUE', /SUITEB128/],
    ['HIGH:DEFAULT', 'ERR_INVALID_ARG_VALUE', /DEFAULT/],
    ['!TLS_AES_128_GCM_SHA256', 'ERR_INVALID_ARG_VALUE', /!TLS_AES_128/],
    ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ERR_INVALID_ARG_VALUE', /ECDHE-RSA-AES128-GCM-SHA256/],
    ['', 'ERR_INVALID_ARG_VALUE', /ciphers/],
    // PSK suites other than ECDHE-PSK-CHACHA20-POLY1305: refused by name (OpenSSL would serve them).
    ['PSK-AES128-GCM-SHA256', 'ERR_INVALID_ARG_VALUE', /PSK-AES128-GCM-SHA256 is not supported/],
    ['ECDHE-PSK-CHACHA20-POLY1305:DHE-PSK-CHACHA20-POLY1305', 'ERR_INVALID_ARG_VALUE', /DHE-PSK-CHACHA20-POLY1305 is not supported/],
    ['RSA-PSK-AES256-GCM-SHA384:HIGH', 'ERR_INVALID_ARG_VALUE', /RSA-PSK-AES256-GCM-SHA384 is not supported/],
    ['ECDHE-PSK-AES128-CBC-SHA256', 'ERR_INVALID_ARG_VALUE', /ECDHE-PSK-AES128-CBC-SHA256 is not supported/],
    ['kPSK:HIGH', 'ERR_INVALID_ARG_VALUE', /kPSK is not supported/],
    ['HIGH:kDHEPSK+CHACHA20', 'ERR_INVALID_ARG_VALUE', /kDHEPSK is not supported/],
  ])('%s → %s', (list, code, message) => {
    let err: (Error & { code?: string }) | undefined;
    try {
      parseNodeCiphers(list);
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err?.code).toBe(code);
    expect(err?.message).toMatch(message);
  });
  it('a non-string is ERR_INVALID_ARG_TYPE, as Node', () => {
    expect(() => parseNodeCiphers(5)).toThrow(TypeError);
  });
});

describe('the name tables', () => {
  it('every TLS 1.2 suite OpenSSL lists is ours or in OPENSSL_OTHER_SUITES', () => {
    const all = opensslList('ALL:COMPLEMENTOFALL:@SECLEVEL=0', false)!;
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter((n) => !OURS12.includes(n) && !OPENSSL_OTHER_SUITES.has(n))).toEqual([]);
  });
  it('no alias of OPENSSL_EMPTY_ALIASES matches one of our suites in OpenSSL', () => {
    const matching = [...OPENSSL_EMPTY_ALIASES].filter((a) => (opensslList(`${a}:@SECLEVEL=0`) ?? []).some((n) => OURS12.includes(n)));
    expect(matching).toEqual([]);
  }, 120_000); // one openssl process per alias: bounded generously for a loaded machine
});
