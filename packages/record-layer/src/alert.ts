/**
 * Alert and ChangeCipherSpec bodies.
 *
 * ```
 * struct { AlertLevel level; AlertDescription description; } Alert;     // RFC 8446 §6
 * struct { enum { change_cipher_spec(1), (255) } type; } ChangeCipherSpec; // RFC 5246 §7.1
 * ```
 */
import { AlertDescription, AlertLevel, type AlertDescriptionName } from './alerts';
import { TlsError } from './errors';

/** A decoded alert. `description` is the raw code: unknown codes survive decoding. */
export interface Alert {
  readonly level: AlertLevel;
  readonly description: number;
}

/**
 * Decodes the fragment of an alert record. RFC 8446 §5.1: "a record with an Alert type MUST
 * contain exactly one message" — so exactly two bytes.
 * @throws TlsError `EmptyAlertRecord` (unexpected_message, RFC 8446 §5.4) for an empty record,
 *   `BadAlertMessage` (decode_error) for any other length or a level that is neither warning(1)
 *   nor fatal(2).
 */
export function decodeAlert(fragment: Uint8Array): Alert {
  if (fragment.length === 0) throw new TlsError('EmptyAlertRecord', 'zero-length alert record');
  if (fragment.length !== 2) throw new TlsError('BadAlertMessage', `alert record of ${fragment.length} bytes`);
  const level = fragment[0]!;
  if (level !== AlertLevel.warning && level !== AlertLevel.fatal) {
    throw new TlsError('BadAlertMessage', `alert level ${level}`);
  }
  return { level, description: fragment[1]! };
}

/**
 * The two-byte body of an alert.
 * @throws RangeError for an unknown description name or a code outside 0..255.
 */
export function encodeAlert(description: AlertDescriptionName | number, level: AlertLevel = AlertLevel.fatal): Uint8Array {
  const code = typeof description === 'number' ? description : AlertDescription[description];
  if (code === undefined || !Number.isInteger(code) || code < 0 || code > 255) {
    throw new RangeError(`description: not an alert: ${String(description)}`);
  }
  if (level !== AlertLevel.warning && level !== AlertLevel.fatal) throw new RangeError(`level: ${String(level)}`);
  return new Uint8Array([level, code]);
}

/** The one ChangeCipherSpec body: the single byte 0x01. */
export const CHANGE_CIPHER_SPEC_BODY: Uint8Array = new Uint8Array([1]);

/** True when `fragment` is exactly the ChangeCipherSpec message (0x01). */
export function isChangeCipherSpec(fragment: Uint8Array): boolean {
  return fragment.length === 1 && fragment[0] === 1;
}
