/**
 * Record protection, one object per direction and key: the null state, TLS 1.2 AEAD (RFC 5288
 * AES-GCM with an 8-byte explicit nonce, RFC 7905 ChaCha20-Poly1305) and TLS 1.3 (RFC 8446
 * §5.2–5.3). Each owns its sequence number (reset by construction: a key change makes a new one)
 * and counts its records against the key-usage limits of RFC 8446 §5.5.
 *
 * Hot path: nonces and additional data are built in preallocated scratch buffers; records are
 * sealed straight into the caller's output buffer and opened in place (the plaintext overwrites
 * the ciphertext inside the received record).
 *
 * Only types are imported from `@puretls/crypto`: this package stays runtime-neutral.
 */
import type { AeadAlgorithm, AeadKey, CryptoProvider } from '@puretls/crypto';
import { TlsError } from './errors';
import {
  ContentType,
  MAX_CIPHERTEXT_TLS12,
  MAX_CIPHERTEXT_TLS13,
  MAX_PLAINTEXT,
  RECORD_HEADER_LENGTH,
  type TlsRecord,
  type TlsVersion,
} from './record';

/** AEAD tag length for every suite (RFC 5116 / RFC 8446 §5.2). */
export const AEAD_TAG_LENGTH = 16;
/** AEAD nonce length for every suite (RFC 8446 §5.3 "iv_length"). */
export const AEAD_NONCE_LENGTH = 12;
/** RFC 5288 §3: "the nonce_explicit MUST be ... 8 octets" (TLS 1.2 AES-GCM). */
export const GCM_EXPLICIT_NONCE_LENGTH = 8;
/** RFC 5288 §3: the implicit "salt" from the key block, 4 octets (TLS 1.2 AES-GCM). */
export const GCM_SALT_LENGTH = 4;

/**
 * RFC 8446 §5.5: "For AES-GCM, up to 2^24.5 full-size records (about 24 million) may be encrypted
 * on a given connection while keeping a safety margin of approximately 2^-57". ChaCha20-Poly1305:
 * "the record sequence number would wrap before the safety limit is reached".
 */
export const AEAD_CONFIDENTIALITY_LIMIT: Readonly<Record<AeadAlgorithm, number>> = {
  'aes-128-gcm': Math.floor(2 ** 24.5),
  'aes-256-gcm': Math.floor(2 ** 24.5),
  'chacha20-poly1305': Number.POSITIVE_INFINITY,
};
/**
 * Records after which a key "needs update" (KeyUpdate in TLS 1.3): 2^24 for AES-GCM, leaving ~7
 * million records of margin below the hard limit; 2^62 for ChaCha20-Poly1305, well before the
 * sequence number wraps.
 */
export const AEAD_KEY_UPDATE_THRESHOLD: Readonly<Record<AeadAlgorithm, number>> = {
  'aes-128-gcm': 2 ** 24,
  'aes-256-gcm': 2 ** 24,
  'chacha20-poly1305': 2 ** 62,
};

/**
 * Keys for one direction. The layer copies `iv`, and the AEAD backend keeps its own key schedule:
 * the caller may wipe both arrays afterwards.
 */
export interface TrafficKeys {
  /** Which record protection: TLS 1.2 AEAD or TLS 1.3. */
  readonly version: TlsVersion;
  readonly algorithm: AeadAlgorithm;
  readonly key: Uint8Array;
  /**
   * TLS 1.3: the 12-byte `[sender]_write_iv` (RFC 8446 §7.3). TLS 1.2: the 4-byte implicit salt
   * for AES-GCM (RFC 5288 §3) or the 12-byte `client/server_write_IV` for ChaCha20-Poly1305
   * (RFC 7905 §2).
   */
  readonly iv: Uint8Array;
  /**
   * First sequence number, default 0 (RFC 8446 §5.3: "set to zero at the beginning of a
   * connection and whenever the key is changed"). Other values exist only to test the wrap stop.
   */
  readonly initialSequenceNumber?: bigint;
}

