/**
 * Node's certificate options — `key`, `cert`, `pfx`, `passphrase`, `ca` — as the context's
 * `certificates`, read the way OpenSSL reads them under Node:
 *
 * - keys and certificates are matched by public key, not by position (OpenSSL keeps one
 *   certificate per key type and pairs a key with the certificate of its type), so `key: [ec, rsa]`
 *   with `cert: [rsa, ec]` works; the pairs are ordered as OpenSSL prefers them (ECDSA, Ed25519,
 *   then RSA: its default signature algorithm order);
 * - a key may be encrypted (`passphrase`, or `{ pem, passphrase }` per key);
 * - a `pfx` (PKCS #12, with `passphrase` or `{ buf, passphrase }`) brings its key, its certificate
 *   and the file's other certificates as the chain (Node's `loadPKCS12`), which also extend `ca`;
 * - a certificate given alone (no chain in its PEM) gets its chain completed from `ca`, as far as
 *   it goes (OpenSSL's automatic chain building: the issuers found, the root too when present),
 *   so that a client sees `issuerCertificate` as it does with Node.
 *
 * Where puretls is stricter than Node (which fails the handshakes instead): a key without a
 * certificate and a certificate without a key are errors at creation.
 */
import {
  KeyError,
  createNodeProvider,
  encodePkcs8,
  namesEqual,
  parseCertificateChain,
  parsePkcs12,
  parsePrivateKey,
  publicKeyOf,
  publicKeysEqual,
  type Certificate,
  type PrivateKey,
} from '@puretls/crypto';
import type { CertificateOption } from '../core/context';

/** A PEM string or bytes (Node's `string | Buffer`), or Node's `{ pem, passphrase }` key form. */
export type NodePemInput = string | Uint8Array | { readonly pem: string | Uint8Array; readonly passphrase?: string };
/** A PKCS #12 file, or Node's `{ buf, passphrase }` form. */
export type NodePfxInput = Uint8Array | string | { readonly buf: Uint8Array | string; readonly passphrase?: string };

/** Node's certificate options (of `tls.createSecureContext`). */
export interface NodeCertificateOptions {
  readonly key?: NodePemInput | readonly NodePemInput[];
  readonly cert?: string | Uint8Array | readonly (string | Uint8Array)[];
  readonly pfx?: NodePfxInput | readonly NodePfxInput[];
  readonly passphrase?: string;
  readonly ca?: string | Uint8Array | readonly (string | Uint8Array)[];
  readonly allowWeakRsa?: boolean;
}

/** The context's certificates and the trust-store certificates (`ca` plus the pfx's extras). */
export interface NodeCertificates {
  readonly certificates: CertificateOption[];
  /** `ca`, parsed, plus every pfx's other certificates (Node adds those to the store too). */
  readonly ca: readonly Certificate[];
}

/** Longest chain completed from `ca` (certificates after the leaf). */
const MAX_COMPLETED_CHAIN = 10;

/** OpenSSL's preference among certificate types (its default signature algorithm list: ECDSA, Ed25519, RSA). */
const TYPE_ORDER: Readonly<Record<PrivateKey['kind'], number>> = { ec: 0, ed25519: 1, rsa: 2 };

/**
 * Reads Node's certificate options.
 * @throws TypeError naming the option for a malformed value or a key/certificate that has no
 *   partner; KeyError for unusable keys and certificates (`BadDecrypt` for a wrong passphrase,
 *   `KeyCertificateMismatch` with Node's code `ERR_OSSL_X509_KEY_VALUES_MISMATCH` for a key whose
 *   type has a certificate that is not its, `MacVerifyFailure` for a pfx with a wrong passphrase, …).
 */
export function readNodeCertificates(o: NodeCertificateOptions, where: string): NodeCertificates {
  const allowWeakRsa = o.allowWeakRsa ?? false;
  if (o.passphrase !== undefined && o.passphrase !== null && typeof o.passphrase !== 'string') throw new TypeError(`${where}.passphrase: a string`);
  const ca: Certificate[] = list(o.ca).flatMap((c, i) => readCa(c, `${where}.ca[${i}]`));
  const pairs: { chain: Certificate[]; key: PrivateKey }[] = [];

  for (const [i, p] of list(o.pfx).entries()) {
    const raw = typeof p === 'object' && !(p instanceof Uint8Array) ? p.buf : p;
    const pass = (typeof p === 'object' && !(p instanceof Uint8Array) ? p.passphrase : undefined) ?? o.passphrase;
    if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) throw new TypeError(`${where}.pfx[${i}]: a Buffer or { buf, passphrase }`);
    const der = typeof raw === 'string' ? new Uint8Array(Buffer.from(raw, 'latin1')) : raw;
    const contents = parsePkcs12(der, pass, { allowWeakRsa });
    pairs.push({ chain: [...contents.certificates], key: contents.key });
    ca.push(...contents.ca);
  }

  const chains = list(o.cert).map((c, i) => {
    if (typeof c !== 'string' && !(c instanceof Uint8Array)) throw new TypeError(`${where}.cert[${i}]: a PEM string or Buffer`);
    return nodeCoded(() => parseCertificateChain(c), 'certificate');
  });
  const keys = list(o.key).map((k, i) => readKey(k, o.passphrase, allowWeakRsa, `${where}.key[${i}]`));
  const used = new Set<number>();
  for (const [i, key] of keys.entries()) {
    const pub = publicKeyOf(key);
    const at = chains.findIndex((c, j) => !used.has(j) && publicKeysEqual(pub, c[0]!.publicKey));
    if (at < 0) {
      if (chains.some((c) => c[0]!.publicKey.kind === key.kind)) {
        throw Object.assign(new KeyError('KeyCertificateMismatch', `${where}.key[${i}]: key values mismatch: no ${where}.cert has this ${key.kind} key's public key`), { code: 'ERR_OSSL_X509_KEY_VALUES_MISMATCH' });
      }
      throw new TypeError(`${where}.key[${i}]: no certificate in ${where}.cert for this ${key.kind} key (keys and certificates are matched by public key)`);
    }
    used.add(at);
    pairs.push({ chain: chains[at]!, key });
  }
  const unpaired = chains.findIndex((_, j) => !used.has(j));
  if (unpaired >= 0) throw new TypeError(`${where}.cert[${unpaired}]: no key in ${where}.key${o.pfx ? ` or ${where}.pfx` : ''} for this certificate (${chains[unpaired]![0]!.publicKey.kind})`);

  pairs.sort((a, b) => TYPE_ORDER[a.key.kind] - TYPE_ORDER[b.key.kind]);
  const certificates = pairs.map(({ chain, key }) => ({
    cert: concat((chain.length === 1 ? completeChain(chain[0]!, ca) : chain).map((c) => c.der)),
    key: encodePkcs8(key),
  }));
  return { certificates, ca };
}

