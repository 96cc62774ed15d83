/**
 * Client certificate authentication for a `ServerContext`: Node's `requestCert`,
 * `rejectUnauthorized` and `ca`, turned into the handshake's `ClientAuthConfig`. The X.509 policy
 * lives here, not in the handshake: a client's chain is verified against `ca` at the context's
 * (injected) clock for the clientAuth purpose (`verifyCertificateChain`, OpenSSL 3.0's checks).
 */
import {
  KeyError,
  NO_PEER_CERTIFICATE_CODE,
  equalConstantTime,
  isKeyError,
  parseCertificateChain,
  verifyCertificateChain,
  type Certificate,
  type CryptoProvider,
} from '@puretls/crypto';
import { MAX_CA_NAMES_LENGTH, type ClientAuthConfig, type ClientChainVerdict } from '@puretls/handshake-state-machine';

/** `ca`: PEM text (one or more CERTIFICATE blocks, as a string or the bytes of a file) or DER, or an array of them. */
export type CaOption = string | Uint8Array | readonly (string | Uint8Array)[];

/** The client-auth options of `ServerContextOptions` (Node's names and defaults). */
export interface ClientAuthOptions {
  /** Ask the client for a certificate (RFC 8446 §4.3.2 / RFC 5246 §7.4.4). Default `false`. */
  readonly requestCert?: boolean;
  /** With `requestCert`: refuse clients without a certificate that verifies against `ca`. Default `true`. */
  readonly rejectUnauthorized?: boolean;
  /** The CAs client certificates are verified against (and whose names the CertificateRequest lists). */
  readonly ca?: CaOption;
}

/** A context's client authentication, as configured. */
export interface ClientAuthPolicy {
  /** Node's `rejectUnauthorized`: no certificate, or one that does not verify, aborts the handshake. */
  readonly rejectUnauthorized: boolean;
  /** The trusted certificates, parsed from `ca`, in order. */
  readonly ca: readonly Certificate[];
  /** What the handshake is given (`HandshakeConfig.clientAuth`). */
  readonly handshake: ClientAuthConfig;
}

/**
 * The client authentication `options` ask for, or `undefined` without `requestCert`. Without `ca`
 * nothing is trusted: every chain is unauthorized (puretls has no default root store; Node falls
 * back to its bundled one).
 * @throws TypeError for a `requestCert`/`rejectUnauthorized` that is not a boolean or a `ca` that
 *   is not text, bytes or an array of them; KeyError (reason of the parser, message naming
 *   `options.ca[i]`) for a CA certificate that cannot be read; RangeError when the CA names do not
 *   fit in a CertificateRequest.
 */
export function makeClientAuth(options: ClientAuthOptions, provider: CryptoProvider, now: () => number): ClientAuthPolicy | undefined {
  const { requestCert, rejectUnauthorized } = options;
  if (requestCert !== undefined && typeof requestCert !== 'boolean') throw new TypeError('options.requestCert: a boolean');
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') throw new TypeError('options.rejectUnauthorized: a boolean');
  // `ca` is checked even without requestCert: a file that does not read is an error wherever it is given.
  const ca = parseCa(options.ca);
  if (requestCert !== true) return undefined;
  const reject = rejectUnauthorized ?? true;
  const names = caNames(ca);
  const verifyChain = (chain: readonly Certificate[]): ClientChainVerdict => {
    // Node's default for a client that sent nothing (its VerifyPeerCertificate).
    if (chain.length === 0) return { authorized: false, error: NO_PEER_CERTIFICATE_CODE, message: 'the client sent no certificate' };
    const r = verifyCertificateChain({ chain, ca, now: now(), purpose: 'clientAuth', provider });
    if (r.ok) return { authorized: true };
    // Node reports the last error OpenSSL found (its callback lets verification go on); an OpenSSL
    // server that refuses (`-verify_return_error`) stops at the first and sends its alert.
    return {
      authorized: false,
      error: r.error!.code,
      message: r.errors.map((e) => `${e.message} at depth ${e.depth}`).join('; '),
      alert: r.errors[0]!.alert,
    };
  };
  return Object.freeze({
    rejectUnauthorized: reject,
    ca,
    handshake: Object.freeze({ rejectUnauthorized: reject, certificateAuthorities: names, verifyChain }),
  });
}

function parseCa(option: CaOption | undefined): readonly Certificate[] {
  if (option === undefined) return Object.freeze([]);
  const list = Array.isArray(option) ? (option as readonly unknown[]) : [option];
  const out: Certificate[] = [];
  list.forEach((entry, i) => {
    if (typeof entry !== 'string' && !(entry instanceof Uint8Array)) throw new TypeError(`options.ca${Array.isArray(option) ? `[${i}]` : ''}: PEM text, PEM or DER bytes`);
    try {
      out.push(...parseCertificateChain(entry));
    } catch (e) {
      if (isKeyError(e)) throw new KeyError(e.reason, `options.ca${Array.isArray(option) ? `[${i}]` : ''}: ${e.message}`, { cause: e });
      throw e;
    }
  });
  return Object.freeze(out);
}

/**
 * The DER subject names of the CAs, once each, in order: what certificate_authorities lists.
 * @throws RangeError when they take more than {@link MAX_CA_NAMES_LENGTH} bytes.
 */
function caNames(ca: readonly Certificate[]): readonly Uint8Array[] {
  const names: Uint8Array[] = [];
  for (const c of ca) if (!names.some((n) => n.length === c.subject.length && equalConstantTime(n, c.subject))) names.push(c.subject);
  const length = names.reduce((n, x) => n + 2 + x.length, 0);
  if (length > MAX_CA_NAMES_LENGTH) throw new RangeError(`options.ca: the CA names take ${length} bytes, more than a CertificateRequest holds (${MAX_CA_NAMES_LENGTH})`);
  return Object.freeze(names);
}
