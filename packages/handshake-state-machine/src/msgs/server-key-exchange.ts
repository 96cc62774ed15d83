/**
 * ServerKeyExchange for the TLS 1.2 ECDHE suites (RFC 8422 §5.4, RFC 5246 §7.4.3): the server's
 * ephemeral ECDH public key on a named curve, signed together with both randoms.
 */
import { Reader, TlsError, Writer } from '@puretls/record-layer';
import { ECCurveType, HandshakeType } from './enums';
import { writeHandshake } from './handshake-message';

// RFC 8422 §5.4  struct {
//     ECCurveType    curve_type;
//     select (curve_type) { case named_curve: NamedCurve namedcurve; };
// } ECParameters;
//   struct { opaque point <1..2^8-1>; } ECPoint;
//   struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
//   select (KeyExchangeAlgorithm) {
//       case ec_diffie_hellman: ServerECDHParams params; Signature signed_params;
//   } ServerKeyExchange;
// RFC 5246 §4.7  digitally-signed: struct { SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>; }
/** A decoded ECDHE ServerKeyExchange. `Uint8Array` fields are views into the body. */
export interface ServerKeyExchangeEcdhe {
  /** ECCurveType: only named_curve (3) decodes. */
  readonly curveType: number;
  /** NamedCurve (= NamedGroup codepoint). */
  readonly namedCurve: number;
  /** The ECPoint (x25519: 32 bytes; NIST curves: 0x04 ‖ X ‖ Y). */
  readonly point: Uint8Array;
  /** The encoded ServerECDHParams, exactly the bytes that were signed after the randoms. */
  readonly params: Uint8Array;
  /** SignatureAndHashAlgorithm as one 16-bit SignatureScheme code (RFC 8446 §4.2.3 shares the codes). */
  readonly algorithm: number;
  readonly signature: Uint8Array;
}

/**
 * Encodes ServerECDHParams for a named curve and a public point.
 *
 * @throws RangeError for an empty point or one longer than 255 bytes (API misuse).
 */
export function writeServerEcdhParams(namedCurve: number, point: Uint8Array): Uint8Array {
  if (point.length < 1 || point.length > 0xff) throw new RangeError('writeServerEcdhParams: point must be 1..255 bytes');
  const w = new Writer(4 + point.length);
  w.u8(ECCurveType.named_curve).u16(namedCurve).vec8((w) => w.bytes(point));
  return w.finish();
}

/**
 * RFC 8422 §5.4: `signed_params` is a signature over
 * `ClientHello.random + ServerHello.random + ServerKeyExchange.params`.
 */
export function serverKeyExchangeSignedContent(clientRandom: Uint8Array, serverRandom: Uint8Array, params: Uint8Array): Uint8Array {
  const out = new Uint8Array(clientRandom.length + serverRandom.length + params.length);
  out.set(clientRandom, 0);
  out.set(serverRandom, clientRandom.length);
  out.set(params, clientRandom.length + serverRandom.length);
  return out;
}

/** The fields {@link writeServerKeyExchange} writes. */
export interface ServerKeyExchangeParams {
  /** From {@link writeServerEcdhParams}. */
  readonly params: Uint8Array;
  readonly algorithm: number;
  readonly signature: Uint8Array;
}

/**
 * Writes an ECDHE ServerKeyExchange handshake message (header included).
 *
 * @throws RangeError for a signature longer than 2^16-1 bytes (API misuse).
 */
export function writeServerKeyExchange(ske: ServerKeyExchangeParams): Uint8Array {
  if (ske.signature.length > 0xffff) throw new RangeError('writeServerKeyExchange: signature longer than 65535');
  return writeHandshake(HandshakeType.server_key_exchange, (w) => {
    w.bytes(ske.params).u16(ske.algorithm).vec16((w) => w.bytes(ske.signature));
  });
}

/**
 * Reads an ECDHE ServerKeyExchange body (tests and a future client).
 *
 * @throws TlsError `TrailingData`/`Truncated`/`BadVectorLength`/`EmptyVector` (decode_error);
 *   `IllegalParameter` (illegal_parameter) for a curve type other than named_curve (RFC 8422
 *   §5.4: explicit curves are deprecated).
 */
export function readServerKeyExchange(body: Uint8Array): ServerKeyExchangeEcdhe {
  return new Reader(body, 'ServerKeyExchange').all('ServerKeyExchange', (r) => {
    const curveType = r.u8();
    if (curveType !== ECCurveType.named_curve) throw new TlsError('IllegalParameter', `ServerKeyExchange: curve type ${curveType}, only named_curve`);
    const namedCurve = r.u16();
    const point = r.vec8({ min: 1 }).rest();
    const params = body.subarray(0, 4 + point.length);
    return { curveType, namedCurve, point, params, algorithm: r.u16(), signature: r.vec16().rest() };
  });
}

// RFC 5489 §2  struct {
//     select (KeyExchangeAlgorithm) {
//         case ec_diffie_hellman_psk:
//             opaque psk_identity_hint<0..2^16-1>;
//             ServerECDHParams params;
//     };
// } ServerKeyExchange;   (no signature: the PSK authenticates the exchange)
/**
 * Writes an ECDHE_PSK ServerKeyExchange handshake message (header included): the identity hint
 * (empty when none, RFC 4279 §5.2) and ServerECDHParams from {@link writeServerEcdhParams}.
 *
 * @throws RangeError for a hint longer than 2^16-1 bytes (API misuse).
 */
export function writeServerKeyExchangeEcdhePsk(hint: Uint8Array, params: Uint8Array): Uint8Array {
  if (hint.length > 0xffff) throw new RangeError('writeServerKeyExchangeEcdhePsk: hint longer than 65535');
  return writeHandshake(HandshakeType.server_key_exchange, (w) => {
    w.vec16((w) => w.bytes(hint)).bytes(params);
  });
}

/** A decoded ECDHE_PSK ServerKeyExchange (views into the body). */
export interface ServerKeyExchangeEcdhePsk {
  readonly hint: Uint8Array;
  readonly namedCurve: number;
  readonly point: Uint8Array;
}

/**
 * Reads an ECDHE_PSK ServerKeyExchange body (tests and a future client).
 *
 * @throws TlsError `TrailingData`/`Truncated`/`BadVectorLength`/`EmptyVector` (decode_error);
 *   `IllegalParameter` (illegal_parameter) for a curve type other than named_curve.
 */
export function readServerKeyExchangeEcdhePsk(body: Uint8Array): ServerKeyExchangeEcdhePsk {
  return new Reader(body, 'ServerKeyExchange').all('ServerKeyExchange', (r) => {
    const hint = r.vec16().rest();
    const curveType = r.u8();
    if (curveType !== ECCurveType.named_curve) throw new TlsError('IllegalParameter', `ServerKeyExchange: curve type ${curveType}, only named_curve`);
    return { hint, namedCurve: r.u16(), point: r.vec8({ min: 1 }).rest() };
  });
}
