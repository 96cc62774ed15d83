/**
 * The TLS 1.3 key schedule (RFC 8446 §7.1) for one connection. Owned by the handshake state that
 * holds it; each stage's secrets are derived once, in order:
 *
 *            0
 *            |
 *  PSK ->  HKDF-Extract = Early Secret ── binder_key, client_early_traffic_secret
 *            |
 *      Derive-Secret(., "derived", "")
 *            |
 * (EC)DHE -> HKDF-Extract = Handshake Secret ── {c,s} hs traffic
 *            |
 *      Derive-Secret(., "derived", "")
 *            |
 *   0 -> HKDF-Extract = Master Secret ── {c,s} ap traffic, exporter, resumption master
 */
import { HASH_LENGTH, deriveSecret, hexToBytes, hkdfExpandLabel, type CryptoProvider, type HashAlgorithm } from '@puretls/crypto';

const EMPTY = new Uint8Array(0);

/**
 * Transcript-Hash("") — the context of every `Derive-Secret(., "derived" | "res binder", "")` —
 * is a constant of the hash (FIPS 180-4 test values), so it is not recomputed three times per
 * handshake. Never handed out (callers only read it).
 */
const EMPTY_HASH: Readonly<Record<HashAlgorithm, Uint8Array>> = {
  sha256: hexToBytes('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
  sha384: hexToBytes('38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b'),
};

export class KeySchedule13 {
  private readonly hashLen: number;
  /** The secret of the current stage (early → handshake → master). */
  private current: Uint8Array;

  /**
   * Starts at the Early Secret: HKDF-Extract(salt = 0, IKM = PSK or HashLen zeros).
   */
  constructor(
    private readonly provider: CryptoProvider,
    readonly hash: HashAlgorithm,
    psk?: Uint8Array,
  ) {
    this.hashLen = HASH_LENGTH[hash];
    this.current = provider.hkdfExtract(hash, EMPTY, psk ?? new Uint8Array(this.hashLen));
  }

  /** Derive-Secret(current, label, Transcript-Hash) with an explicit transcript hash. */
  derive(label: string, transcriptHash: Uint8Array): Uint8Array {
    return deriveSecret(this.provider, this.hash, this.current, label, transcriptHash);
  }

  /** binder_key = Derive-Secret(Early Secret, "res binder" | "ext binder", "") (RFC 8446 §7.1). */
  binderKey(external: boolean): Uint8Array {
    return deriveSecret(this.provider, this.hash, this.current, external ? 'ext binder' : 'res binder', EMPTY_HASH[this.hash]);
  }

  /** Early → Handshake Secret: HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE). */
  inputSharedSecret(sharedSecret: Uint8Array | undefined): void {
    const salt = this.derive('derived', EMPTY_HASH[this.hash]);
    this.current = this.provider.hkdfExtract(this.hash, salt, sharedSecret ?? new Uint8Array(this.hashLen));
  }

  /** Handshake → Master Secret: HKDF-Extract(Derive-Secret(., "derived", ""), 0). */
  inputZeros(): void {
    this.inputSharedSecret(undefined);
  }

  /** finished_key = HKDF-Expand-Label(BaseKey, "finished", "", Hash.length) (RFC 8446 §4.4.4). */
  finishedKey(baseKey: Uint8Array): Uint8Array {
    return hkdfExpandLabel(this.provider, this.hash, baseKey, 'finished', EMPTY, this.hashLen);
  }

  /** verify_data = HMAC(finished_key, Transcript-Hash(…)) (RFC 8446 §4.4.4). */
  verifyData(baseKey: Uint8Array, transcriptHash: Uint8Array): Uint8Array {
    return this.provider.hmac(this.hash, this.finishedKey(baseKey), transcriptHash);
  }

  /** Wipes the current stage secret. */
  clean(): void {
    this.current.fill(0);
  }
}

/** [sender]_write_key / _iv = HKDF-Expand-Label(Secret, "key" | "iv", "", length) (RFC 8446 §7.3). */
export function trafficKeys(provider: CryptoProvider, hash: HashAlgorithm, secret: Uint8Array, keyLength: number): { key: Uint8Array; iv: Uint8Array } {
  return {
    key: hkdfExpandLabel(provider, hash, secret, 'key', EMPTY, keyLength),
    iv: hkdfExpandLabel(provider, hash, secret, 'iv', EMPTY, 12),
  };
}

/** application_traffic_secret_N+1 = HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length) (RFC 8446 §7.2). */
export function nextTrafficSecret(provider: CryptoProvider, hash: HashAlgorithm, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, hash, secret, 'traffic upd', EMPTY, HASH_LENGTH[hash]);
}

/** PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length) (RFC 8446 §4.6.1). */
export function resumptionPsk(provider: CryptoProvider, hash: HashAlgorithm, resumptionMasterSecret: Uint8Array, nonce: Uint8Array): Uint8Array {
  return hkdfExpandLabel(provider, hash, resumptionMasterSecret, 'resumption', nonce, HASH_LENGTH[hash]);
}
