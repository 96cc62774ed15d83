/**
 * TLS 1.3 PSK resumption helpers (RFC 8446 §4.2.11, §4.6.1, §8.3): binder computation, ticket age,
 * and the NewSessionTicket the server sends. Pure functions over the provider.
 */
import { HASH_LENGTH, equalConstantTime, type CryptoProvider, type HashAlgorithm } from '@puretls/crypto';
import { KeySchedule13 } from './key-schedule';

/** RFC 8446 §4.6.1: "Servers MUST NOT use any value greater than 604800 seconds (7 days)." */
export const MAX_TICKET_LIFETIME_S = 604800;
/**
 * RFC 8446 §8.3 freshness window for 0-RTT: the client's view of the ticket age may differ from
 * ours by at most this much (network delay + clock skew). OpenSSL uses 10 s.
 */
export const EARLY_DATA_AGE_WINDOW_MS = 10_000;

/**
 * The binder of one PSK (RFC 8446 §4.2.11.2): HMAC(finished_key(binder_key), Transcript-Hash(
 * [HRR transcript ‖] Truncate(ClientHello))). `transcriptHash` is that hash.
 */
export function computeBinder(provider: CryptoProvider, hash: HashAlgorithm, psk: Uint8Array, transcriptHash: Uint8Array, external = false): Uint8Array {
  const ks = new KeySchedule13(provider, hash, psk);
  const binderKey = ks.binderKey(external);
  const binder = ks.verifyData(binderKey, transcriptHash);
  binderKey.fill(0);
  ks.clean();
  return binder;
}

/**
 * Constant-time binder check; lengths must match the hash (RFC 8446 §4.2.11.2). `external`: the
 * binder key of an external PSK ("ext binder", RFC 8446 §7.1), else a resumption PSK's ("res binder").
 */
export function binderMatches(provider: CryptoProvider, hash: HashAlgorithm, psk: Uint8Array, transcriptHash: Uint8Array, binder: Uint8Array, external = false): boolean {
  if (binder.length !== HASH_LENGTH[hash]) return false;
  return equalConstantTime(binder, computeBinder(provider, hash, psk, transcriptHash, external));
}

/**
 * RFC 8446 §4.2.11.1: the client's view of the ticket age, in ms: obfuscated_ticket_age −
 * ticket_age_add (mod 2^32).
 */
export function clientTicketAge(obfuscatedTicketAge: number, ticketAgeAdd: number): number {
  return (obfuscatedTicketAge - ticketAgeAdd) >>> 0;
}

/**
 * RFC 8446 §8.3: 0-RTT only when the client's view of the age is within the window of ours.
 * `issuedAt` is when we sent the ticket; `now` the current time, both ms.
 */
export function ticketAgeIsFresh(clientAgeMs: number, issuedAt: number, now: number, windowMs = EARLY_DATA_AGE_WINDOW_MS): boolean {
  const ourAge = now - issuedAt;
  return Math.abs(ourAge - clientAgeMs) <= windowMs;
}

/** A 2-byte big-endian ticket nonce from a per-connection counter (RFC 8448 §3 uses 00 00 first). */
export function ticketNonce(counter: number): Uint8Array {
  return new Uint8Array([(counter >>> 8) & 0xff, counter & 0xff]);
}
