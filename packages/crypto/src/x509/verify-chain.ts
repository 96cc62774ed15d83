/**
 * Certificate path building and validation (RFC 5280 §6), reporting what Node's `tls` reports:
 * the algorithm and the order of checks are OpenSSL 3.0's `X509_verify_cert` (which Node runs with
 * a callback that accepts every error so that the handshake completes and `authorized` /
 * `authorizationError` can be read afterwards), so every error is recorded and verification goes
 * on; Node's `authorizationError` is the last one.
 *
 * 1. Build (`build_chain`, trusted-first): from the leaf, look for each certificate's issuer
 *    among the trusted certificates first, then among the peer's other certificates (any order;
 *    extra certificates are ignored), preferring one valid at `now`, else the one that expires
 *    last. A trusted certificate is a trust anchor when it is self-signed; a trusted
 *    intermediate still needs an anchor above it (OpenSSL without `X509_V_FLAG_PARTIAL_CHAIN`).
 *    A chain that reaches no anchor fails with `DEPTH_ZERO_SELF_SIGNED_CERT`,
 *    `SELF_SIGNED_CERT_IN_CHAIN`, `UNABLE_TO_GET_ISSUER_CERT` (a trusted intermediate without
 *    anchor) or `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`, or `CERT_CHAIN_TOO_LONG` past the depth.
 * 2. Extensions (`check_extensions`), for every certificate: unhandled critical extensions
 *    (RFC 5280 §4.2 "A certificate-using system MUST reject the certificate if it encounters a
 *    critical extension it does not recognize"), issuers must be CAs (§4.2.1.9; intermediates
 *    need basicConstraints cA TRUE, a trust anchor may also be a v1 root), the purpose (see
 *    `./path/purpose`), pathLenConstraint (§4.2.1.9).
 * 3. SHA-1 and MD5 signatures (below the trust anchor) are refused: `CA_MD_TOO_WEAK`, as at
 *    OpenSSL's default security level 1 (`check_auth_level`). There is no opt-in.
 * 4. Signatures and validity (`internal_verify`): each certificate against its issuer's key
 *    through the provider (the anchor's self-signature is not checked, RFC 5280 §6.1: the trust
 *    anchor is an input), keyCertSign on each issuer (§4.2.1.3), and notBefore/notAfter of every
 *    certificate including the anchor, at `now` in whole seconds, OpenSSL's way: valid when
 *    `notBefore <= now < notAfter` (RFC 5280 §4.1.2.5 counts the notAfter second as valid; Node
 *    does not).
 * 5. Name constraints (`check_name_constraints`, see `./path/name-constraints`).
 *
 * Extensions OpenSSL handles that puretls does not (so a critical one fails closed with
 * `UNHANDLED_CRITICAL_EXTENSION`): RFC 3779 IP address and AS identifier delegation, and a
 * policyConstraints with requireExplicitPolicy (whatever its criticality: puretls builds no
 * policy tree, so it cannot honour an explicit-policy requirement). Certificate policies,
 * policy mappings and inhibitAnyPolicy are accepted: without an explicit-policy requirement
 * they cannot invalidate a path (RFC 5280 §6.1.5 (g)).
 */
import { Oid } from '../asn1/oids';
import { equalConstantTime } from '../bytes';
import type { CryptoProvider } from '../provider';
import type { Certificate } from './certificate';
import { bestIssuer, caKind, isSelfIssued, isSelfSigned, likelyIssued, signingAllowed, verificationSecond } from './path/issuer';
import { checkNameConstraints } from './path/name-constraints';
import { purposeAllows, type CertificatePurpose } from './path/purpose';
import { verifyError, type CertificateVerifyError, type X509VerifyErrorName } from './verify-errors';

/** Default verify depth: at most 10 intermediates between the leaf and the anchor. */
export const DEFAULT_MAX_DEPTH = 10;
/** Largest accepted `maxDepth` (OpenSSL's and Node's default depth). */
export const MAX_VERIFY_DEPTH = 100;