/** How much a key has been used, against the RFC 8446 §5.5 limits. */
export interface KeyUsage {
  /** Records protected (or successfully opened) with this key. */
  readonly records: number;
  /** At or past this count the key should be updated ({@link AEAD_KEY_UPDATE_THRESHOLD}). */
  readonly keyUpdateThreshold: number;
  /** Sealing refuses past this count ({@link AEAD_CONFIDENTIALITY_LIMIT}). */
  readonly limit: number;
}

/** The sending half of a protection state. */
export interface RecordEncrypter {
  /** `null` for the null state, else the protection's version. */
  readonly version: TlsVersion | null;
  /** Usage of this key (write side). */
  readonly usage: KeyUsage;
  /** True once `usage.records >= usage.keyUpdateThreshold`: send a KeyUpdate (TLS 1.3) soon. */
  readonly needsKeyUpdate: boolean;
  /** Whether TLS 1.3 padding may be added (only TLS 1.3 protection has it). */
  readonly canPad: boolean;
  /** Total record length (header included) for `contentLength` content bytes and `padding` zeros. */
  recordLength(contentLength: number, padding: number): number;
  /**
   * Writes one complete record — header ‖ protected fragment — at `out[offset..]` and returns its
   * length (which equals `recordLength(content.length, padding)`). `content` must not overlap it.
   * @throws TlsError `SequenceNumberExhausted` / `KeyUsageLimitReached` (internal_error) when the key
   *   may not protect another record; RangeError for padding on a state that cannot pad.
   */
  sealInto(type: ContentType, content: Uint8Array, padding: number, out: Uint8Array, offset: number): number;
  /**
   * Present when the AEAD allocates its output anyway (`AeadKey.sealDetached`): seals one
   * unpadded record as three fresh buffers — header, ciphertext, tag — to be sent as they are,
   * `recordLength(content.length, 0)` bytes in all. Same throws as `sealInto`.
   */
  readonly sealParts?: (type: ContentType, content: Uint8Array) => Uint8Array[];
  /** Wipes the key (best effort). */
  clean(): void;
}

/** What a decrypter yields: the real content type and a view of the content (padding removed). */
export interface OpenedRecord {
  readonly type: number;
  readonly content: Uint8Array;
}

/** The receiving half of a protection state. */
export interface RecordDecrypter {
  /** `null` for the null state, else the protection's version. */
  readonly version: TlsVersion | null;
  /** Usage of this key (read side): counted, not enforced. */
  readonly usage: KeyUsage;
  /** Largest acceptable record `length` field for this state. */
  readonly maxFragmentLength: number;
  /**
   * Largest plaintext accepted after decryption: 2^14, or the `record_size_limit` we advertised
   * (RFC 8449 §4; in TLS 1.3 the limit counts the content type and padding too, so the inner
   * plaintext may be one byte longer).
   */
  plaintextLimit: number;
  /**
   * Opens `record` in place (its fragment is overwritten by the plaintext). Returns `null` — and
   * leaves the sequence number unchanged — when the record does not authenticate.
   * @throws TlsError `AllZeroInnerPlaintext` (unexpected_message) for a TLS 1.3 record with no
   *   content type; `PlaintextOverflow` (record_overflow); `SequenceNumberExhausted` (internal_error).
   */
  open(record: TlsRecord): OpenedRecord | null;
  /** Wipes the key (best effort). */
  clean(): void;
}

/** A 64-bit sequence number as two 32-bit halves, with a hard stop instead of a wrap. */
class SequenceNumber {
  hi: number;
  lo: number;
  /** Set once 2^64 - 1 has been used: RFC 8446 §5.3 "If a TLS implementation would need to wrap a sequence number, it MUST either rekey … or terminate the connection." */
  private exhausted = false;

  constructor(initial: bigint | undefined) {
    const v = initial ?? 0n;
    if (v < 0n || v >= 1n << 64n) throw new RangeError('initialSequenceNumber must be in [0, 2^64)');
    this.hi = Number(v >> 32n);
    this.lo = Number(v & 0xffffffffn);
  }

