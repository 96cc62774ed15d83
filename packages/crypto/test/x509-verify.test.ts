/**
 * Chain building and verification (`verifyCertificateChain`) against both oracles, for every
 * case: `openssl verify -purpose sslclient -auth_level 1 -attime` (each error it prints, with
 * number, depth and text, in order) and a Node `tls` server with `requestCert` that a Node client
 * presents the chain to (`authorized`, `authorizationError`). Both providers. Every certificate
 * is made with the `openssl` CLI at test time (see `./pki.ts`).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isKeyError } from '../src/errors';
import { createNobleProvider } from '../src/noble/provider';
import { createNodeProvider } from '../src/node/provider';
import { encodePem } from '../src/pem';
import { parseCertificateChain, type Certificate } from '../src/x509/certificate';
import { verifyCertificateChain, type ChainVerification } from '../src/x509/verify-chain';
import { NO_PEER_CERTIFICATE_CODE, type CertificateAlert } from '../src/x509/verify-errors';
import { asn1Time, nodeAuthorization, opensslPrefix, opensslServerAlert, opensslVerify, Pki } from './pki';

const pki = new Pki();
afterAll(() => pki.close());
const providers = [createNobleProvider(), createNodeProvider()];

const DAY = 86_400_000;
const CA = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
const CA_AKI = CA + 'authorityKeyIdentifier=keyid\n';
const LEAF_BASE = 'basicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
const LEAF = LEAF_BASE + 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=email:alice@example.com\n';
const PAST = { start: '20200101000000Z', end: '20200601000000Z' };
const FUTURE = { start: '20400101000000Z', end: '20410101000000Z' };

for (const k of ['root', 'int', 'int2', 'leaf', 'other', 'srv']) pki.key(k, 'p256');
pki.key('p384', 'p384');
pki.key('rsaroot', 'rsa');
pki.key('rsaleaf', 'rsa');
pki.key('edroot', 'ed25519');
pki.key('edleaf', 'ed25519');
const server = { key: pki.keyPem('srv'), cert: pki.issue('srv', { subject: '/CN=server', key: 'srv', ext: 'basicConstraints=CA:FALSE\n' }) };

pki.issue('root', { subject: '/CN=Test Root', key: 'root', ext: CA });
pki.issue('other', { subject: '/CN=Other Root', key: 'other', ext: CA });
pki.issue('int', { subject: '/CN=Test Int', key: 'int', issuer: 'root', ext: CA_AKI });
pki.issue('leaf', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF });
pki.issue('self', { subject: '/CN=self', key: 'leaf', ext: 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n' });
pki.issue('leafExpired', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF, ...PAST });
pki.issue('leafFuture', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF, ...FUTURE });
pki.issue('intExpired', { subject: '/CN=Test Int', key: 'int', issuer: 'root', ext: CA_AKI, ...PAST });
pki.issue('rootExpired', { subject: '/CN=Test Root', key: 'root', ext: CA, ...PAST });
pki.issue('notCa', { subject: '/CN=Not A CA', key: 'int2', issuer: 'root', ext: 'basicConstraints=CA:FALSE\nsubjectKeyIdentifier=hash\n' });
pki.issue('leafNotCa', { subject: '/CN=alice', key: 'leaf', issuer: 'notCa', ext: LEAF });
pki.issue('noBc', { subject: '/CN=No BC', key: 'int2', issuer: 'root', ext: 'keyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\n' });
pki.issue('leafNoBc', { subject: '/CN=alice', key: 'leaf', issuer: 'noBc', ext: LEAF });
pki.issue('noSign', { subject: '/CN=No Sign', key: 'int2', issuer: 'root', ext: 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature\n' });
pki.issue('leafNoSign', { subject: '/CN=alice', key: 'leaf', issuer: 'noSign', ext: LEAF });
pki.issue('int0', { subject: '/CN=Path Zero', key: 'int', issuer: 'root', ext: 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n' });
pki.issue('int0b', { subject: '/CN=Below Path Zero', key: 'int2', issuer: 'int0', ext: CA });
pki.issue('leafDeep', { subject: '/CN=alice', key: 'leaf', issuer: 'int0b', ext: LEAF });
pki.issue('leafServerEku', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF_BASE + 'keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' });
pki.issue('leafAnyEku', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF_BASE + 'extendedKeyUsage=anyExtendedKeyUsage\n' });
pki.issue('leafKeyEnc', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF_BASE + 'keyUsage=critical,keyEncipherment\n' });
pki.issue('leafKeyAgreement', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF_BASE + 'keyUsage=critical,keyAgreement\n' });
pki.issue('intServerEku', { subject: '/CN=Server Only Int', key: 'int2', issuer: 'root', ext: CA + 'extendedKeyUsage=serverAuth\n' });
pki.issue('leafUnderServerInt', { subject: '/CN=alice', key: 'leaf', issuer: 'intServerEku', ext: LEAF });
pki.issue('leafCritical', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF + '1.2.3.4=critical,ASN1:NULL\n' });
pki.issue('intCritical', { subject: '/CN=Critical Int', key: 'int2', issuer: 'root', ext: CA + '1.2.3.4=critical,ASN1:NULL\n' });
pki.issue('leafUnderCritical', { subject: '/CN=alice', key: 'leaf', issuer: 'intCritical', ext: LEAF });
pki.issue('leafNonCritical', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF + '1.2.3.4=ASN1:NULL\n' });
pki.issue('leafSha1', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF, md: 'sha1' });
pki.issue('leafMulti', { subject: '/CN=alice', key: 'leaf', issuer: 'int', ext: LEAF_BASE + 'extendedKeyUsage=serverAuth\n', ...PAST });
pki.issue('impostor', { subject: '/CN=Test Int', key: 'other', issuer: 'root', ext: CA });
pki.issue('leafByImpostor', { subject: '/CN=alice', key: 'leaf', issuer: 'impostor', ext: 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nauthorityKeyIdentifier=none\n' });
pki.issue('leafByImpostorAki', { subject: '/CN=alice', key: 'leaf', issuer: 'impostor', ext: LEAF });
pki.issue('intPolicy', { subject: '/CN=Policy Int', key: 'int2', issuer: 'root', ext: CA + 'policyConstraints=critical,requireExplicitPolicy:0\n' });
pki.issue('leafUnderPolicy', { subject: '/CN=alice', key: 'leaf', issuer: 'intPolicy', ext: LEAF });

/** A copy of certificate `name` with the last byte of its signature flipped. */
function flipSignature(name: string, to: string): void {
  const der = pki.der(name);
  der[der.length - 1] = der[der.length - 1]! ^ 0x01;
  pki.write(to, encodePem('CERTIFICATE', der), name === 'int' ? 'int' : undefined);
}
flipSignature('leaf', 'leafBadSig');
flipSignature('int', 'intBadSig');