function list<T>(v: T | readonly T[] | undefined | null): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? [...(v as readonly T[])] : [v as T];
}

function readKey(k: NodePemInput, passphrase: string | undefined, allowWeakRsa: boolean, where: string): PrivateKey {
  const isObject = typeof k === 'object' && k !== null && !(k instanceof Uint8Array);
  const pem = isObject ? (k as { pem: unknown }).pem : k;
  const pass = (isObject ? (k as { passphrase?: string }).passphrase : undefined) ?? passphrase;
  if (typeof pem !== 'string' && !(pem instanceof Uint8Array)) throw new TypeError(`${where}: a PEM string, Buffer or { pem, passphrase }`);
  return nodeCoded(() => parsePrivateKey(pem, { allowWeakRsa, ...(pass !== undefined ? { passphrase: pass } : {}) }), 'key');
}

/**
 * Node's (OpenSSL's) codes on the key errors Node has them for, puretls's kept in `puretlsCode`:
 * a wrong or missing passphrase is "bad decrypt"; text that is no key, the decoder's
 * "unsupported"; text that is no certificate, "no start line".
 */
function nodeCoded<T>(parse: () => T, what: 'key' | 'certificate'): T {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof KeyError)) throw e;
    const notText = e.reason === 'NotPem' || e.reason === 'UnknownPemLabel' || e.reason === 'NoCertificate';
    const code = e.reason === 'BadDecrypt' || e.reason === 'PassphraseRequired' ? 'ERR_OSSL_BAD_DECRYPT' : notText ? (what === 'key' ? 'ERR_OSSL_UNSUPPORTED' : 'ERR_OSSL_PEM_NO_START_LINE') : undefined;
    if (code !== undefined) Object.defineProperties(e, { puretlsCode: { value: e.code, enumerable: true }, code: { value: code, enumerable: true } });
    throw e;
  }
}

/**
 * The certificates of one `ca` entry. A certificate whose key puretls cannot use (a CA bundle's
 * DSA or P-521 root) cannot be in a chain puretls serves either: it is left out, not an error.
 */
function readCa(c: string | Uint8Array, where: string): Certificate[] {
  if (typeof c !== 'string' && !(c instanceof Uint8Array)) throw new TypeError(`${where}: a PEM string or Buffer`);
  const text = typeof c === 'string' ? c : looksLikePem(c) ? Buffer.from(c).toString('latin1') : undefined;
  const blocks = text === undefined ? [c] : (text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [text]);
  const out: Certificate[] = [];
  for (const block of blocks) {
    try {
      out.push(...parseCertificateChain(block));
    } catch (e) {
      if (e instanceof KeyError && (e.reason === 'UnsupportedAlgorithm' || e.reason === 'UnsupportedCurve' || e.reason === 'WeakKey')) continue;
      throw e;
    }
  }
  return out;
}

function looksLikePem(b: Uint8Array): boolean {
  return Buffer.from(b.subarray(0, 64)).toString('latin1').includes('-----BEGIN');
}

/** Signatures checked with native crypto: chain completion is configuration time, Node-only. */
const VERIFIER = createNodeProvider();

/**
 * `leaf` and its issuers from `ca`, as far as they are found: each next certificate's subject is
 * the current one's issuer and its key verifies the current signature; a self-issued certificate
 * (the root) ends the chain.
 */
function completeChain(leaf: Certificate, ca: readonly Certificate[]): Certificate[] {
  const chain = [leaf];
  for (let cur = leaf; chain.length <= MAX_COMPLETED_CHAIN && !namesEqual(cur.subjectName, cur.issuerName); ) {
    const issuer = ca.find((c) => !chain.includes(c) && namesEqual(c.subjectName, cur.issuerName) && verifies(c, cur));
    if (issuer === undefined) break;
    chain.push(issuer);
    cur = issuer;
  }
  return chain;
}

function verifies(issuer: Certificate, cert: Certificate): boolean {
  const alg = cert.signatureInfo.verify;
  if (alg === undefined) return false;
  try {
    return VERIFIER.verifyX509Signature(issuer.publicKey, alg, cert.tbs, cert.signature);
  } catch {
    return false;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
