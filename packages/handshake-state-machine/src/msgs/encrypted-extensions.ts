/**
 * EncryptedExtensions (RFC 8446 §4.3.1).
 */
import { Reader } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { readExtensions, writeExtensions, type Extension } from './extensions';
import { writeHandshake } from './handshake-message';

// RFC 8446 §4.3.1  struct { Extension extensions<0..2^16-1>; } EncryptedExtensions;
/** A decoded EncryptedExtensions: the raw extensions in order (views). */
export interface EncryptedExtensions {
  readonly extensions: readonly Extension[];
}

/**
 * Reads an EncryptedExtensions body (tests and a future client).
 *
 * @throws TlsError `TrailingData`/`Truncated` (decode_error); `DuplicateExtension` (illegal_parameter).
 */
export function readEncryptedExtensions(body: Uint8Array): EncryptedExtensions {
  return new Reader(body, 'EncryptedExtensions').all('EncryptedExtensions', (r) => ({
    extensions: readExtensions(r, 'EncryptedExtensions'),
  }));
}

/**
 * Writes an EncryptedExtensions handshake message (header included), extensions in the given order.
 *
 * @throws TypeError for a repeated extension type.
 */
export function writeEncryptedExtensions(extensions: readonly Extension[]): Uint8Array {
  return writeHandshake(HandshakeType.encrypted_extensions, (w) => writeExtensions(w, extensions));
}
