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
 * Reads a ClientHello within `limits` (see {@link ClientHelloLimits}; its size was bounded from the
 * message header, `clientMessageLimit`): key shares beyond `maxKeyShares` are dropped from
 * `ch.ext.keyShare` so that no later step (the §4.2.8 group check, group selection) sees them.
 * @throws TlsError every error of {@link readClientHello}.
 */
export function readHello(msg: HandshakeMessage, limits: ClientHelloLimits = clientHelloLimits({})): Hello {
  let ch = readClientHello(msg.body);
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

/**
 * RFC 8446 Appendix D.5: "Any endpoint receiving a Hello message with ClientHello.legacy_version
 * … set to 0x0300 MUST abort the handshake with a "protocol_version" alert." — SSL 3.0, and
 * anything older, whichever version would be negotiated.
 * @throws TlsError InvalidLegacyVersion (protocol_version)
 */
export function checkLegacyVersion(ch: ClientHello): void {
  if (ch.legacyVersion <= 0x0300) throw new TlsError('InvalidLegacyVersion', `ClientHello legacy_version 0x${ch.legacyVersion.toString(16).padStart(4, '0')}`);
}