// Name constraints
const ncCa = (name: string, nc: string, extra = ''): void => {
  pki.issue(name, { subject: `/CN=${name}`, key: 'int2', issuer: 'root', ext: CA + `nameConstraints=critical,${nc}\n` + extra });
};
ncCa('ncDns', 'permitted;DNS:good.example,excluded;DNS:bad.good.example');
ncCa('ncMail', 'permitted;email:.good.example');
ncCa('ncIp', 'permitted;IP:10.0.0.0/255.0.0.0');
ncCa('ncDir', 'permitted;dirName:dir_sect', '[dir_sect]\nO=Good\n');
ncCa('ncUri', 'permitted;URI:.good.example');
ncCa('ncRid', 'permitted;RID:1.2.3.4');
const ncLeaf = (name: string, issuer: string, san: string | undefined, subject = '/CN=alice'): void => {
  pki.issue(name, { subject, key: 'leaf', issuer, ext: LEAF_BASE + 'keyUsage=digitalSignature\n' + (san ? `subjectAltName=${san}\n` : '') });
};
ncLeaf('ncDnsOk', 'ncDns', 'DNS:a.good.example');
ncLeaf('ncDnsOut', 'ncDns', 'DNS:evil.example');
ncLeaf('ncDnsExcluded', 'ncDns', 'DNS:x.bad.good.example');
ncLeaf('ncDnsCn', 'ncDns', undefined, '/CN=host.evil.example');
ncLeaf('ncDnsCnOneLabel', 'ncDns', undefined, '/CN=alice');
ncLeaf('ncMailOk', 'ncMail', 'email:alice@mx.good.example');
ncLeaf('ncMailOut', 'ncMail', 'email:alice@evil.example');
ncLeaf('ncMailSubject', 'ncMail', undefined, '/CN=alice/emailAddress=alice@evil.example');
ncLeaf('ncIpOk', 'ncIp', 'IP:10.1.2.3');
ncLeaf('ncIpOut', 'ncIp', 'IP:192.168.0.1');
ncLeaf('ncIpV6', 'ncIp', 'IP:2001:db8::1');
ncLeaf('ncDirOk', 'ncDir', undefined, '/O=good/CN=alice');
ncLeaf('ncDirOut', 'ncDir', undefined, '/O=Evil/CN=alice');
ncLeaf('ncUriOk', 'ncUri', 'URI:https://a.good.example/x');
ncLeaf('ncUriOut', 'ncUri', 'URI:https://evil.example/');
ncLeaf('ncRidLeaf', 'ncRid', 'RID:1.2.3.5');
ncLeaf('ncRidOther', 'ncRid', 'DNS:anything.example');

