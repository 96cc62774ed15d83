/**
 * The first server state, where the versions part (rustls `server/hs.rs`): read the ClientHello,
 * then hand it to TLS 1.3 or TLS 1.2. Imports run hs → {tls12, tls13} → common, never back.
 */
import type { HandshakeMessage } from './handshake-message';
import { clientHelloLimits } from './config';
import { isTlsError } from '@puretls/record-layer';
import { HandshakeType } from './msgs/enums';
import { expect, type StateContext } from './common/state';
import { readHello } from './common/hello';
import { negotiatesTls13 } from './tls13/client-hello-checks';
import { startTls13, type Tls13ServerState } from './tls13/server-states';
import { startTls12, type Tls12ServerState } from './tls12/server-states';
import { chooseCertAndScheme } from './tls13/negotiate';
import { chooseSuiteAndCert12 } from './tls12/negotiate';
import type { HandshakeConfig } from './config';
import type { Hello } from './common/hello';

/** The first state: waiting for the ClientHello. */
export class ExpectClientHello {
  readonly kind = 'ExpectClientHello';
  constructor(private readonly ctx: StateContext) {}

  /**
   * @throws TlsError UnexpectedHandshakeMessage for anything but a ClientHello; the ClientHello's
   *   decode and limit errors; the errors of the version that takes it.
   */
  handle(msg: HandshakeMessage): Tls13ServerState | Tls12ServerState {
    expect(msg, HandshakeType.client_hello, this.kind);
    const hello = readHello(msg, clientHelloLimits(this.ctx.config));
    // RFC 8446 §4.2.1: TLS 1.3 only through supported_versions; everything else is TLS 1.2's
    // to serve or to refuse (protocol_version when older, or when the context disallows 1.2).
    if (!negotiatesTls13(this.ctx.config, hello.ch)) return startTls12(this.ctx, hello);
    return startTls13(this.ctx, hello);
  }
}

/**
 * The index of the certificate a full handshake for `hello` sends under `config`, or `undefined`
 * when the handshake fails before choosing one (no common suite, signature scheme or version: the
 * handshake itself reports why). The choice the states make (the version dispatch above, then
 * `tls13/negotiate` or `tls12/negotiate`); a PSK resumption sends no certificate at all. Lets an
 * adapter ask the application for that certificate's OCSP response before the handshake starts.
 */
export function certificateIndexFor(config: HandshakeConfig, hello: Hello): number | undefined {
  const { ch } = hello;
  try {
    if (negotiatesTls13(config, ch)) return chooseCertAndScheme(config, ch.ext.serverName, ch.ext.signatureAlgorithms ?? []).index;
    return chooseSuiteAndCert12(config, ch.ext.serverName, ch.cipherSuites, ch.ext.signatureAlgorithms, ch.ext.supportedGroups).index;
  } catch (e) {
    if (isTlsError(e)) return undefined;
    throw e;
  }
}
