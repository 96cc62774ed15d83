/**
 * How long each handshake message a server receives can be, by its syntax: the bound the record
 * layer checks from the 4-byte header, before any of the body is buffered. So a client can make
 * the server hold at most the largest message the protocol allows (a ClientHello of 131,396
 * bytes), whatever length it announces.
 */
import { TlsError, type HandshakeMessageLimit } from '@puretls/record-layer';
import { HandshakeType } from './enums';

/**
 * The largest ClientHello body the syntax allows (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2): legacy_version
 * (2) ‖ random (32) ‖ `legacy_session_id<0..32>` (1 + 32) ‖ `cipher_suites<2..2^16-2>` (2 + 65534) ‖
 * `legacy_compression_methods<1..2^8-1>` (1 + 255) ‖ `extensions<8..2^16-1>` (2 + 65535) = 131,396
 * bytes — OpenSSL's `CLIENT_HELLO_MAX_LENGTH` too. (A TLS 1.3 one, with exactly one compression
 * method, is at most 254 bytes shorter.)
 */
export const MAX_CLIENT_HELLO_LENGTH = 2 + 32 + (1 + 32) + (2 + 0xfffe) + (1 + 0xff) + (2 + 0xffff);

/**
 * RFC 8422 §5.7 `ClientECDiffieHellmanPublic`: `opaque point <1..2^8-1>`; with ECDHE_PSK (RFC 5489
 * §2) after `opaque psk_identity<0..2^16-1>`, bounded as OpenSSL bounds every ClientKeyExchange
 * (CLIENT_KEY_EXCH_MAX_LENGTH, 2048): room for any identity it would read (256 bytes, longer ones
 * are PskIdentityTooLong, handshake_failure) and the largest point.
 */
export const MAX_CLIENT_KEY_EXCHANGE_LENGTH = 2048;

/**
 * RFC 8446 §4.4.4 `opaque verify_data[Hash.length]` (48 bytes with SHA-384, the longest hash of our
 * suites); RFC 5246 §7.4.9 `verify_data[verify_data_length]` (12 bytes for every TLS 1.2 suite).
 */
export const MAX_FINISHED_LENGTH = 48;

/**
 * A client's Certificate (RFC 8446 §4.4.2, RFC 5246 §7.4.6), accepted only when we requested one:
 * the syntax allows 2^24-1 bytes, far more than any chain; we take OpenSSL's default
 * `max_cert_list` (`SSL_MAX_CERT_LIST_DEFAULT`, 100 KiB), which is also what any real client
 * chain fits in many times over.
 */
export const MAX_CLIENT_CERTIFICATE_LENGTH = 100 * 1024;

/**
 * RFC 8446 §4.4.3 / RFC 5246 §4.7 `struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; }`.
 */
export const MAX_CERTIFICATE_VERIFY_LENGTH = 2 + 2 + 0xffff;

/**
 * The per-type bound for the record layer of a server (`RecordLayerOptions.handshakeMessageLimit`):
 * ClientHello up to `maxClientHello` (at most {@link MAX_CLIENT_HELLO_LENGTH}); ClientKeyExchange,
 * Finished, KeyUpdate (RFC 8446 §4.6.3: one byte) and EndOfEarlyData (RFC 8446 §4.5: empty) by their
 * syntax; with `clientCertificates` (the context requests them), Certificate up to
 * {@link MAX_CLIENT_CERTIFICATE_LENGTH} and CertificateVerify by its syntax. A longer one →
 * `MessageTooLarge` (decode_error: it cannot conform to the formal syntax, RFC 8446 §6.2). Any
 * other type is one no server state accepts — the server messages, and Certificate /
 * CertificateVerify when no client certificate is requested — and is refused from its header:
 * `UnexpectedHandshakeMessage` (unexpected_message), so that nothing of it is buffered and the
 * client is not left waiting.
 *
 * @throws RangeError when `maxClientHello` is not an integer in [0, {@link MAX_CLIENT_HELLO_LENGTH}].
 */
export function clientMessageLimit(maxClientHello: number = MAX_CLIENT_HELLO_LENGTH, clientCertificates = false): HandshakeMessageLimit {
  if (!Number.isInteger(maxClientHello) || maxClientHello < 0 || maxClientHello > MAX_CLIENT_HELLO_LENGTH) {
    throw new RangeError(`maxClientHello: an integer in [0, ${MAX_CLIENT_HELLO_LENGTH}]`);
  }
  // One function per bound, shared by every connection that uses it (a connection keeps it for
  // its lifetime: no closure per connection).
  const key = clientCertificates ? -1 - maxClientHello : maxClientHello;
  let limit = LIMITS.get(key);
  if (limit === undefined) LIMITS.set(key, (limit = makeLimit(maxClientHello, clientCertificates)));
  return limit;
}

/** By `maxClientHello`, negated (minus one) when client certificates are requested. */
const LIMITS = new Map<number, HandshakeMessageLimit>();

function makeLimit(maxClientHello: number, clientCertificates: boolean): HandshakeMessageLimit {
  return (type) => {
    switch (type) {
      case HandshakeType.certificate:
        if (clientCertificates) return MAX_CLIENT_CERTIFICATE_LENGTH;
        break;
      case HandshakeType.certificate_verify:
        if (clientCertificates) return MAX_CERTIFICATE_VERIFY_LENGTH;
        break;
      case HandshakeType.client_hello:
        return maxClientHello;
      case HandshakeType.client_key_exchange:
        return MAX_CLIENT_KEY_EXCHANGE_LENGTH;
      case HandshakeType.finished:
        return MAX_FINISHED_LENGTH;
      case HandshakeType.key_update:
        return 1;
      case HandshakeType.end_of_early_data:
        return 0;
    }
    throw new TlsError('UnexpectedHandshakeMessage', `handshake type ${type}: ${clientCertificates ? 'a server never receives it' : 'a server that requests no client certificate never receives it'}`);
  };
}