// Algorithms
pki.issue('rsaRoot', { subject: '/CN=RSA Root', key: 'rsaroot', ext: CA });
pki.issue('rsaInt384', { subject: '/CN=RSA Int', key: 'int', issuer: 'rsaRoot', ext: CA_AKI, md: 'sha384' });
pki.issue('rsaInt512', { subject: '/CN=RSA Int 512', key: 'int', issuer: 'rsaRoot', ext: CA_AKI, md: 'sha512' });
pki.issue('pssIntDigest', { subject: '/CN=PSS Int', key: 'int', issuer: 'rsaRoot', ext: CA_AKI, sigopt: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:digest'] });
pki.issue('pssIntMax', { subject: '/CN=PSS Int Max', key: 'int', issuer: 'rsaRoot', ext: CA_AKI, md: 'sha384', sigopt: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:max'] });
pki.issue('rsaLeafInt', { subject: '/CN=RSA Leaf Issuer', key: 'rsaroot', issuer: 'rsaRoot', ext: CA_AKI });
pki.issue('leafRsa', { subject: '/CN=rsa', key: 'rsaleaf', issuer: 'rsaLeafInt', ext: LEAF, sigopt: ['rsa_padding_mode:pss', 'rsa_pss_saltlen:32'] });
pki.issue('leafUnderRsa384', { subject: '/CN=alice', key: 'leaf', issuer: 'rsaInt384', ext: LEAF });
pki.issue('leafUnderRsa512', { subject: '/CN=alice', key: 'leaf', issuer: 'rsaInt512', ext: LEAF });
pki.issue('leafUnderPss', { subject: '/CN=alice', key: 'leaf', issuer: 'pssIntDigest', ext: LEAF });
pki.issue('leafUnderPssMax', { subject: '/CN=alice', key: 'leaf', issuer: 'pssIntMax', ext: LEAF });
pki.issue('p384Int', { subject: '/CN=P-384 Int', key: 'p384', issuer: 'root', ext: CA_AKI, md: 'sha384' });
pki.issue('leafUnderP384', { subject: '/CN=alice', key: 'leaf', issuer: 'p384Int', ext: LEAF, md: 'sha256' });
pki.issue('p384Int512', { subject: '/CN=P-384 Int 512', key: 'p384', issuer: 'root', ext: CA_AKI, md: 'sha512' });
pki.issue('leafUnderP384x512', { subject: '/CN=alice', key: 'leaf', issuer: 'p384Int512', ext: LEAF, md: 'sha384' });
pki.issue('edRoot', { subject: '/CN=Ed Root', key: 'edroot', ext: CA });
pki.issue('edInt', { subject: '/CN=Ed Int', key: 'int', issuer: 'edRoot', ext: CA_AKI });
pki.issue('leafEd', { subject: '/CN=ed', key: 'edleaf', issuer: 'edInt', ext: LEAF });

interface Case {
  readonly name: string;
  /** Certificates the client sends, leaf first. */
  readonly chain: readonly string[];
  readonly ca: readonly string[];
  /** Node's `authorizationError` (null: authorized). */
  readonly node: string | null;
  /** The OpenSSL error names we report, in order (what Node's callback sees). */
  readonly errors: readonly string[];
  readonly key?: string;
  readonly client?: Parameters<typeof nodeAuthorization>[0]['client'];
}

const cases: Case[] = [
  { name: 'valid chain', chain: ['leaf', 'int'], ca: ['root'], node: null, errors: [] },
  { name: 'extra and out-of-order intermediates', chain: ['leaf', 'other', 'root', 'intExpired', 'int'], ca: ['root'], node: null, errors: [] },
  { name: 'leaf only, intermediate trusted along with the root', chain: ['leaf'], ca: ['root', 'int'], node: null, errors: [] },
  { name: 'missing intermediate', chain: ['leaf'], ca: ['root'], node: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', errors: ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'] },
  { name: 'unknown root', chain: ['leaf', 'int'], ca: ['other'], node: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', errors: ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY'] },
  { name: 'trusted intermediate without its root', chain: ['leaf'], ca: ['int'], node: 'UNABLE_TO_GET_ISSUER_CERT', errors: ['UNABLE_TO_GET_ISSUER_CERT'] },
  { name: 'self-signed leaf', chain: ['self'], ca: ['root'], node: 'DEPTH_ZERO_SELF_SIGNED_CERT', errors: ['DEPTH_ZERO_SELF_SIGNED_CERT'] },
  { name: 'self-signed leaf that is trusted', chain: ['self'], ca: ['self'], node: null, errors: [] },
  { name: 'untrusted root sent by the client', chain: ['leaf', 'int', 'root'], ca: ['other'], node: 'SELF_SIGNED_CERT_IN_CHAIN', errors: ['SELF_SIGNED_CERT_IN_CHAIN'] },
  { name: 'expired leaf', chain: ['leafExpired', 'int'], ca: ['root'], node: 'CERT_HAS_EXPIRED', errors: ['CERT_HAS_EXPIRED'] },
  { name: 'leaf not yet valid', chain: ['leafFuture', 'int'], ca: ['root'], node: 'CERT_NOT_YET_VALID', errors: ['CERT_NOT_YET_VALID'] },
  { name: 'expired intermediate', chain: ['leaf', 'intExpired'], ca: ['root'], node: 'CERT_HAS_EXPIRED', errors: ['CERT_HAS_EXPIRED'] },
  { name: 'expired root', chain: ['leaf', 'int'], ca: ['rootExpired'], node: 'CERT_HAS_EXPIRED', errors: ['CERT_HAS_EXPIRED'] },
  { name: 'issuer with CA:FALSE', chain: ['leafNotCa', 'notCa'], ca: ['root'], node: 'INVALID_PURPOSE', errors: ['INVALID_CA', 'INVALID_PURPOSE'] },
  { name: 'intermediate without basicConstraints', chain: ['leafNoBc', 'noBc'], ca: ['root'], node: 'INVALID_CA', errors: ['INVALID_CA'] },
  { name: 'issuer without keyCertSign', chain: ['leafNoSign', 'noSign'], ca: ['root'], node: 'UNSPECIFIED', errors: ['INVALID_CA', 'INVALID_PURPOSE', 'KEYUSAGE_NO_CERTSIGN'] },
  { name: 'pathLenConstraint exceeded', chain: ['leafDeep', 'int0b', 'int0'], ca: ['root'], node: 'PATH_LENGTH_EXCEEDED', errors: ['PATH_LENGTH_EXCEEDED'] },
  { name: 'leaf EKU serverAuth only', chain: ['leafServerEku', 'int'], ca: ['root'], node: 'INVALID_PURPOSE', errors: ['INVALID_PURPOSE'] },
  { name: 'leaf EKU anyExtendedKeyUsage only', chain: ['leafAnyEku', 'int'], ca: ['root'], node: 'INVALID_PURPOSE', errors: ['INVALID_PURPOSE'] },
  { name: 'leaf keyUsage without digitalSignature', chain: ['leafKeyEnc', 'int'], ca: ['root'], node: 'INVALID_PURPOSE', errors: ['INVALID_PURPOSE'] },
  { name: 'intermediate EKU serverAuth only', chain: ['leafUnderServerInt', 'intServerEku'], ca: ['root'], node: 'INVALID_PURPOSE', errors: ['INVALID_PURPOSE'] },
  { name: 'unknown critical extension in the leaf', chain: ['leafCritical', 'int'], ca: ['root'], node: 'UNSPECIFIED', errors: ['UNHANDLED_CRITICAL_EXTENSION'] },
  { name: 'unknown critical extension in the intermediate', chain: ['leafUnderCritical', 'intCritical'], ca: ['root'], node: 'UNSPECIFIED', errors: ['UNHANDLED_CRITICAL_EXTENSION'] },
  { name: 'unknown non-critical extension', chain: ['leafNonCritical', 'int'], ca: ['root'], node: null, errors: [] },
  { name: 'bad leaf signature', chain: ['leafBadSig', 'int'], ca: ['root'], node: 'CERT_SIGNATURE_FAILURE', errors: ['CERT_SIGNATURE_FAILURE'] },
  { name: 'bad intermediate signature', chain: ['leaf', 'intBadSig'], ca: ['root'], node: 'CERT_SIGNATURE_FAILURE', errors: ['CERT_SIGNATURE_FAILURE'] },
  { name: 'wrong issuer with the same name', chain: ['leafByImpostor', 'int'], ca: ['root'], node: 'CERT_SIGNATURE_FAILURE', errors: ['CERT_SIGNATURE_FAILURE'] },
  { name: 'wrong issuer excluded by the key identifier', chain: ['leafByImpostorAki', 'int'], ca: ['root'], node: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', errors: ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'] },
  { name: 'SHA-1 signature', chain: ['leafSha1', 'int'], ca: ['root'], node: 'UNSPECIFIED', errors: ['CA_MD_TOO_WEAK'], client: { ciphers: 'DEFAULT:@SECLEVEL=0' } },
  { name: 'several faults: Node reports the last', chain: ['leafMulti', 'int'], ca: ['root'], node: 'CERT_HAS_EXPIRED', errors: ['INVALID_PURPOSE', 'CERT_HAS_EXPIRED'] },
  { name: 'name constraints: dNSName within', chain: ['ncDnsOk', 'ncDns'], ca: ['root'], node: null, errors: [] },
  { name: 'name constraints: dNSName outside permitted', chain: ['ncDnsOut', 'ncDns'], ca: ['root'], node: 'UNSPECIFIED', errors: ['PERMITTED_VIOLATION'] },
  { name: 'name constraints: dNSName excluded', chain: ['ncDnsExcluded', 'ncDns'], ca: ['root'], node: 'UNSPECIFIED', errors: ['EXCLUDED_VIOLATION'] },
  { name: 'name constraints: host-like CN without dNSName', chain: ['ncDnsCn', 'ncDns'], ca: ['root'], node: 'UNSPECIFIED', errors: ['PERMITTED_VIOLATION'] },
  { name: 'name constraints: one-label CN is not a host name', chain: ['ncDnsCnOneLabel', 'ncDns'], ca: ['root'], node: null, errors: [] },
  { name: 'name constraints: rfc822Name within', chain: ['ncMailOk', 'ncMail'], ca: ['root'], node: null, errors: [] },
  { name: 'name constraints: rfc822Name outside', chain: ['ncMailOut', 'ncMail'], ca: ['root'], node: 'UNSPECIFIED', errors: ['PERMITTED_VIOLATION'] },
  { name: 'name constraints: subject emailAddress outside', chain: ['ncMailSubject', 'ncMail'], ca: ['root'], node: 'UNSPECIFIED', errors: ['PERMITTED_VIOLATION'] },
  { name: 'name constraints: iPAddress within', chain: ['ncIpOk', 'ncIp'], ca: ['root'], node: null, errors: [] },
  { name: 'name constraints: iPAddress outside', chain: ['ncIpOut', 'ncIp'], ca: ['root'], node: 'UNSPECIFIED', errors: ['PERMITTED_VIOLATION'] },
  { name: 'name constraints: IPv6 under an IPv4 constraint', chain: ['ncIpV6', 'ncIp'], ca: ['root'], node: 'UNSPECIFIED', errors: ['PERMITTED_VIOLATION'] },
  { name: 'name constraints: directoryName within (case-insensitive)', chain: ['ncDirOk', 'ncDir'], ca: ['root'], node: null, errors: [] },
  { name: 'name constraints: directoryName outside', chain: ['ncDirOut', 'ncDir'], ca: ['root'], node: 'UNSPECIFIED', errors: ['PERMITTED_VIOLATION'] },
  { name: 'name constraints: URI within', chain: ['ncUriOk', 'ncUri'], ca: ['root'], node: null, errors: [] },
  { name: 'name constraints: URI outside', chain: ['ncUriOut', 'ncUri'], ca: ['root'], node: 'UNSPECIFIED', errors: ['PERMITTED_VIOLATION'] },
  { name: 'name constraints: registeredID (unsupported form) fails closed', chain: ['ncRidLeaf', 'ncRid'], ca: ['root'], node: 'UNSPECIFIED', errors: ['UNSUPPORTED_CONSTRAINT_TYPE'] },
  { name: 'name constraints: a form the leaf does not use is not applied', chain: ['ncRidOther', 'ncRid'], ca: ['root'], node: null, errors: [] },
  { name: 'RSA PKCS#1 v1.5 SHA-384 intermediate', chain: ['leafUnderRsa384', 'rsaInt384'], ca: ['rsaRoot'], node: null, errors: [] },
  { name: 'RSA PKCS#1 v1.5 SHA-512 intermediate', chain: ['leafUnderRsa512', 'rsaInt512'], ca: ['rsaRoot'], node: null, errors: [] },
  { name: 'RSA-PSS SHA-256, salt = digest length', chain: ['leafUnderPss', 'pssIntDigest'], ca: ['rsaRoot'], node: null, errors: [] },
  { name: 'RSA-PSS SHA-384, maximum salt', chain: ['leafUnderPssMax', 'pssIntMax'], ca: ['rsaRoot'], node: null, errors: [] },
  { name: 'RSA leaf key, RSA-PSS leaf signature', chain: ['leafRsa', 'rsaLeafInt'], ca: ['rsaRoot'], node: null, errors: [], key: 'rsaleaf' },
  { name: 'ECDSA P-256 with SHA-384, P-384 with SHA-256', chain: ['leafUnderP384', 'p384Int'], ca: ['root'], node: null, errors: [] },
  { name: 'ECDSA P-256 with SHA-512, P-384 with SHA-384', chain: ['leafUnderP384x512', 'p384Int512'], ca: ['root'], node: null, errors: [] },
  { name: 'Ed25519 root and leaf key', chain: ['leafEd', 'edInt'], ca: ['edRoot'], node: null, errors: [], key: 'edleaf' },
];

const parse = (names: readonly string[]): Certificate[] => parseCertificateChain(pki.bundle(names));

function verifyBoth(chain: Certificate[], ca: Certificate[], now: number, extra: { maxDepth?: number; purpose?: 'clientAuth' | 'serverAuth' } = {}): ChainVerification {
  const [a, b] = providers.map((provider) => verifyCertificateChain({ chain, ca, now, purpose: extra.purpose ?? 'clientAuth', provider, ...(extra.maxDepth !== undefined ? { maxDepth: extra.maxDepth } : {}) }));
  expect(b!.errors).toEqual(a!.errors);
  expect(b!.chain.map((c) => c.der)).toEqual(a!.chain.map((c) => c.der));
  return a!;
}

describe('verifyCertificateChain matches openssl verify and Node tls', () => {
  it.each(cases)('$name', async (c) => {
    const now = Date.now();
    const r = verifyBoth(parse(c.chain), parse(c.ca), now);
    expect(r.errors.map((e) => e.name)).toEqual(c.errors);
    expect(r.ok).toBe(c.errors.length === 0);
    expect(r.error?.code ?? null).toBe(c.node);

    const ossl = opensslVerify(pki, { leaf: c.chain[0]!, untrusted: c.chain.slice(1), ca: c.ca, at: now });
    expect(opensslPrefix(r.errors).map(({ number, depth, message }) => ({ number, depth, message }))).toEqual(ossl.errors);
    expect(ossl.ok).toBe(r.ok);

    const n = await nodeAuthorization({ server, ca: pki.bundle(c.ca), chain: pki.bundle(c.chain), key: pki.keyPem(c.key ?? 'leaf'), ...(c.client ? { client: c.client } : {}) });
    expect(n.authorized).toBe(r.ok);
    expect(n.authorizationError).toBe(r.error?.code ?? null);
  });
});

describe('verify depth (OpenSSL -verify_depth)', () => {
  // A chain of 11 intermediates: one more than the default depth of 10.
  const names: string[] = [];
  let issuer = 'root';
  for (let i = 0; i < 11; i++) {
    const name = `deep${i}`;
    pki.issue(name, { subject: `/CN=Deep ${i}`, key: i % 2 ? 'int' : 'int2', issuer, ext: CA_AKI });
    names.unshift(name);
    issuer = name;
  }
  pki.issue('leafVeryDeep', { subject: '/CN=alice', key: 'leaf', issuer, ext: LEAF });

  it.each([
    { chain: ['leaf', 'int'], depth: 0, errors: ['CERT_CHAIN_TOO_LONG', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'] },
    { chain: ['leaf', 'int'], depth: 1, errors: [] },
    { chain: ['leafDeep', 'int0b', 'int0'], depth: 1, errors: ['CERT_CHAIN_TOO_LONG', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'PATH_LENGTH_EXCEEDED'] },
    { chain: ['leafVeryDeep', ...names], depth: 10, errors: ['CERT_CHAIN_TOO_LONG', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'] },
    { chain: ['leafVeryDeep', ...names], depth: 11, errors: [] },
  ])('depth $depth, $chain.length certificates sent: $errors', ({ chain, depth, errors }) => {
    const now = Date.now();
    const r = verifyBoth(parse(chain), parse(['root']), now, { maxDepth: depth });
    expect(r.errors.map((e) => e.name)).toEqual(errors);
    const ossl = opensslVerify(pki, { leaf: chain[0]!, untrusted: chain.slice(1), ca: ['root'], at: now, depth });
    expect(opensslPrefix(r.errors).map(({ number, depth: d, message }) => ({ number, depth: d, message }))).toEqual(ossl.errors);
  });

  it('the default depth is 10 intermediates', () => {
    const chain = parse(['leafVeryDeep', ...names]);
    const r = verifyCertificateChain({ chain, ca: parse(['root']), now: Date.now(), purpose: 'clientAuth', provider: providers[0]! });
    expect(r.errors[0]).toMatchObject({ name: 'CERT_CHAIN_TOO_LONG', code: 'CERT_CHAIN_TOO_LONG', depth: 11, alert: 'unknown_ca' });
    expect(r.chain).toHaveLength(12);
  });
});

describe('validity boundaries at the injected time (OpenSSL compares whole seconds, notAfter exclusive)', () => {
  const start = Date.UTC(2030, 0, 1, 0, 0, 0);
  const end = Date.UTC(2030, 0, 2, 0, 0, 0);
  const long = { start: '20000101000000Z', end: '20491231000000Z' };
  pki.issue('windowRoot', { subject: '/CN=Window Root', key: 'root', ext: CA, ...long });
  pki.issue('windowInt', { subject: '/CN=Window Int', key: 'int', issuer: 'windowRoot', ext: CA_AKI, ...long });
  pki.issue('leafWindow', { subject: '/CN=alice', key: 'leaf', issuer: 'windowInt', ext: LEAF, start: asn1Time(start), end: asn1Time(end) });
  it.each([
    { at: start - 1000, errors: ['CERT_NOT_YET_VALID'] },
    { at: start - 1, errors: ['CERT_NOT_YET_VALID'] },
    { at: start, errors: [] },
    { at: end - 1000, errors: [] },
    { at: end - 1, errors: [] },
    { at: end, errors: ['CERT_HAS_EXPIRED'] },
  ])('at $at: $errors', ({ at, errors }) => {
    const r = verifyBoth(parse(['leafWindow', 'windowInt']), parse(['windowRoot']), at);
    expect(r.errors.map((e) => e.name)).toEqual(errors);
    const ossl = opensslVerify(pki, { leaf: 'leafWindow', untrusted: ['windowInt'], ca: ['windowRoot'], at });
    expect(opensslPrefix(r.errors).map(({ number, depth, message }) => ({ number, depth, message }))).toEqual(ossl.errors);
  });
});

describe('deliberate differences from OpenSSL/Node', () => {
  it('clientAuth needs digitalSignature: a keyAgreement-only leaf is refused (OpenSSL accepts it)', async () => {
    const now = Date.now();
    const r = verifyBoth(parse(['leafKeyAgreement', 'int']), parse(['root']), now);
    expect(r.errors.map((e) => [e.name, e.depth])).toEqual([['INVALID_PURPOSE', 0]]);
    expect(opensslVerify(pki, { leaf: 'leafKeyAgreement', untrusted: ['int'], ca: ['root'], at: now }).ok).toBe(true);
    const n = await nodeAuthorization({ server, ca: pki.pem('root'), chain: pki.bundle(['leafKeyAgreement', 'int']), key: pki.keyPem('leaf') });
    expect(n.authorized).toBe(true);
  });

  it('requireExplicitPolicy cannot be honoured without policy processing: refused (OpenSSL ignores it by default)', async () => {
    const now = Date.now();
    const r = verifyBoth(parse(['leafUnderPolicy', 'intPolicy']), parse(['root']), now);
    expect(r.errors.map((e) => [e.name, e.depth])).toEqual([['UNHANDLED_CRITICAL_EXTENSION', 1]]);
    expect(opensslVerify(pki, { leaf: 'leafUnderPolicy', untrusted: ['intPolicy'], ca: ['root'], at: now }).ok).toBe(true);
  });

  it('the default depth is 10, Node and OpenSSL allow 100 (see above)', () => {
    expect(verifyCertificateChain({ chain: parse(['leaf', 'int']), ca: parse(['root']), now: Date.now(), purpose: 'clientAuth', provider: providers[0]! }).ok).toBe(true);
  });
});

describe('purposes', () => {
  pki.issue('leafBoth', { subject: '/CN=both', key: 'leaf', issuer: 'int', ext: LEAF_BASE + 'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' });
  pki.issue('leafServerKeyEnc', { subject: '/CN=srv', key: 'leaf', issuer: 'int', ext: LEAF_BASE + 'keyUsage=keyEncipherment\nextendedKeyUsage=serverAuth\n' });
  pki.issue('leafNoUsage', { subject: '/CN=any', key: 'leaf', issuer: 'int', ext: LEAF_BASE });
  it.each([
    { leaf: 'leafServerEku', purpose: 'serverAuth', errors: [] },
    { leaf: 'leafServerKeyEnc', purpose: 'serverAuth', errors: [] },
    { leaf: 'leaf', purpose: 'serverAuth', errors: ['INVALID_PURPOSE'] },
    { leaf: 'leafAnyEku', purpose: 'serverAuth', errors: ['INVALID_PURPOSE'] },
    { leaf: 'leafBoth', purpose: 'serverAuth', errors: [] },
    { leaf: 'leafBoth', purpose: 'clientAuth', errors: [] },
    { leaf: 'leafNoUsage', purpose: 'clientAuth', errors: [] },
    { leaf: 'leafNoUsage', purpose: 'serverAuth', errors: [] },
  ] as const)('$leaf for $purpose: $errors', ({ leaf, purpose, errors }) => {
    const now = Date.now();
    const r = verifyBoth(parse([leaf, 'int']), parse(['root']), now, { purpose });
    expect(r.errors.map((e) => e.name)).toEqual(errors);
    const ossl = opensslVerify(pki, { leaf, untrusted: ['int'], ca: ['root'], at: now, purpose: purpose === 'serverAuth' ? 'sslserver' : 'sslclient' });
    expect(opensslPrefix(r.errors).map(({ number, depth, message }) => ({ number, depth, message }))).toEqual(ossl.errors);
  });
});

describe('TLS alerts (OpenSSL s_server -verify_return_error sends the alert of the first error)', () => {
  const ALERT_NUMBER: Record<CertificateAlert, number> = {
    bad_certificate: 42,
    unsupported_certificate: 43,
    certificate_revoked: 44,
    certificate_expired: 45,
    certificate_unknown: 46,
    unknown_ca: 48,
    decrypt_error: 51,
    internal_error: 80,
  };
  it.each([
    { chain: ['leaf'], alert: 'unknown_ca' },
    { chain: ['leafExpired', 'int'], alert: 'certificate_expired' },
    { chain: ['leafFuture', 'int'], alert: 'bad_certificate' },
    { chain: ['leafServerEku', 'int'], alert: 'unsupported_certificate' },
    { chain: ['leafBadSig', 'int'], alert: 'decrypt_error' },
    { chain: ['leafCritical', 'int'], alert: 'certificate_unknown' },
    { chain: ['ncDnsOut', 'ncDns'], alert: 'certificate_unknown' },
    { chain: ['leafNotCa', 'notCa'], alert: 'unknown_ca' },
  ] as const)('$chain: $alert', async ({ chain, alert }) => {
    const r = verifyBoth(parse(chain), parse(['root']), Date.now());
    expect(r.errors[0]!.alert).toBe(alert);
    expect(await opensslServerAlert(pki, { server: 'srv', serverKey: 'srv', ca: ['root'], chain, key: 'leaf' })).toBe(ALERT_NUMBER[alert]);
  });
});

describe('no client certificate', () => {
  it("Node reports UNABLE_TO_GET_ISSUER_CERT, which NO_PEER_CERTIFICATE_CODE names", async () => {
    const n = await nodeAuthorization({ server, ca: pki.pem('root') });
    expect(n.authorized).toBe(false);
    expect(n.authorizationError).toBe(NO_PEER_CERTIFICATE_CODE);
  });
});

describe('API misuse', () => {
  const chain = parse(['leaf', 'int']);
  const ca = parse(['root']);
  const provider = providers[0]!;
  it.each([
    { what: 'empty chain', o: { chain: [], ca, now: 0, purpose: 'clientAuth', provider }, error: TypeError, text: /options\.chain/ },
    { what: 'ca not an array', o: { chain, ca: undefined, now: 0, purpose: 'clientAuth', provider }, error: TypeError, text: /options\.ca/ },
    { what: 'now not finite', o: { chain, ca, now: Number.NaN, purpose: 'clientAuth', provider }, error: RangeError, text: /options\.now/ },
    { what: 'unknown purpose', o: { chain, ca, now: 0, purpose: 'codeSigning', provider }, error: TypeError, text: /options\.purpose/ },
    { what: 'no provider', o: { chain, ca, now: 0, purpose: 'clientAuth' }, error: TypeError, text: /options\.provider/ },
    { what: 'negative depth', o: { chain, ca, now: 0, purpose: 'clientAuth', provider, maxDepth: -1 }, error: RangeError, text: /options\.maxDepth/ },
    { what: 'depth above 100', o: { chain, ca, now: 0, purpose: 'clientAuth', provider, maxDepth: 101 }, error: RangeError, text: /options\.maxDepth/ },
  ])('$what', ({ o, error, text }) => {
    expect(() => verifyCertificateChain(o as never)).toThrow(error);
    expect(() => verifyCertificateChain(o as never)).toThrow(text);
  });

  it('an empty ca list verifies nothing', () => {
    const r = verifyCertificateChain({ chain, ca: [], now: Date.now(), purpose: 'clientAuth', provider });
    expect(r.error?.code).toBe('UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('certificates that do not parse are KeyErrors before verification', () => {
    let err: unknown;
    try {
      parseCertificateChain(encodePem('CERTIFICATE', pki.der('leaf').subarray(0, 100)));
    } catch (e) {
      err = e;
    }
    expect(isKeyError(err) && err.reason).toBe('MalformedDer');
  });
});
