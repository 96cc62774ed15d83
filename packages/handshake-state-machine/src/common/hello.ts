/**
 * The ClientHello as every state sees it (both versions): the decoded message, its raw bytes for
 * the transcript and binders, and the ALPN names as strings. Read once, within the configured
 * {@link ClientHelloLimits}.
 */
import { bytesToLatin1 } from '@puretls/crypto';
import { TlsError } from '@puretls/record-layer';
import { clientHelloLimits, type ClientHelloLimits } from '../config';
import type { HandshakeMessage } from '../handshake-message';
import { HandshakeType } from '../msgs/enums';
import { readClientHello, type ClientHello } from '../msgs/client-hello';

/** A ClientHello with its raw bytes (header included), as the transcript needs them. */
export interface Hello {
  readonly ch: ClientHello;
  readonly raw: Uint8Array;
  /** ALPN names as strings (latin-1; RFC 7301 names are opaque bytes). */
  readonly alpn: readonly string[] | undefined;
}

/**
 * Reads a ClientHello within `limits` (see {@link ClientHelloLimits}): the size is checked before
 * parsing, the extension count after, and key shares beyond `maxKeyShares` are dropped from
 * `ch.ext.keyShare` so that no later step (the §4.2.8 group check, group selection) sees them.
 * @throws TlsError `ClientHelloTooLarge` / `TooManyExtensions` (decode_error: like a vector whose
 *   length is outside its bounds, RFC 8446 §6 "some field was out of the specified range"), and
 *   every error of {@link readClientHello}.
 */
export function readHello(msg: HandshakeMessage, limits: ClientHelloLimits = clientHelloLimits({})): Hello {
  if (msg.body.length > limits.maxLength) throw new TlsError('ClientHelloTooLarge', `ClientHello of ${msg.body.length} bytes exceeds ${limits.maxLength}`);
  let ch = readClientHello(msg.body);
  if (ch.extensions.length > limits.maxExtensions) throw new TlsError('TooManyExtensions', `ClientHello with ${ch.extensions.length} extensions exceeds ${limits.maxExtensions}`);
  const shares = ch.ext.keyShare;
  if (shares !== undefined && shares.length > limits.maxKeyShares) ch = { ...ch, ext: { ...ch.ext, keyShare: shares.slice(0, limits.maxKeyShares) } };
  return { ch, raw: msg.raw, alpn: ch.ext.alpn?.map(bytesToLatin1) };
}

/**
 * A copy of `hello` that owns its bytes: the ClientHello is a view into the received chunk, which
 * the connection reuses once `receive` returns — keep a copy across an asynchronous wait.
 */
export function keepHello(hello: Hello, limits: ClientHelloLimits): Hello {
  const raw = new Uint8Array(hello.raw);
  return readHello({ kind: 'handshake', type: HandshakeType.client_hello, raw, body: raw.subarray(4) }, limits);
}
