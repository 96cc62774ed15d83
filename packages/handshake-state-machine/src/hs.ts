/**
 * The first server state, where the versions part (rustls `server/hs.rs`): read the ClientHello,
 * then hand it to TLS 1.3 or TLS 1.2. Imports run hs → {tls12, tls13} → common, never back.
 */
import type { HandshakeMessage } from './handshake-message';
import { clientHelloLimits } from './config';
import { HandshakeType } from './msgs/enums';
import { expect, type StateContext } from './common/state';
import { readHello } from './common/hello';
import { offersTls13 } from './tls13/client-hello-checks';
import { startTls13, type Tls13ServerState } from './tls13/server-states';
import { startTls12, type Tls12ServerState } from './tls12/server-states';

const TLS13 = 0x0304;

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
    if (!offersTls13(hello.ch) || this.ctx.config.maxVersion < TLS13) return startTls12(this.ctx, hello);
    return startTls13(this.ctx, hello);
  }
}