  /** Records used so far (as a float: exact below 2^53, which is all that limits compare against). */
  get count(): number {
    return this.hi * 2 ** 32 + this.lo;
  }

  check(): void {
    if (this.exhausted) throw new TlsError('SequenceNumberExhausted', 'the sequence number would wrap');
  }

  /** Writes the current value big-endian at `b[o..o+8)`. */
  write(b: Uint8Array, o: number): void {
    const { hi, lo } = this;
    b[o] = hi >>> 24;
    b[o + 1] = hi >>> 16;
    b[o + 2] = hi >>> 8;
    b[o + 3] = hi;
    b[o + 4] = lo >>> 24;
    b[o + 5] = lo >>> 16;
    b[o + 6] = lo >>> 8;
    b[o + 7] = lo;
  }

  /** XORs the current value into the last 8 bytes of `nonce` (RFC 8446 §5.3 / RFC 7905 §2). */
  xorInto(nonce: Uint8Array, iv: Uint8Array): void {
    nonce.set(iv);
    const { hi, lo } = this;
    nonce[4]! ^= hi >>> 24;
    nonce[5]! ^= hi >>> 16;
    nonce[6]! ^= hi >>> 8;
    nonce[7]! ^= hi;
    nonce[8]! ^= lo >>> 24;
    nonce[9]! ^= lo >>> 16;
    nonce[10]! ^= lo >>> 8;
    nonce[11]! ^= lo;
  }

  increment(): void {
    if (this.lo !== 0xffffffff) {
      this.lo++;
    } else if (this.hi !== 0xffffffff) {
      this.lo = 0;
      this.hi++;
    } else {
      this.exhausted = true;
    }
  }
}

function writeHeader(out: Uint8Array, o: number, type: number, length: number): void {
  out[o] = type;
  out[o + 1] = 0x03;
  out[o + 2] = 0x03;
  out[o + 3] = length >>> 8;
  out[o + 4] = length & 0xff;
}

function usageOf(seq: SequenceNumber, algorithm: AeadAlgorithm): KeyUsage {
  return {
    records: seq.count,
    keyUpdateThreshold: AEAD_KEY_UPDATE_THRESHOLD[algorithm],
    limit: AEAD_CONFIDENTIALITY_LIMIT[algorithm],
  };
}

const NULL_USAGE: KeyUsage = { records: 0, keyUpdateThreshold: Infinity, limit: Infinity };

/**
 * The null state (RFC 5246 §6.1 "initial current state … no encryption"): records go out as
 * `TLSPlaintext` with `legacy_record_version` 0x0303.
 */
export class NullEncrypter implements RecordEncrypter {
  readonly version = null;
  readonly usage = NULL_USAGE;
  readonly needsKeyUpdate = false;
  readonly canPad = false;
  recordLength(contentLength: number): number {
    return RECORD_HEADER_LENGTH + contentLength;
  }
  sealInto(type: ContentType, content: Uint8Array, padding: number, out: Uint8Array, offset: number): number {
    if (padding !== 0) throw new RangeError('padding: the null state cannot pad');
    writeHeader(out, offset, type, content.length);
    out.set(content, offset + RECORD_HEADER_LENGTH);
    return RECORD_HEADER_LENGTH + content.length;
  }
  clean(): void {}
}

/** The null state for reading: the fragment is the content. */
export class NullDecrypter implements RecordDecrypter {
  readonly version = null;
  readonly usage = NULL_USAGE;
  readonly maxFragmentLength = MAX_PLAINTEXT;
  plaintextLimit = MAX_PLAINTEXT;
  open(record: TlsRecord): OpenedRecord {
    return { type: record.type, content: record.fragment };
  }
  clean(): void {}
}

/** Bytes of an {@link AeadState}'s one scratch buffer: iv (≤ 12) ‖ nonce (12) ‖ TLS 1.2 additional data (13). */
const SCRATCH_LENGTH = AEAD_NONCE_LENGTH + AEAD_NONCE_LENGTH + 13;

