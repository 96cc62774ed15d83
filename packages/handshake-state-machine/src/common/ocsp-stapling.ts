/**
 * OCSP stapling (RFC 6066 §8 in TLS 1.2, RFC 8446 §4.4.2.1 in TLS 1.3): whether this handshake
 * staples the configured response. Which certificate a ClientHello will get (to ask the
 * application for that certificate's response before the handshake starts) is `hs.ts`'s
 * `certificateIndexFor`.
 */
import type { HandshakeConfig } from '../config';
import type { Hello } from './hello';

/** RFC 6066 §8 `enum { ocsp(1), (255) } CertificateStatusType`. */
export const CERTIFICATE_STATUS_OCSP = 1;

/** The client asked for an OCSP response (status_request with status_type ocsp, RFC 6066 §8). */
export function requestsOcsp(hello: Hello): boolean {
  return hello.ch.ext.statusRequest?.statusType === CERTIFICATE_STATUS_OCSP;
}

/**
 * The OCSP response to send with certificate `certificateIndex` in a full handshake, or
 * `undefined`. RFC 6066 §8: the server "MAY return a suitable certificate status response" only to
 * a client whose hello contains "status_request"; RFC 8446 §4.4.2.1: "A server MUST NOT send a
 * status_request extension (in a CertificateEntry) unless it received one in the ClientHello". A
 * response configured for another certificate is never sent (it would not be "suitable").
 */
export function ocspStapleFor(config: HandshakeConfig, hello: Hello, certificateIndex: number): Uint8Array | undefined {
  const staple = config.ocspStaple;
  if (staple === undefined || staple.certificateIndex !== certificateIndex || !requestsOcsp(hello)) return undefined;
  return staple.response;
}
