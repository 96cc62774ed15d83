/**
 * Handshake message framing (RFC 8446 §4): `HandshakeType msg_type; uint24 length; body`.
 */

/** RFC 8446 §4 and RFC 5246 §7.4 `HandshakeType`. */
export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  key_update: 24,
  message_hash: 254,
} as const;
export type HandshakeType = (typeof HandshakeType)[keyof typeof HandshakeType];

/** One reassembled handshake message (`raw` = header ‖ body, what the transcript hashes): the record layer's type. */
export type { HandshakeMessage } from '@puretls/record-layer';