abstract class AeadState {
  protected readonly aead: AeadKey;
  protected readonly iv: Uint8Array;
  protected readonly seq: SequenceNumber;
  protected readonly nonce: Uint8Array;
  /** The TLS 1.2 additional data (RFC 5246 §6.2.3.3), 13 bytes; unused by TLS 1.3. */
  protected readonly aad: Uint8Array;
  readonly algorithm: AeadAlgorithm;

  constructor(provider: CryptoProvider, keys: TrafficKeys, ivLength: number) {
    if (!(keys.iv instanceof Uint8Array) || keys.iv.length !== ivLength) {
      throw new RangeError(`iv: ${keys.version} ${keys.algorithm} needs ${ivLength} bytes`);
    }
    this.algorithm = keys.algorithm;
    this.aead = provider.createAead(keys.algorithm, keys.key);
    // One allocation for the three small buffers a connection holds per direction for its life
    // (each separate ArrayBuffer costs a backing store and its bookkeeping: idle memory).
    const scratch = new Uint8Array(SCRATCH_LENGTH);
    this.iv = scratch.subarray(0, ivLength);
    this.iv.set(keys.iv); // copy: the caller may wipe its array
    this.nonce = scratch.subarray(AEAD_NONCE_LENGTH, 2 * AEAD_NONCE_LENGTH);
    this.aad = scratch.subarray(2 * AEAD_NONCE_LENGTH);
    this.seq = new SequenceNumber(keys.initialSequenceNumber);
  }

  get usage(): KeyUsage {
    return usageOf(this.seq, this.algorithm);
  }

  clean(): void {
    this.aead.clean();
    this.iv.fill(0);
    this.nonce.fill(0);
    this.aad.fill(0);
  }
}

function checkSealLimits(seq: SequenceNumber, algorithm: AeadAlgorithm): void {
  seq.check();
  if (seq.count >= AEAD_CONFIDENTIALITY_LIMIT[algorithm]) {
    throw new TlsError('KeyUsageLimitReached', `${algorithm}: ${seq.count} records sealed with one key`);
  }
}

/**
 * TLS 1.3 sealing (RFC 8446 §5.2): `TLSInnerPlaintext = content ‖ type ‖ zeros`, nonce = iv XOR
 * seq, additional_data = the record header (opaque_type 23, 0x0303, length).
 */
export class Tls13Encrypter extends AeadState implements RecordEncrypter {
  readonly version = 'tls13' as const;
  readonly canPad = true;
  readonly sealParts?: (type: ContentType, content: Uint8Array) => Uint8Array[];

  constructor(provider: CryptoProvider, keys: TrafficKeys) {
    super(provider, keys, AEAD_NONCE_LENGTH);
    if (this.aead.sealDetached !== undefined) this.sealParts = this.sealInParts;
  }
  get needsKeyUpdate(): boolean {
    return this.seq.count >= AEAD_KEY_UPDATE_THRESHOLD[this.algorithm];
  }
  recordLength(contentLength: number, padding: number): number {
    return RECORD_HEADER_LENGTH + contentLength + 1 + padding + AEAD_TAG_LENGTH;
  }
  sealInto(type: ContentType, content: Uint8Array, padding: number, out: Uint8Array, offset: number): number {
    checkSealLimits(this.seq, this.algorithm);
    const inner = content.length + 1 + padding;
    const total = RECORD_HEADER_LENGTH + inner + AEAD_TAG_LENGTH;
    writeHeader(out, offset, ContentType.application_data, inner + AEAD_TAG_LENGTH);
    const p = offset + RECORD_HEADER_LENGTH;
    out.set(content, p);
    out[p + content.length] = type;
    if (padding > 0) out.fill(0, p + content.length + 1, p + inner);
    this.seq.xorInto(this.nonce, this.iv);
    // Sealed in place: the output aliases the inner plaintext exactly.
    this.aead.seal(this.nonce, out.subarray(offset, p), out.subarray(p, p + inner), out.subarray(p, offset + total));
    this.seq.increment();
    return total;
  }