/** Input of {@link verifyCertificateChain}. */
export interface VerifyChainOptions {
  /** The peer's certificates as received, leaf first; the others may come in any order. */
  readonly chain: readonly Certificate[];
  /** The trusted certificates (Node's `ca`). */
  readonly ca: readonly Certificate[];
  /** Verification time, milliseconds since the Unix epoch (injected: the core reads no clock). */
  readonly now: number;
  /** What the leaf must be good for: `'clientAuth'` (a server checking a client) or `'serverAuth'`. */
  readonly purpose: CertificatePurpose;
  /** Signature verification. */
  readonly provider: CryptoProvider;
  /**
   * OpenSSL's verify depth: the most intermediates allowed between the leaf and the trust
   * anchor. Default {@link DEFAULT_MAX_DEPTH}; Node and OpenSSL use 100.
   */
  readonly maxDepth?: number;
}

/** The outcome of {@link verifyCertificateChain}. */
export interface ChainVerification {
  /** No error at all: Node's `authorized`. */
  readonly ok: boolean;
  /** The chain that was built, leaf first; it ends at the trust anchor when one was found. */
  readonly chain: readonly Certificate[];
  /** Every error, in the order OpenSSL reports them to its verify callback. */
  readonly errors: readonly CertificateVerifyError[];
  /** The last error: what Node reports (`authorizationError` is `error.code`). */
  readonly error?: CertificateVerifyError;
}

/** Extensions OpenSSL 3.0 handles (`X509_supported_extension`) minus RFC 3779, which puretls does not validate. */
const HANDLED_EXTENSIONS = new Set<string>([
  Oid.nsCertType,
  Oid.keyUsage,
  Oid.subjectAltName,
  Oid.basicConstraints,
  Oid.certificatePolicies,
  Oid.crlDistributionPoints,
  Oid.extKeyUsage,
  Oid.ocspNoCheck,
  Oid.policyConstraints,
  Oid.proxyCertInfo,
  Oid.nameConstraints,
  Oid.policyMappings,
  Oid.inhibitAnyPolicy,
]);

function hasUnhandledCritical(cert: Certificate): boolean {
  if (cert.policyConstraints?.requireExplicitPolicy !== undefined) return true;
  return cert.extensions.some((e) => e.critical && !HANDLED_EXTENSIONS.has(e.oid));
}

function sameCertificate(a: Certificate, b: Certificate): boolean {
  return a === b || (a.der.length === b.der.length && equalConstantTime(a.der, b.der));
}

/**
 * Builds a path from the peer's leaf to a trust anchor and validates it.
 * @throws TypeError for an empty `chain`, a `ca` that is not an array, a missing provider or an
 *   unknown purpose; RangeError for a `now` that is not a finite number or a `maxDepth` outside
 *   0 to {@link MAX_VERIFY_DEPTH}. Never throws for anything in the certificates.
 */
