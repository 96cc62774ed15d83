/**
 * ECDSA signatures as TLS carries them: `Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
 * in DER (RFC 8446 §4.2.3 → RFC 3279 §2.2.3 / ANSI X9.62). Parsing is strict: BER lengths,
 * non-minimal or negative integers, trailing bytes and r, s outside [1, n-1] are all rejected.
 */
import type { EcCurve } from '../keys/types';
import { DerReader, bigIntToBytes, derSequence, derUint } from '../asn1/der';

/** Group orders (SEC 2 §2.4.2, §2.5.1) and scalar lengths. */
export const CURVE_ORDER: Readonly<Record<EcCurve, bigint>> = {
  secp256r1: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  secp384r1: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
};
export const CURVE_BYTES: Readonly<Record<EcCurve, number>> = { secp256r1: 32, secp384r1: 48 };

/**
 * `r ‖ s`, each `CURVE_BYTES[curve]` bytes, of a strict-DER ECDSA signature, or `null` for any
 * encoding or range problem.
 */
export function ecdsaDerToRaw(curve: EcCurve, der: Uint8Array): Uint8Array | null {
  try {
    const outer = new DerReader(der, 'ECDSA signature');
    const seq = outer.sequence('Ecdsa-Sig-Value');
    outer.end();
    const r = seq.uint('r');
    const s = seq.uint('s');
    seq.end();
    const n = CURVE_ORDER[curve];
    if (r < 1n || r >= n || s < 1n || s >= n) return null;
    const size = CURVE_BYTES[curve];
    const out = new Uint8Array(2 * size);
    out.set(bigIntToBytes(r, size), 0);
    out.set(bigIntToBytes(s, size), size);
    return out;
  } catch {
    return null;
  }
}

/** DER of `r ‖ s` (IEEE P1363 form, 2 × curve bytes). @throws RangeError for a wrong length. */
export function ecdsaRawToDer(curve: EcCurve, raw: Uint8Array): Uint8Array {
  const size = CURVE_BYTES[curve];
  if (raw.length !== 2 * size) throw new RangeError(`ecdsaRawToDer(raw): expected ${2 * size} bytes, got ${raw.length}`);
  return derSequence(derUint(raw.subarray(0, size)), derUint(raw.subarray(size)));
}
