/**
 * Client-certificate fixtures for the mTLS tests, made with the `openssl` CLI at test time through
 * {@link Pki} (nothing committed): a root CA and a server certificate it issued, and client
 * certificates that verify or fail in each of the ways the tests name — each made once per
 * fixture, on first use. Every certificate comes as PEM, DER chain, files and its private key.
 */
import { writeFileSync } from 'node:fs';
import { parseCertificateChain, parsePrivateKey, type PrivateKey } from '@puretls/crypto';
import { Pki, asn1Time, type KeyType } from './pki';

/** A certificate chain (leaf first) with its key, in every form a test or a client needs. */
export interface ChainFixture {
  readonly name: string;
  /** The {@link Pki} names of the chain's certificates, leaf first. */
  readonly names: readonly string[];
  /** The leaf, PEM. */
  readonly leafPem: string;
  /** The whole chain, PEM, leaf first (what `tls.connect({ cert })` takes). */
  readonly chainPem: string;
  /** The chain, DER, leaf first (what a Certificate message carries). */
  readonly chain: readonly Uint8Array[];
  readonly keyPem: string;
  readonly key: PrivateKey;
  /** Files: the leaf, the rest of the chain (empty file when none), the whole chain, the key. */
  readonly leafFile: string;
  readonly intermediatesFile: string;
  readonly chainFile: string;
  readonly keyFile: string;
}

/** The client certificates {@link ClientPki.client} makes. */
export type ClientKind =
  | 'p256' // ECDSA P-256, issued by the CA: verifies
  | 'p384'
  | 'rsa'
  | 'ed25519'
  | 'intermediate' // P-256 leaf under an intermediate CA; the chain carries the intermediate
  | 'expired' // notAfter yesterday: CERT_HAS_EXPIRED
  | 'notYetValid' // notBefore tomorrow: CERT_NOT_YET_VALID
  | 'selfSigned' // DEPTH_ZERO_SELF_SIGNED_CERT
  | 'otherCa' // issued by a CA the server does not trust: UNABLE_TO_GET_ISSUER_CERT_LOCALLY
  | 'serverAuthOnly' // extendedKeyUsage serverAuth: INVALID_PURPOSE
  | 'criticalExtension' // an unknown critical extension: UNHANDLED_CRITICAL_EXTENSION
  | 'badSignature'; // the CA's signature corrupted: CERT_SIGNATURE_FAILURE

const CA_EXT = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n';
const CLIENT_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=email:client@example.com\n';
const DAY = 86_400_000;

export class ClientPki {
  readonly pki = new Pki();
  private readonly made = new Map<string, ChainFixture>();

  /** The trusted root, `CN=puretls test CA` (P-256), PEM. */
  get caPem(): string {
    this.root();
    return this.pki.pem('ca');
  }
  /** The root's file (what `-CAfile` and `openssl s_server -CAfile` take). */
  get caFile(): string {
    this.root();
    return this.pki.path('ca.pem');
  }

