/**
 * ClientKeyExchange for the TLS 1.2 ECDHE suites (RFC 8422 §5.7, RFC 5246 §7.4.7): the client's
 * ephemeral public point; ECDHE_PSK (RFC 5489 §2) adds the PSK identity. Other key exchanges (RSA,
 * DHE, plain PSK) are not served.
 */
import { Reader } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { writeHandshake } from './handshake-message';

// RFC 8422 §5.7  struct { opaque point <1..2^8-1>; } ECPoint;
//   struct { select (PublicValueEncoding) { case explicit: ECPoint ecdh_Yc; } ecdh_public; } ClientECDiffieHellmanPublic;
//   struct { select (KeyExchangeAlgorithm) { case ec_diffie_hellman: ClientECDiffieHellmanPublic; } exchange_keys; } ClientKeyExchange;
/**
 * Reads an ECDHE ClientKeyExchange body: the client's point (a view). Whether the point is valid
 * for the group is the key agreement's check.
 *
 * @throws TlsError `TrailingData`/`Truncated`/`EmptyVector` (decode_error).
 */
export function readClientKeyExchangeEcdhe(body: Uint8Array): Uint8Array {
  return new Reader(body, 'ClientKeyExchange').all('ClientKeyExchange', (r) => r.vec8({ min: 1 }).rest());
}

/**
 * Writes an ECDHE ClientKeyExchange handshake message (header included), for tests and clients.
 *
 * @throws RangeError for an empty point or one longer than 255 bytes.
 */
export function writeClientKeyExchangeEcdhe(point: Uint8Array): Uint8Array {
  if (point.length < 1 || point.length > 0xff) throw new RangeError('writeClientKeyExchangeEcdhe: point must be 1..255 bytes');
  return writeHandshake(HandshakeType.client_key_exchange, (w) => w.vec8((w) => w.bytes(point)));
}

// RFC 5489 §2  struct {
//     select (KeyExchangeAlgorithm) {
//         case ec_diffie_hellman_psk:
//             opaque psk_identity<0..2^16-1>;
//             ClientECDiffieHellmanPublic public;
//     } exchange_keys;
// } ClientKeyExchange;
/**
 * Reads an ECDHE_PSK ClientKeyExchange body: the PSK identity and the client's point (views).
 *
 * @throws TlsError `TrailingData`/`Truncated`/`EmptyVector` (decode_error).
 */
export function readClientKeyExchangeEcdhePsk(body: Uint8Array): { identity: Uint8Array; point: Uint8Array } {
  return new Reader(body, 'ClientKeyExchange').all('ClientKeyExchange', (r) => ({ identity: r.vec16().rest(), point: r.vec8({ min: 1 }).rest() }));
}

/**
 * Writes an ECDHE_PSK ClientKeyExchange handshake message (header included), for tests and clients.
 *
 * @throws RangeError for an identity longer than 2^16-1 bytes, or a point not of 1..255 bytes.
 */
export function writeClientKeyExchangeEcdhePsk(identity: Uint8Array, point: Uint8Array): Uint8Array {
  if (identity.length > 0xffff) throw new RangeError('writeClientKeyExchangeEcdhePsk: identity longer than 65535');
  if (point.length < 1 || point.length > 0xff) throw new RangeError('writeClientKeyExchangeEcdhePsk: point must be 1..255 bytes');
  return writeHandshake(HandshakeType.client_key_exchange, (w) => w.vec16((w) => w.bytes(identity)).vec8((w) => w.bytes(point)));
}
