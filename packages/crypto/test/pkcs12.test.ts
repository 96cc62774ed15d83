/**
 * PKCS#12 (`parsePkcs12`) on files made by `openssl pkcs12 -export` (OpenSSL 3.0 defaults and
 * the variants that avoid the legacy ciphers), each also loaded by Node's
 * `tls.createSecureContext({ pfx, passphrase })`: the same files open, and the ones Node refuses
 * are refused with a reason that says why.
 */
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { isKeyError, type KeyErrorReason } from '../src/errors';
import { encodePkcs8 } from '../src/keys/encode';
import { parsePrivateKey } from '../src/keys/parse';
import { parseCertificateChain } from '../src/x509/certificate';
import { parsePkcs12 } from '../src/pkcs12/parse';
import { pkcs12PasswordBytes } from '../src/pkcs12/kdf';
import { Pki } from './pki';

const pki = new Pki();
afterAll(() => pki.close());

const CA = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n';
pki.key('root', 'p256');
pki.key('int', 'p256');
pki.key('leaf', 'p256');
pki.key('rsa', 'rsa');
pki.issue('root', { subject: '/CN=P12 Root', key: 'root', ext: CA });
pki.issue('int', { subject: '/CN=P12 Int', key: 'int', issuer: 'root', ext: CA });
pki.issue('leaf', { subject: '/CN=p12 leaf', key: 'leaf', issuer: 'int' });
pki.issue('rsaLeaf', { subject: '/CN=p12 rsa', key: 'rsa', issuer: 'int' });
pki.write('chain', pki.bundle(['int', 'root']));

let n = 0;
/** `openssl pkcs12 -export` of `cert` + `key` + the chain, with extra options; returns the DER. */
function p12(args: readonly string[], pass: string, o: { cert?: string; key?: string } = {}): Uint8Array {
  const out = `f${n++}.p12`;
  pki.openssl(['pkcs12', '-export', '-in', `${o.cert ?? 'leaf'}.pem`, '-inkey', `${o.key ?? 'leaf'}.key`, '-certfile', 'chain.pem', '-passout', `pass:${pass}`, ...args, '-out', out]);
  return new Uint8Array(readFileSync(pki.path(out)));
}

