/**
 * The TLS key derivation functions, on top of any {@link CryptoProvider}: TLS 1.3
 * HKDF-Expand-Label / Derive-Secret (RFC 8446 §7.1) and the TLS 1.2 PRF (RFC 5246 §5).
 */
import { HASH_LENGTH, type CryptoProvider, type HashAlgorithm } from './provider';
import { asciiBytes } from './bytes';

/** RFC 8446 §7.1: `opaque label<7..255> = "tls13 " + Label`. */
const TLS13_LABEL_PREFIX = 'tls13 ';
const MAX_LABEL = 255;
const MAX_CONTEXT = 255;
/** `uint16 length` of HkdfLabel. */
const MAX_EXPAND_LABEL_LENGTH = 0xffff;

/** Encoded labels, cached: the engine uses a dozen fixed labels on every handshake. */
const labelCache = new Map<string, Uint8Array>();
const LABEL_CACHE_MAX = 64;

function labelBytes(label: string): Uint8Array {
  let bytes = labelCache.get(label);
  if (bytes === undefined) {
    bytes = asciiBytes(label);
    if (labelCache.size < LABEL_CACHE_MAX) labelCache.set(label, bytes);
  }
  return bytes;
}

/** `"tls13 " + label` encoded, cached by `label` itself (no string concatenation per call). */
const label13Cache = new Map<string, Uint8Array>();
function label13Bytes(label: string): Uint8Array {
  let bytes = label13Cache.get(label);
  if (bytes === undefined) {
    bytes = asciiBytes(TLS13_LABEL_PREFIX + label);
    if (label13Cache.size < LABEL_CACHE_MAX) label13Cache.set(label, bytes);
  }
  return bytes;
}

/**
 * RFC 8446 §7.1 HKDF-Expand-Label(Secret, Label, Context, Length) =
 * HKDF-Expand(Secret, HkdfLabel, Length), where
 * ```
 * struct {
 *     uint16 length = Length;
 *     opaque label<7..255> = "tls13 " + Label;
 *     opaque context<0..255> = Context;
 * } HkdfLabel;
 * ```
 * `label` is given without the "tls13 " prefix (`'key'`, `'iv'`, `'finished'`, `'c hs traffic'`, …).
 * @throws RangeError for a label or context too long for HkdfLabel, a non-ASCII label, or a
 *   length above 255 · HashLen (RFC 5869 §2.3).
 */
export function hkdfExpandLabel(
  p: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  context: Uint8Array,
  length: number,
): Uint8Array {
  const fullLabel = label13Bytes(label);
  if (fullLabel.length > MAX_LABEL) throw new RangeError(`hkdfExpandLabel(label): "tls13 ${label}" is ${fullLabel.length} bytes, at most ${MAX_LABEL}`);
  if (context.length > MAX_CONTEXT) throw new RangeError(`hkdfExpandLabel(context): ${context.length} bytes, at most ${MAX_CONTEXT}`);
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_EXPAND_LABEL_LENGTH) {
    throw new RangeError(`hkdfExpandLabel(length): must be an integer in [0, ${MAX_EXPAND_LABEL_LENGTH}], got ${length}`);
  }
  const info = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  info[0] = length >>> 8;
  info[1] = length & 0xff;
  info[2] = fullLabel.length;
  info.set(fullLabel, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return p.hkdfExpand(hash, secret, info, length);
}

/**
 * RFC 8446 §7.1 Derive-Secret(Secret, Label, Messages) =
 * HKDF-Expand-Label(Secret, Label, Transcript-Hash(Messages), Hash.length).
 * Takes the transcript *hash* (the caller owns the running transcript and forks it with `clone()`).
 * @throws RangeError when `transcriptHash` is not Hash.length bytes.
 */
export function deriveSecret(
  p: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  transcriptHash: Uint8Array,
): Uint8Array {
  const hashLength = HASH_LENGTH[hash];
  if (transcriptHash.length !== hashLength) {
    throw new RangeError(`deriveSecret(transcriptHash): ${hash} transcript hash must be ${hashLength} bytes, got ${transcriptHash.length}`);
  }
  return hkdfExpandLabel(p, hash, secret, label, transcriptHash, hashLength);
}

/**
 * RFC 5246 §5: PRF(secret, label, seed) = P_<hash>(secret, label + seed), with
 * ```
 * P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) + HMAC_hash(secret, A(2) + seed) + …
 * A(0) = seed,  A(i) = HMAC_hash(secret, A(i-1))
 * ```
 * `label` is the ASCII label without a length or terminator (`'master secret'`, `'key expansion'`,
 * `'client finished'`, …). SHA-256 for every TLS 1.2 suite except the SHA-384 ones (RFC 5289 §3).
 * @throws RangeError for a negative or non-integer `length`, or a non-ASCII label.
 */
export function tls12Prf(
  p: CryptoProvider,
  hash: HashAlgorithm,
  secret: Uint8Array,
  label: string,
  seed: Uint8Array,
  length: number,
): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`tls12Prf(length): must be a non-negative integer, got ${length}`);
  const l = labelBytes(label);
  const labelSeed = new Uint8Array(l.length + seed.length);
  labelSeed.set(l);
  labelSeed.set(seed, l.length);
  const hashLength = HASH_LENGTH[hash];
  const out = new Uint8Array(length);
  // One buffer holds A(i) ‖ label ‖ seed; A(i) is overwritten in place each round.
  const block = new Uint8Array(hashLength + labelSeed.length);
  block.set(labelSeed, hashLength);
  let a: Uint8Array = labelSeed; // A(0)
  for (let offset = 0; offset < length; offset += hashLength) {
    a = p.hmac(hash, secret, a); // A(i)
    block.set(a, 0);
    const chunk = p.hmac(hash, secret, block);
    out.set(chunk.subarray(0, Math.min(hashLength, length - offset)), offset);
  }
  return out;
}
