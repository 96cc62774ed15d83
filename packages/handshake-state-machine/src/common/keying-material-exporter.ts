/**
 * Keying material exporters: TLS 1.3 (RFC 8446 §7.5) from the exporter_master_secret, TLS 1.2
 * (RFC 5705 §4) from the PRF over the master secret and both randoms. What an application gets
 * from `exportKeyingMaterial(length, label, context)` (OpenSSL `SSL_export_keying_material`).
 * The argument rules of both versions live here; the states only hold the secrets.
 */
import { HASH_LENGTH, deriveSecret, hexToBytes, hkdfExpandLabel, tls12Prf, type CryptoProvider, type HashAlgorithm } from '@puretls/crypto';

/**
 * RFC 5705 §4: "Labels here have the same definition as in TLS, i.e., an ASCII string with no
 * terminating NULL." The labels TLS 1.2 itself uses with the PRF (RFC 5246 §6.3, §7.4.9, §8.1;
 * RFC 7627 §4) are reserved: exporting under one would hand out the master secret, the key block
 * or a Finished (RFC 5705 §4: "Label values beginning with "EXPERIMENTAL" MAY be used … the
 * labels … MUST NOT collide"). OpenSSL refuses the same five (SSL_R_TLS_ILLEGAL_EXPORTER_LABEL).
 */
export const RESERVED_EXPORTER_LABELS12: readonly string[] = Object.freeze(['client finished', 'server finished', 'master secret', 'key expansion', 'extended master secret']);

/** RFC 8446 §7.1: `opaque label<7..255> = "tls13 " + Label`, so an exporter label has at most 249 bytes. */
export const MAX_EXPORTER_LABEL13 = 255 - 'tls13 '.length;
/** RFC 5705 §4: the context is prefixed by a uint16 length. */
export const MAX_EXPORTER_CONTEXT12 = 0xffff;

/** Whether TLS 1.2 refuses `label` as an exporter label (one of {@link RESERVED_EXPORTER_LABELS12}). */
export function isReservedExporterLabel12(label: string): boolean {
  return RESERVED_EXPORTER_LABELS12.includes(label);
}

/** The most bytes a TLS 1.3 exporter gives for `hash`: RFC 5869 §2.3 HKDF-Expand's `L <= 255*HashLen`. */
export function maxExportLength13(hash: HashAlgorithm): number {
  return 255 * HASH_LENGTH[hash];
}

function checkLength(length: number): void {
  if (!Number.isSafeInteger(length) || length < 1) throw new RangeError(`exportKeyingMaterial(length): a positive integer, got ${String(length)}`);
}

function checkLabel(label: string): void {
  if (typeof label !== 'string') throw new TypeError('exportKeyingMaterial(label): a string is required');
  // RFC 5705 §4: an ASCII string.
  for (let i = 0; i < label.length; i++) {
    if (label.charCodeAt(i) > 0x7f) throw new TypeError(`exportKeyingMaterial(label): an ASCII string (RFC 5705 §4), got a non-ASCII character at offset ${i}`);
  }
}

/**
 * RFC 8446 §7.5:
 * ```
 * TLS-Exporter(label, context_value, key_length) =
 *     HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter", Hash(context_value), key_length)
 * ```
 * with Secret the exporter_master_secret; "If no context is provided, the context_value is zero
 * length", so no context and an empty one give the same bytes.
 * @throws TypeError for a label that is not an ASCII string; RangeError for a label longer than
 *   {@link MAX_EXPORTER_LABEL13} or a length outside [1, {@link maxExportLength13}].
 */
export function exportKeyingMaterial13(p: CryptoProvider, hash: HashAlgorithm, exporterMasterSecret: Uint8Array, label: string, context: Uint8Array | undefined, length: number): Uint8Array {
  checkLabel(label);
  checkLength(length);
  if (label.length > MAX_EXPORTER_LABEL13) throw new RangeError(`exportKeyingMaterial(label): at most ${MAX_EXPORTER_LABEL13} bytes in TLS 1.3 (RFC 8446 §7.1), got ${label.length}`);
  if (length > maxExportLength13(hash)) throw new RangeError(`exportKeyingMaterial(length): at most ${maxExportLength13(hash)} bytes with ${hash} (RFC 5869 §2.3), got ${length}`);
  const secret = deriveSecret(p, hash, exporterMasterSecret, label, EMPTY_HASH[hash]);
  try {
    return hkdfExpandLabel(p, hash, secret, 'exporter', p.hash(hash, context ?? EMPTY), length);
  } finally {
    secret.fill(0);
  }
}

/** What the TLS 1.2 exporter runs on (RFC 5705 §4 SecurityParameters). */
export interface ExporterInput12 {
  readonly hash: HashAlgorithm;
  readonly masterSecret: Uint8Array;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  /** RFC 7627 was negotiated. */
  readonly extendedMasterSecret: boolean;
}

/**
 * RFC 5705 §4:
 * ```
 * PRF(SecurityParameters.master_secret, label,
 *     SecurityParameters.client_random + SecurityParameters.server_random +
 *     context_value_length + context_value)[length]
 * ```
 * where "the context value length is encoded as an unsigned, 16-bit quantity" and, without a
 * context, neither the length nor the value is included — so no context and an empty one differ.
 *
 * Only after an extended master secret (RFC 7627 §5.4): without it "the client or server MUST NOT
 * export any key material based on the new master secret for any subsequent application-level
 * authentication" (the triple handshake attack: two connections can share a master secret).
 * @throws TypeError for a label that is not an ASCII string, a reserved label
 *   ({@link RESERVED_EXPORTER_LABELS12}), or a connection without extended master secret;
 *   RangeError for a context above 65535 bytes or a length that is not a positive integer.
 */
export function exportKeyingMaterial12(p: CryptoProvider, input: ExporterInput12, label: string, context: Uint8Array | undefined, length: number): Uint8Array {
  checkLabel(label);
  checkLength(length);
  if (isReservedExporterLabel12(label)) throw new TypeError(`exportKeyingMaterial(label): ${JSON.stringify(label)} is reserved by TLS 1.2 (RFC 5705 §4)`);
  if (context !== undefined && context.length > MAX_EXPORTER_CONTEXT12) throw new RangeError(`exportKeyingMaterial(context): at most ${MAX_EXPORTER_CONTEXT12} bytes (RFC 5705 §4), got ${context.length}`);
  if (!input.extendedMasterSecret) {
    throw new TypeError('exportKeyingMaterial(): this TLS 1.2 connection did not negotiate extended_master_secret; RFC 7627 §5.4 forbids exporting keying material from its master secret');
  }
  const { clientRandom, serverRandom } = input;
  const seed = new Uint8Array(clientRandom.length + serverRandom.length + (context === undefined ? 0 : 2 + context.length));
  seed.set(clientRandom);
  seed.set(serverRandom, clientRandom.length);
  if (context !== undefined) {
    const at = clientRandom.length + serverRandom.length;
    seed[at] = context.length >> 8;
    seed[at + 1] = context.length & 0xff;
    seed.set(context, at + 2);
  }
  return tls12Prf(p, input.hash, input.masterSecret, label, seed, length);
}

const EMPTY = new Uint8Array(0);

/** Transcript-Hash("") (FIPS 180-4 test values): the context of `Derive-Secret(Secret, label, "")`. */
const EMPTY_HASH: Readonly<Record<HashAlgorithm, Uint8Array>> = {
  sha256: hexToBytes('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
  sha384: hexToBytes('38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b'),
};