export function verifyCertificateChain(options: VerifyChainOptions): ChainVerification {
  const { chain: peer, ca, now, purpose, provider } = options;
  if (!Array.isArray(peer) || peer.length === 0) throw new TypeError('verifyCertificateChain(options.chain): at least the leaf certificate is required');
  if (!Array.isArray(ca)) throw new TypeError('verifyCertificateChain(options.ca): an array of certificates is required');
  if (typeof now !== 'number' || !Number.isFinite(now)) throw new RangeError('verifyCertificateChain(options.now): milliseconds since the epoch required');
  if (purpose !== 'clientAuth' && purpose !== 'serverAuth') throw new TypeError(`verifyCertificateChain(options.purpose): 'clientAuth' or 'serverAuth', got ${String(purpose)}`);
  if (typeof provider?.verifyX509Signature !== 'function') throw new TypeError('verifyCertificateChain(options.provider): a CryptoProvider is required');
  const depth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_VERIFY_DEPTH) {
    throw new RangeError(`verifyCertificateChain(options.maxDepth): an integer from 0 to ${MAX_VERIFY_DEPTH}`);
  }

  const errors: CertificateVerifyError[] = [];
  const fail = (name: X509VerifyErrorName, at: number): void => {
    errors.push(verifyError(name, at));
  };
  const t = verificationSecond(now);
  const chain = buildChain(peer, ca, depth + 1, t, fail);
  checkExtensions(chain, purpose, fail);
  // check_auth_level: the signature digest of every certificate below the anchor.
  for (let i = 0; i < chain.length - 1; i++) if (chain[i]!.signatureInfo.weak) fail('CA_MD_TOO_WEAK', i);
  verifySignaturesAndTimes(chain, provider, t, fail);
  checkChainNameConstraints(chain, fail);

  const error = errors[errors.length - 1];
  return Object.freeze({
    ok: errors.length === 0,
    chain: Object.freeze(chain),
    errors: Object.freeze(errors),
    ...(error ? { error } : {}),
  });
}

type Fail = (name: X509VerifyErrorName, depth: number) => void;

/**
 * `build_chain` with `X509_V_FLAG_TRUSTED_FIRST` (OpenSSL's default). `maxLength` is OpenSSL's
 * `max_depth` (verify depth + 1): the chain stops growing past it.
 */
