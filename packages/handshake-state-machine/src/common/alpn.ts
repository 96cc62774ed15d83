/** ALPN (RFC 7301) choice, the same in both versions. */
import { TlsError } from '@puretls/record-layer';
import type { HandshakeConfig } from '../config';

/**
 * RFC 7301 §3.2: the first of the server's protocols that the client offers. No overlap when both
 * sides use ALPN → no_application_protocol. No ALPN on either side → `undefined`.
 * @throws TlsError NoApplicationProtocol (no_application_protocol)
 */
export function chooseAlpn(config: HandshakeConfig, offered: readonly string[] | undefined): string | undefined {
  if (!offered || config.alpnProtocols.length === 0) return undefined;
  const p = config.alpnProtocols.find((x) => offered.includes(x));
  if (p === undefined) throw new TlsError('NoApplicationProtocol', `client offered ${JSON.stringify(offered)}, we serve ${JSON.stringify(config.alpnProtocols)}`);
  return p;
}