function nodeLoads(pfx: Uint8Array, passphrase?: string): string {
  try {
    tls.createSecureContext({ pfx: Buffer.from(pfx), ...(passphrase !== undefined ? { passphrase } : {}) });
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

function reasonOf(fn: () => unknown): { reason: KeyErrorReason; message: string } {
  try {
    fn();
  } catch (e) {
    if (isKeyError(e)) return { reason: e.reason, message: e.message };
    throw e;
  }
  throw new Error('no KeyError thrown');
}

const leafKey = encodePkcs8(parsePrivateKey(pki.keyPem('leaf')));
const [leafCert, intCert, rootCert] = parseCertificateChain(pki.bundle(['leaf', 'int', 'root']));

describe('files openssl pkcs12 -export writes', () => {
  it.each([
    { what: 'OpenSSL 3.0 defaults (PBES2/AES-256-CBC, PBKDF2-SHA256, MAC HMAC-SHA256)', args: [] },
    { what: 'MAC HMAC-SHA1', args: ['-macalg', 'sha1'] },
    { what: 'MAC HMAC-SHA512', args: ['-macalg', 'sha512'] },
    { what: 'MAC HMAC-SHA384', args: ['-macalg', 'sha384'] },
    { what: 'MAC HMAC-SHA224', args: ['-macalg', 'sha224'] },
    { what: 'AES-128-CBC for key and certificates', args: ['-keypbe', 'AES-128-CBC', '-certpbe', 'AES-128-CBC'] },
    { what: 'unencrypted certificates', args: ['-certpbe', 'NONE'] },
    { what: 'unencrypted key bag and certificates', args: ['-keypbe', 'NONE', '-certpbe', 'NONE'] },
    { what: 'one iteration (-noiter -nomaciter)', args: ['-noiter', '-nomaciter'] },
    { what: '1000 iterations (-iter 1000)', args: ['-iter', '1000'] },
  ])('$what', ({ args }) => {
    const der = p12(args, 'secret');
    const r = parsePkcs12(der, 'secret');
    expect(encodePkcs8(r.key)).toEqual(leafKey);
    expect(r.certificates.map((c) => c.der)).toEqual([leafCert!.der, intCert!.der, rootCert!.der]);
    expect(r.ca.map((c) => c.der)).toEqual([intCert!.der, rootCert!.der]);
    expect(nodeLoads(der, 'secret')).toBe('ok');
  });

  it('an RSA key', () => {
    const r = parsePkcs12(p12([], 'secret', { cert: 'rsaLeaf', key: 'rsa' }), 'secret');
    expect(r.key.kind).toBe('rsa');
    expect(r.certificates[0]!.der).toEqual(parseCertificateChain(pki.pem('rsaLeaf'))[0]!.der);
  });

  it('an RSA-1024 key only with allowWeakRsa, as parsePrivateKey', () => {
    pki.key('rsa1024', 'rsa1024');
    pki.issue('weakLeaf', { subject: '/CN=weak', key: 'rsa1024', issuer: 'int' });
    const der = p12([], 'secret', { cert: 'weakLeaf', key: 'rsa1024' });
    expect(reasonOf(() => parsePkcs12(der, 'secret')).reason).toBe('WeakKey');
    expect(parsePkcs12(der, 'secret', { allowWeakRsa: true }).key.kind).toBe('rsa');
  });

  it('a non-ASCII passphrase (UTF-16 in the MAC, UTF-8 in PBES2, as OpenSSL 3.0)', () => {
    const pass = 'pässwörd 𝄞';
    const der = p12([], pass);
    expect(encodePkcs8(parsePkcs12(der, pass).key)).toEqual(leafKey);
    expect(nodeLoads(der, pass)).toBe('ok');
    expect(pkcs12PasswordBytes(new TextEncoder().encode('a𝄞'))).toEqual(Uint8Array.of(0, 0x61, 0xd8, 0x34, 0xdd, 0x1e, 0, 0));
  });

  it('an empty passphrase opens with undefined or "" (both OpenSSL encodings are tried)', () => {
    const der = p12([], '');
    expect(encodePkcs8(parsePkcs12(der).key)).toEqual(leafKey);
    expect(encodePkcs8(parsePkcs12(der, '').key)).toEqual(leafKey);
    expect(nodeLoads(der)).toBe('ok');
  });

  it('no MAC (-nomac): opens only without a passphrase, as in Node ("mac absent")', () => {
    const der = p12(['-nomac'], '');
    expect(encodePkcs8(parsePkcs12(der).key)).toEqual(leafKey);
    expect(nodeLoads(der)).toBe('ok');
    expect(reasonOf(() => parsePkcs12(der, 'secret')).reason).toBe('MacVerifyFailure');
    expect(nodeLoads(der, 'secret')).toMatch(/mac absent/);
  });
});

describe('failures', () => {
  const good = p12([], 'secret');

  it('a wrong or missing passphrase: MacVerifyFailure ("mac verify failure", as Node)', () => {
    for (const pass of ['wrong', undefined]) {
      const e = reasonOf(() => parsePkcs12(good, pass));
      expect(e.reason).toBe('MacVerifyFailure');
      expect(e.message).toMatch(/^mac verify failure/);
      expect(nodeLoads(good, pass)).toBe('mac verify failure');
    }
  });

  it('a corrupted file: MacVerifyFailure or MalformedDer, never a crash', () => {
    for (let i = 0; i < good.length; i += 37) {
      const bad = good.slice();
      bad[i] = bad[i]! ^ 0x40;
      let err: unknown;
      try {
        parsePkcs12(bad, 'secret');
      } catch (e) {
        err = e;
      }
      expect(isKeyError(err), `byte ${i}: ${String(err)}`).toBe(true);
    }
  });

  it('-legacy (RC2-40 certificates, 3DES key): UnsupportedEncryption naming the cipher; Node refuses it too', () => {
    const der = p12(['-legacy'], 'secret');
    const e = reasonOf(() => parsePkcs12(der, 'secret'));
    expect(e.reason).toBe('UnsupportedEncryption');
    expect(e.message).toContain('pbeWithSHAAnd40BitRC2-CBC');
    expect(nodeLoads(der, 'secret')).not.toBe('ok');
    const keyOnly = p12(['-legacy', '-certpbe', 'NONE'], 'secret');
    expect(reasonOf(() => parsePkcs12(keyOnly, 'secret')).message).toContain('pbeWithSHAAnd3-KeyTripleDES-CBC');
  });

  it('no private key: IncompletePkcs12', () => {
    pki.openssl(['pkcs12', '-export', '-nokeys', '-in', 'leaf.pem', '-passout', 'pass:secret', '-out', 'nokey.p12']);
    const der = new Uint8Array(readFileSync(pki.path('nokey.p12')));
    expect(reasonOf(() => parsePkcs12(der, 'secret')).reason).toBe('IncompletePkcs12');
  });

  it('no certificate for the key: IncompletePkcs12', () => {
    pki.openssl(['pkcs12', '-export', '-nocerts', '-inkey', 'leaf.key', '-passout', 'pass:secret', '-out', 'nocert.p12']);
    const der = new Uint8Array(readFileSync(pki.path('nocert.p12')));
    expect(reasonOf(() => parsePkcs12(der, 'secret')).reason).toBe('IncompletePkcs12');
  });

  it('not bytes: TypeError', () => {
    expect(() => parsePkcs12('MII…' as unknown as Uint8Array, 'x')).toThrow(TypeError);
  });
});