  /** A server certificate for `localhost` (DNS and 127.0.0.1) issued by the root. */
  server(type: KeyType = 'p256'): ChainFixture {
    return this.once(`server-${type}`, () => {
      this.root();
      this.pki.key(`server-${type}`, type);
      this.pki.issue(`server-${type}`, { subject: '/CN=localhost', key: `server-${type}`, issuer: 'ca', ext: 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' });
      return this.fixture(`server-${type}`, [`server-${type}`]);
    });
  }

  /** A client certificate of `kind` (see {@link ClientKind}). */
  client(kind: ClientKind): ChainFixture {
    return this.once(`client-${kind}`, () => this.makeClient(kind));
  }

  close(): void {
    this.pki.close();
  }

  private makeClient(kind: ClientKind): ChainFixture {
    this.root();
    const name = `client-${kind}`;
    const now = Date.now();
    const type: KeyType = kind === 'p384' || kind === 'rsa' || kind === 'ed25519' ? kind : 'p256';
    this.pki.key(name, type);
    const subject = `/CN=${kind} client/O=puretls tests`;
    switch (kind) {
      case 'intermediate': {
        this.pki.key('intermediate', 'p256');
        this.pki.issue('intermediate', { subject: '/CN=puretls test intermediate', key: 'intermediate', issuer: 'ca', ext: CA_EXT + 'basicConstraints=critical,CA:TRUE,pathlen:0\n' });
        this.pki.issue(name, { subject, key: name, issuer: 'intermediate', ext: CLIENT_EXT });
        return this.fixture(name, [name, 'intermediate']);
      }
      case 'selfSigned':
        this.pki.issue(name, { subject, key: name, ext: CLIENT_EXT });
        break;
      case 'otherCa':
        this.pki.key('other-ca', 'p256');
        if (!this.made.has('other-ca')) {
          this.pki.issue('other-ca', { subject: '/CN=some other CA', key: 'other-ca', ext: CA_EXT });
          this.made.set('other-ca', this.fixture('other-ca', ['other-ca']));
        }
        this.pki.issue(name, { subject, key: name, issuer: 'other-ca', ext: CLIENT_EXT });
        break;
      case 'expired':
        this.pki.issue(name, { subject, key: name, issuer: 'ca', ext: CLIENT_EXT, start: asn1Time(now - 30 * DAY), end: asn1Time(now - DAY) });
        break;
      case 'notYetValid':
        this.pki.issue(name, { subject, key: name, issuer: 'ca', ext: CLIENT_EXT, start: asn1Time(now + DAY), end: asn1Time(now + 30 * DAY) });
        break;
      case 'serverAuthOnly':
        this.pki.issue(name, { subject, key: name, issuer: 'ca', ext: CLIENT_EXT.replace('extendedKeyUsage=clientAuth', 'extendedKeyUsage=serverAuth') });
        break;
      case 'criticalExtension':
        this.pki.issue(name, { subject, key: name, issuer: 'ca', ext: CLIENT_EXT + '1.3.6.1.4.1.55555.1=critical,ASN1:NULL\n' });
        break;
      case 'badSignature': {
        this.pki.issue(name, { subject, key: name, issuer: 'ca', ext: CLIENT_EXT });
        // Flip the last byte of signatureValue (the last byte of the DER): the certificate still
        // parses, the CA's signature no longer verifies.
        const der = this.pki.der(name);
        der[der.length - 1]! ^= 0x01;
        const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
        this.pki.write(name, `-----BEGIN CERTIFICATE-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END CERTIFICATE-----\n`);
        break;
      }
      default:
        this.pki.issue(name, { subject, key: name, issuer: 'ca', ext: CLIENT_EXT });
    }
    return this.fixture(name, [name]);
  }

  private root(): void {
    if (this.made.has('ca')) return;
    this.pki.key('ca', 'p256');
    // Valid from 60 days ago: the expired client certificate was valid under it (the clock tests).
    const now = Date.now();
    this.pki.issue('ca', { subject: '/CN=puretls test CA/O=puretls tests', key: 'ca', ext: CA_EXT, start: asn1Time(now - 60 * DAY), end: asn1Time(now + 60 * DAY) });
    this.made.set('ca', this.fixture('ca', ['ca']));
  }

  private once(name: string, make: () => ChainFixture): ChainFixture {
    let f = this.made.get(name);
    if (!f) this.made.set(name, (f = make()));
    return f;
  }

  private fixture(name: string, certs: readonly string[]): ChainFixture {
    const chainPem = this.pki.bundle(certs);
    const intermediatesFile = this.pki.path(`${name}.intermediates.pem`);
    const chainFile = this.pki.path(`${name}.chain.pem`);
    writeFileSync(intermediatesFile, this.pki.bundle(certs.slice(1)));
    writeFileSync(chainFile, chainPem);
    const keyPem = this.pki.keyPem(name);
    return Object.freeze({
      name,
      names: [...certs],
      leafPem: this.pki.pem(certs[0]!),
      chainPem,
      chain: parseCertificateChain(chainPem).map((c) => c.der),
      keyPem,
      key: parsePrivateKey(keyPem),
      leafFile: this.pki.path(`${certs[0]!}.pem`),
      intermediatesFile,
      chainFile,
      keyFile: this.pki.path(`${name}.key`),
    });
  }
}
