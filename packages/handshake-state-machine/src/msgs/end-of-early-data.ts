/**
 * EndOfEarlyData (RFC 8446 §4.5).
 */
import { TlsError } from '@puretls/record-layer';
import { HandshakeType } from './enums';
import { writeHandshake } from './handshake-message';

// RFC 8446 §4.5  struct {} EndOfEarlyData;
/**
 * Reads an EndOfEarlyData body, which must be empty.
 *
 * @throws TlsError `TrailingData` (decode_error) when it is not.
 */
export function readEndOfEarlyData(body: Uint8Array): Record<string, never> {
  if (body.length !== 0) throw new TlsError('TrailingData', `EndOfEarlyData: ${body.length} trailing bytes`);
  return {};
}

/** Writes an EndOfEarlyData handshake message: `05 00 00 00`. */
export function writeEndOfEarlyData(): Uint8Array {
  return writeHandshake(HandshakeType.end_of_early_data, () => {});
}
