/**
 * The TLS 1.2 key schedule (RFC 5246 §6.3, §7.4.9, §8.1; RFC 7627 §4): master secret, key block
 * and Finished verify_data, all from the PRF with the suite's hash (RFC 5246 §5: SHA-256, or
 * SHA-384 for the SHA384 suites, RFC 5289 §3).
 *
 *   pre_master_secret ──PRF "extended master secret", session_hash──▶ master_secret (48)
 *                     (or "master secret", client_random ‖ server_random without EMS)
 *   master_secret ──PRF "key expansion", server_random ‖ client_random──▶ key_block
 *   key_block = client_write_key ‖ server_write_key ‖ client_write_IV ‖ server_write_IV
 */
import { AEAD_KEY_LENGTH, tls12Prf, type AeadAlgorithm, type CryptoProvider, type HashAlgorithm } from '@puretls/crypto';
import type { TrafficKeys } from '../io';
import type { SuiteInfo } from '../suites';
import { TLS12_VERIFY_DATA_LENGTH } from '../msgs/finished';

/** RFC 5246 §8.1: "The master secret is always exactly 48 bytes in length." */
export const MASTER_SECRET_LENGTH = 48;

/**
 * The implicit part of the AEAD nonce carried in the key block: RFC 5288 §3 `salt` (4 bytes) for
 * AES-GCM, RFC 7905 §2 the whole 12-byte `client/server_write_IV` for ChaCha20-Poly1305.
 */
export const TLS12_IV_LENGTH: Readonly<Record<AeadAlgorithm, number>> = {
  'aes-128-gcm': 4,
  'aes-256-gcm': 4,
  'chacha20-poly1305': 12,
};

/**
 * RFC 7627 §4: `master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47]`
 * where session_hash is the hash of the handshake messages through ClientKeyExchange; without
 * the extension, RFC 5246 §8.1: `PRF(pre_master_secret, "master secret", ClientHello.random +
 * ServerHello.random)[0..47]`.
 */
export function masterSecret12(
  p: CryptoProvider,
  hash: HashAlgorithm,
  preMasterSecret: Uint8Array,
  input: { readonly extended: true; readonly sessionHash: Uint8Array } | { readonly extended: false; readonly clientRandom: Uint8Array; readonly serverRandom: Uint8Array },
): Uint8Array {
  if (input.extended) return tls12Prf(p, hash, preMasterSecret, 'extended master secret', input.sessionHash, MASTER_SECRET_LENGTH);
  return tls12Prf(p, hash, preMasterSecret, 'master secret', concat(input.clientRandom, input.serverRandom), MASTER_SECRET_LENGTH);
}

/**
 * RFC 5246 §6.3: `key_block = PRF(SecurityParameters.master_secret, "key expansion",
 * SecurityParameters.server_random + SecurityParameters.client_random)`, `length` bytes.
 */
export function keyBlock12(p: CryptoProvider, hash: HashAlgorithm, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, length: number): Uint8Array {
  return tls12Prf(p, hash, masterSecret, 'key expansion', concat(serverRandom, clientRandom), length);
}

/** Both directions' record keys of a TLS 1.2 AEAD suite. */
export interface Tls12Keys {
  readonly client: TrafficKeys;
  readonly server: TrafficKeys;
}

/**
 * Splits the key block of an AEAD suite (no MAC keys, RFC 5246 §6.3 with mac_key_length 0):
 * client_write_key, server_write_key, client_write_IV, server_write_IV.
 */
export function trafficKeys12(p: CryptoProvider, suite: SuiteInfo, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): Tls12Keys {
  const keyLen = AEAD_KEY_LENGTH[suite.aead];
  const ivLen = TLS12_IV_LENGTH[suite.aead];
  const block = keyBlock12(p, suite.hash, masterSecret, clientRandom, serverRandom, 2 * (keyLen + ivLen));
  // Copies (slice), so that wiping the block leaves the keys intact.
  const at = (o: number, n: number) => block.slice(o, o + n);
  const keys: Tls12Keys = {
    client: { version: 'tls12', algorithm: suite.aead, key: at(0, keyLen), iv: at(2 * keyLen, ivLen) },
    server: { version: 'tls12', algorithm: suite.aead, key: at(keyLen, keyLen), iv: at(2 * keyLen + ivLen, ivLen) },
  };
  block.fill(0);
  return keys;
}

/**
 * RFC 5246 §7.4.9: `verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))
 * [0..verify_data_length-1]`, finished_label "client finished" or "server finished".
 */
export function verifyData12(p: CryptoProvider, hash: HashAlgorithm, masterSecret: Uint8Array, sender: 'client' | 'server', handshakeHash: Uint8Array): Uint8Array {
  return tls12Prf(p, hash, masterSecret, sender === 'client' ? 'client finished' : 'server finished', handshakeHash, TLS12_VERIFY_DATA_LENGTH);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * RFC 5489 §2: the ECDHE_PSK premaster secret, RFC 4279 §2's form with Z as other_secret:
 * `uint16 len(Z) ‖ Z ‖ uint16 len(psk) ‖ psk`, Z the ECDH shared secret (RFC 8422 §5.10).
 */
export function ecdhePskPremaster(z: Uint8Array, psk: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + z.length + psk.length);
  out[0] = z.length >> 8;
  out[1] = z.length & 0xff;
  out.set(z, 2);
  out[2 + z.length] = psk.length >> 8;
  out[3 + z.length] = psk.length & 0xff;
  out.set(psk, 4 + z.length);
  return out;
}
