/**
 * Calling the application's external PSK lookup (`HandshakeConfig.externalPsk`), both versions:
 * its answer checked and copied, its failures turned into one `TlsError`.
 */
import { TlsError } from '@puretls/record-layer';
import { MAX_EXTERNAL_PSK_LENGTH, type ExternalPskQuery, type HandshakeConfig } from '../config';

/**
 * The external PSK for `identity`, a copy the caller owns (and wipes), or `undefined` when there is
 * no lookup or it does not know the identity (no key, or an empty one — OpenSSL's `0` length).
 * @throws TlsError ExternalPskCallbackFailed (internal_error) when the lookup throws or answers
 *   with something that is neither `undefined` nor a `Uint8Array` of at most
 *   {@link MAX_EXTERNAL_PSK_LENGTH} bytes.
 */
export function lookupExternalPsk(config: HandshakeConfig, identity: Uint8Array, query: ExternalPskQuery): Uint8Array | undefined {
  const lookup = config.externalPsk;
  if (lookup === undefined) return undefined;
  let key: unknown;
  try {
    // A copy: the identity is a view into the received record.
    key = lookup(new Uint8Array(identity), query);
  } catch (e) {
    throw new TlsError('ExternalPskCallbackFailed', `externalPsk threw: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (key === undefined || key === null) return undefined;
  if (!(key instanceof Uint8Array)) throw new TlsError('ExternalPskCallbackFailed', 'externalPsk must answer with a Uint8Array or undefined');
  if (key.length === 0) return undefined;
  if (key.length > MAX_EXTERNAL_PSK_LENGTH) throw new TlsError('ExternalPskCallbackFailed', `externalPsk answered with ${key.length} bytes, more than ${MAX_EXTERNAL_PSK_LENGTH}`);
  return new Uint8Array(key);
}