function buildChain(peer: readonly Certificate[], ca: readonly Certificate[], maxLength: number, t: number, fail: Fail): Certificate[] {
  const chain: Certificate[] = [peer[0]!];
  let numUntrusted = 1;
  // The untrusted pool is the whole peer list (as OpenSSL gets it); the leaf itself is excluded by the no-duplicates rule.
  const pool = [...peer];
  // The trusted store is searched at every step (trusted-first); the peer's certificates until
  // a trusted issuer is found or they run out.
  let searchUntrusted = true;
  let trusted = false;
  // check_trust: a trusted certificate in the chain that is self-signed (trust_compat).
  const checkTrust = (from: number): boolean => chain.slice(from).some(isSelfSigned);

  // Every pass grows the chain (to at most maxLength + 1 certificates), ends the untrusted
  // search, or ends the loop.
  for (let pass = 0; pass < 2 * (maxLength + 2); pass++) {
    const num = chain.length;
    // The trusted certificates first (X509_V_FLAG_TRUSTED_FIRST).
    const top = chain[num - 1]!;
    const issuer = num > maxLength ? undefined : bestIssuer(ca, top, t);
    if (issuer) {
      let ok = true;
      let selfSigned = isSelfSigned(top);
      let from = num;
      if (!selfSigned) {
        chain.push(issuer);
        selfSigned = isSelfSigned(issuer);
      } else if (!sameCertificate(top, issuer)) {
        ok = false; // a self-signed certificate mimicking a trust anchor's name
      } else {
        from = num - 1;
        chain[from] = issuer;
        numUntrusted = from;
      }
      if (ok) {
        searchUntrusted = false;
        if (checkTrust(from)) {
          trusted = true;
          break;
        }
        if (!selfSigned) continue;
      }
    }
    if (!searchUntrusted) break;
    // Then the peer's certificates (the chain is unchanged since `top` was read).
    const inChain = (c: Certificate): boolean => !(isSelfIssued(top) && num === 1) && chain.some((x) => sameCertificate(x, c));
    const peerIssuer = isSelfSigned(top) || num > maxLength ? undefined : bestIssuer(pool, top, t, inChain);
    if (!peerIssuer) {
      searchUntrusted = false;
      continue;
    }
    pool.splice(pool.indexOf(peerIssuer), 1);
    chain.push(peerIssuer);
    numUntrusted++;
  }

  if (!trusted) {
    const num = chain.length;
    if (num > maxLength) fail('CERT_CHAIN_TOO_LONG', num - 1);
    if (isSelfSigned(chain[num - 1]!)) fail(num === 1 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN', num - 1);
    else fail(numUntrusted < num ? 'UNABLE_TO_GET_ISSUER_CERT' : 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', num - 1);
  }
  return chain;
}

/** `check_extensions`: critical extensions, CA status, purpose and path length, leaf to anchor. */
function checkExtensions(chain: readonly Certificate[], purpose: CertificatePurpose, fail: Fail): void {
  const num = chain.length;
  let asCa = false;
  // plen: non-self-issued intermediates below the current certificate (RFC 5280 §6.1.4 (l)).
  let plen = 0;
  for (let i = 0; i < num; i++) {
    const x = chain[i]!;
    if (hasUnhandledCritical(x)) fail('UNHANDLED_CRITICAL_EXTENSION', i);
    if (x.extensions.some((e) => e.oid === Oid.proxyCertInfo)) fail('PROXY_CERTIFICATES_NOT_ALLOWED', i);
    if (asCa) {
      const kind = caKind(x);
      if (kind === 0 || (i + 1 < num && kind !== 1)) fail('INVALID_CA', i);
    }
    if (!purposeAllows(x, purpose, asCa)) fail('INVALID_PURPOSE', i);
    const pathLength = x.basicConstraints?.pathLength;
    // RFC 5280 §4.2.1.9: pathLenConstraint "gives the maximum number of non-self-issued
    // intermediate certificates that may follow this certificate in a valid certification path".
    if (i > 1 && pathLength !== undefined && plen > pathLength) fail('PATH_LENGTH_EXCEEDED', i);
    if (i > 0 && !isSelfIssued(x)) plen++;
    asCa = true;
  }
}

/** `internal_verify`: signatures (from the top down) and validity periods. */
function verifySignaturesAndTimes(chain: readonly Certificate[], provider: CryptoProvider, t: number, fail: Fail): void {
  let n = chain.length - 1;
  let xi = chain[n]!;
  let xs: Certificate;
  // The top certificate starts the walk when it is self-issued; otherwise its subject does.
  let checkSignature = true;
  if (likelyIssued(xi, xi)) {
    xs = xi;
  } else if (n <= 0) {
    fail('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 0);
    xs = xi;
    checkSignature = false;
  } else {
    n--;
    xs = chain[n]!;
  }
  while (n >= 0) {
    // The trust anchor's self-signature is not checked (nor by OpenSSL without CHECK_SS_SIGNATURE).
    if (checkSignature && xs !== xi) {
      if (!signingAllowed(xi)) fail('KEYUSAGE_NO_CERTSIGN', n + 1);
      const alg = xs.signatureInfo;
      // A SHA-1/MD5 signature was already refused (CA_MD_TOO_WEAK); there is nothing to verify it with.
      if (!alg.weak && (alg.verify === undefined || !provider.verifyX509Signature(xi.publicKey, alg.verify, xs.tbs, xs.signature))) {
        fail('CERT_SIGNATURE_FAILURE', n);
      }
    }
    checkSignature = true;
    if (xs.notBefore > t) fail('CERT_NOT_YET_VALID', n);
    if (xs.notAfter <= t) fail('CERT_HAS_EXPIRED', n);
    n--;
    if (n >= 0) {
      xi = xs;
      xs = chain[n]!;
    }
  }
}

/** `check_name_constraints`: each certificate (self-issued intermediates excepted) against the constraints of every certificate above it. */
function checkChainNameConstraints(chain: readonly Certificate[], fail: Fail): void {
  for (let i = chain.length - 1; i >= 0; i--) {
    const x = chain[i]!;
    if (i !== 0 && isSelfIssued(x)) continue;
    for (let j = chain.length - 1; j > i; j--) {
      const nc = chain[j]!.nameConstraints;
      if (!nc) continue;
      const r = checkNameConstraints(x, nc, i === 0);
      if (r !== undefined) fail(r, i);
    }
  }
}
