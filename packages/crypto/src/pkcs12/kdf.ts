/**
 * The PKCS #12 key derivation (RFC 7292 Appendix B.2), used here for the integrity MAC key
 * (ID 3, §B.3), and the password encoding it takes: a BMPString with a two-byte terminator
 * (§B.1). OpenSSL 3.0 converts a UTF-8 password to UTF-16BE (`OPENSSL_utf82uni`) and falls back
 * to one byte per character for invalid UTF-8; the empty "NULL" password is no bytes at all.
 */
import type { CHash } from '@noble/hashes/utils.js';
import { wipe } from '../bytes';

/** RFC 7292 §B.3: "If ID=3, then the pseudorandom bits being produced are to be used as an integrity key for MACing." */
export const PKCS12_MAC_ID = 3;

/**
 * The password bytes PKCS #12 hashes: UTF-16BE of `password` (UTF-8) followed by 00 00, or
 * zero bytes for `undefined` (OpenSSL's NULL password).
 */
export function pkcs12PasswordBytes(password: Uint8Array | undefined): Uint8Array {
  if (password === undefined) return new Uint8Array(0);
  let text: string | undefined;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(password);
  } catch {
    text = undefined;
  }
  // A JS string is UTF-16 already: its code units are OpenSSL's (surrogate pairs above U+FFFF).
  const units: number[] = [];
  if (text === undefined) units.push(...password);
  else for (let i = 0; i < text.length; i++) units.push(text.charCodeAt(i));
  const out = new Uint8Array(2 * units.length + 2);
  units.forEach((u, i) => {
    out[2 * i] = u >> 8;
    out[2 * i + 1] = u & 0xff;
  });
  return out;
}

/**
 * RFC 7292 §B.2: `n` bytes from `hash` (block size `v` = `hash.blockLen`, output `u`), diversifier
 * `id`, `salt`, `password` (already in {@link pkcs12PasswordBytes} form) and `iterations`.
 */
export function pkcs12Kdf(hash: CHash, id: number, password: Uint8Array, salt: Uint8Array, iterations: number, n: number): Uint8Array {
  const v = hash.blockLen;
  const u = hash.outputLen;
  // Steps 1-4: D = ID repeated; S, P = salt, password repeated to whole blocks; I = S ‖ P.
  const fill = (src: Uint8Array): Uint8Array => {
    const out = new Uint8Array(src.length === 0 ? 0 : v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = new Uint8Array(v).fill(id);
  const S = fill(salt);
  const P = fill(password);
  const I = new Uint8Array(S.length + P.length);
  I.set(S, 0);
  I.set(P, S.length);
  wipe(P);
  const out = new Uint8Array(n);
  const c = Math.ceil(n / u);
  for (let i = 0; i < c; i++) {
    // Step 6a: A_i = H^r(D ‖ I).
    let A = hash.create().update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = hash(A);
    out.set(A.subarray(0, Math.min(u, n - i * u)), i * u);
    if (i + 1 === c) break;
    // Steps 6b-c: B = A_i repeated to v bytes; each v-byte block I_j += B + 1 (mod 2^8v).
    const B = new Uint8Array(v);
    for (let k = 0; k < v; k++) B[k] = A[k % u]!;
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  wipe(I);
  return out;
}