  /** {@link RecordEncrypter.sealParts}: the inner plaintext is staged in one reused buffer (wiped after). */
  private sealInParts(type: ContentType, content: Uint8Array): Uint8Array[] {
    checkSealLimits(this.seq, this.algorithm);
    const inner = content.length + 1;
    const header = new Uint8Array(RECORD_HEADER_LENGTH);
    writeHeader(header, 0, ContentType.application_data, inner + AEAD_TAG_LENGTH);
    const staged = (stage ??= new Uint8Array(MAX_PLAINTEXT + 1)).subarray(0, inner);
    staged.set(content);
    staged[content.length] = type;
    this.seq.xorInto(this.nonce, this.iv);
    let sealed: { readonly ciphertext: Uint8Array; readonly tag: Uint8Array };
    try {
      sealed = this.aead.sealDetached!(this.nonce, header, staged);
    } finally {
      staged.fill(0);
    }
    this.seq.increment();
    return [header, sealed.ciphertext, sealed.tag];
  }
}

/**
 * The staging buffer of {@link Tls13Encrypter.sealInParts}, shared by every encrypter of the
 * process (used synchronously and wiped after each record).
 */
let stage: Uint8Array | undefined;

/** TLS 1.3 opening (RFC 8446 §5.2), in place. */
export class Tls13Decrypter extends AeadState implements RecordDecrypter {
  readonly version = 'tls13' as const;
  readonly maxFragmentLength = MAX_CIPHERTEXT_TLS13;
  plaintextLimit = MAX_PLAINTEXT;

  constructor(provider: CryptoProvider, keys: TrafficKeys) {
    super(provider, keys, AEAD_NONCE_LENGTH);
  }
  open(record: TlsRecord): OpenedRecord | null {
    const f = record.fragment;
    if (f.length < AEAD_TAG_LENGTH) return null; // too short to carry a tag: cannot authenticate
    this.seq.check();
    this.seq.xorInto(this.nonce, this.iv);
    const inner = this.aead.open(this.nonce, record.header, f, f.subarray(0, f.length - AEAD_TAG_LENGTH));
    if (inner === null) return null;
    this.seq.increment();
    // RFC 8446 §5.4: "The length of TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets" (RFC 8449 §4
    // lowers it to the advertised limit, which counts the content type and padding).
    if (inner.length > this.plaintextLimit + 1) {
      throw new TlsError('PlaintextOverflow', `inner plaintext of ${inner.length} bytes exceeds ${this.plaintextLimit + 1}`);
    }
    // RFC 8446 §5.4: "If a receiving implementation does not find a non-zero octet in the
    // cleartext, it MUST terminate the connection with an "unexpected_message" alert."
    let i = inner.length - 1;
    while (i >= 0 && inner[i] === 0) i--;
    if (i < 0) throw new TlsError('AllZeroInnerPlaintext', 'no content type in the inner plaintext');
    return { type: inner[i]!, content: inner.subarray(0, i) };
  }
}

/**
 * TLS 1.2 AEAD sealing: additional_data = seq_num ‖ type ‖ version ‖ length (RFC 5246 §6.2.3.3).
 * AES-GCM: nonce = salt(4) ‖ nonce_explicit(8), the explicit part (= the sequence number, as RFC
 * 5288 §3 allows) sent before the ciphertext. ChaCha20-Poly1305: nonce = iv XOR seq, nothing
 * explicit (RFC 7905 §2).
 */
export class Tls12Encrypter extends AeadState implements RecordEncrypter {
  readonly version = 'tls12' as const;
  readonly canPad = false;
  private readonly explicitNonce: number;

