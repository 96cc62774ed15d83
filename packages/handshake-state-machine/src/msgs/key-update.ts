/**
 * KeyUpdate (RFC 8446 §4.6.3).
 */
import { Reader, TlsError } from '@puretls/record-layer';
import { HandshakeType, KeyUpdateRequest } from './enums';
import { writeHandshake } from './handshake-message';

// RFC 8446 §4.6.3  enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
//   struct { KeyUpdateRequest request_update; } KeyUpdate;
/** A decoded KeyUpdate. */
export interface KeyUpdate {
  /** 0: update_not_requested; 1: update_requested (the peer wants us to update too). */
  readonly requestUpdate: KeyUpdateRequest;
}

/**
 * Reads a KeyUpdate body. RFC 8446 §4.6.3: "If an implementation receives any other value, it
 * MUST terminate the connection with an "illegal_parameter" alert."
 *
 * @throws TlsError `KeyUpdateBadValue` (illegal_parameter) for a value other than 0 or 1;
 *   `Truncated`/`TrailingData` (decode_error).
 */
export function readKeyUpdate(body: Uint8Array): KeyUpdate {
  const v = new Reader(body, 'KeyUpdate').all('KeyUpdate', (r) => r.u8());
  if (v !== KeyUpdateRequest.update_not_requested && v !== KeyUpdateRequest.update_requested) {
    throw new TlsError('KeyUpdateBadValue', `KeyUpdate: request_update ${v}`);
  }
  return { requestUpdate: v };
}

/** Writes a KeyUpdate handshake message (header included). */
export function writeKeyUpdate(requestUpdate: boolean): Uint8Array {
  return writeHandshake(HandshakeType.key_update, (w) => w.u8(requestUpdate ? 1 : 0));
}
