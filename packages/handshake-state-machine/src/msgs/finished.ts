/**
 * Finished (RFC 8446 §4.4.4; RFC 5246 §7.4.9).
 */
import { TlsError } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { writeHandshake } from './handshake-message';

/** RFC 5246 §7.4.9: TLS 1.2 `verify_data_length` for every cipher suite we support. */
export const TLS12_VERIFY_DATA_LENGTH = 12;

// RFC 8446 §4.4.4  struct { opaque verify_data[Hash.length]; } Finished;
// RFC 5246 §7.4.9  struct { opaque verify_data[verify_data_length]; } Finished;
/** A decoded Finished; `verifyData` is a view. Compare it in constant time. */
export interface Finished {
  readonly verifyData: Uint8Array;
}

/**
 * Reads a Finished body whose length must be `length` (TLS 1.3: the suite's Hash.length; TLS 1.2:
 * 12). The body is a fixed-size array, so any other length cannot be decoded.
 *
 * @throws TlsError `BadLength` (decode_error) when the body is not `length` bytes.
 */
export function readFinished(body: Uint8Array, length: number): Finished {
  if (body.length !== length) throw new TlsError('BadLength', `Finished: ${body.length} bytes, expected ${length}`);
  return { verifyData: body };
}

/** Writes a Finished handshake message (header included). */
export function writeFinished(verifyData: Uint8Array): Uint8Array {
  return writeHandshake(HandshakeType.finished, (w) => w.bytes(verifyData));
}