  constructor(provider: CryptoProvider, keys: TrafficKeys) {
    const gcm = keys.algorithm !== 'chacha20-poly1305';
    super(provider, keys, gcm ? GCM_SALT_LENGTH : AEAD_NONCE_LENGTH);
    this.explicitNonce = gcm ? GCM_EXPLICIT_NONCE_LENGTH : 0;
  }
  get needsKeyUpdate(): boolean {
    return this.seq.count >= AEAD_KEY_UPDATE_THRESHOLD[this.algorithm];
  }
  recordLength(contentLength: number): number {
    return RECORD_HEADER_LENGTH + this.explicitNonce + contentLength + AEAD_TAG_LENGTH;
  }
  sealInto(type: ContentType, content: Uint8Array, padding: number, out: Uint8Array, offset: number): number {
    if (padding !== 0) throw new RangeError('padding: TLS 1.2 records cannot be padded');
    checkSealLimits(this.seq, this.algorithm);
    const n = content.length;
    const total = RECORD_HEADER_LENGTH + this.explicitNonce + n + AEAD_TAG_LENGTH;
    writeHeader(out, offset, type, total - RECORD_HEADER_LENGTH);
    fillAad12(this.aad, this.seq, type, 0x0303, n);
    const p = offset + RECORD_HEADER_LENGTH + this.explicitNonce;
    if (this.explicitNonce) {
      this.nonce.set(this.iv);
      this.seq.write(this.nonce, GCM_SALT_LENGTH);
      this.seq.write(out, offset + RECORD_HEADER_LENGTH);
    } else {
      this.seq.xorInto(this.nonce, this.iv);
    }
    this.aead.seal(this.nonce, this.aad, content, out.subarray(p, offset + total));
    this.seq.increment();
    return total;
  }
}

/** TLS 1.2 AEAD opening, in place (RFC 5288, RFC 7905). */
export class Tls12Decrypter extends AeadState implements RecordDecrypter {
  readonly version = 'tls12' as const;
  readonly maxFragmentLength = MAX_CIPHERTEXT_TLS12;
  plaintextLimit = MAX_PLAINTEXT;
  private readonly explicitNonce: number;

  constructor(provider: CryptoProvider, keys: TrafficKeys) {
    const gcm = keys.algorithm !== 'chacha20-poly1305';
    super(provider, keys, gcm ? GCM_SALT_LENGTH : AEAD_NONCE_LENGTH);
    this.explicitNonce = gcm ? GCM_EXPLICIT_NONCE_LENGTH : 0;
  }
  open(record: TlsRecord): OpenedRecord | null {
    const f = record.fragment;
    const e = this.explicitNonce;
    if (f.length < e + AEAD_TAG_LENGTH) return null;
    this.seq.check();
    const n = f.length - e - AEAD_TAG_LENGTH;
    if (e) {
      this.nonce.set(this.iv);
      this.nonce.set(f.subarray(0, e), GCM_SALT_LENGTH);
    } else {
      this.seq.xorInto(this.nonce, this.iv);
    }
    fillAad12(this.aad, this.seq, record.type, record.version, n);
    const ct = f.subarray(e);
    const pt = this.aead.open(this.nonce, this.aad, ct, ct.subarray(0, n));
    if (pt === null) return null;
    this.seq.increment();
    if (pt.length > this.plaintextLimit) {
      throw new TlsError('PlaintextOverflow', `plaintext of ${pt.length} bytes exceeds ${this.plaintextLimit}`);
    }
    return { type: record.type, content: pt };
  }
}

function fillAad12(aad: Uint8Array, seq: SequenceNumber, type: number, version: number, length: number): void {
  seq.write(aad, 0);
  aad[8] = type;
  aad[9] = version >>> 8;
  aad[10] = version & 0xff;
  aad[11] = length >>> 8;
  aad[12] = length & 0xff;
}

/**
 * The encrypter for `keys` (TLS 1.2 or 1.3 by `keys.version`).
 * @throws RangeError when the key or iv length does not fit the algorithm.
 */
export function createEncrypter(provider: CryptoProvider, keys: TrafficKeys): RecordEncrypter {
  return keys.version === 'tls13' ? new Tls13Encrypter(provider, keys) : new Tls12Encrypter(provider, keys);
}

/**
 * The decrypter for `keys` (TLS 1.2 or 1.3 by `keys.version`).
 * @throws RangeError when the key or iv length does not fit the algorithm.
 */
export function createDecrypter(provider: CryptoProvider, keys: TrafficKeys): RecordDecrypter {
  return keys.version === 'tls13' ? new Tls13Decrypter(provider, keys) : new Tls12Decrypter(provider, keys);
}
