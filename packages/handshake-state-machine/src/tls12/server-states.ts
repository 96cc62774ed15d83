/**
 * The TLS 1.2 server handshake (RFC 5246 §7.3, ECDHE per RFC 8422, AEAD suites per RFC 5289 and
 * RFC 7905) beside TLS 1.3, as per-state classes of the same union (STYLE.md §4). `hs.ts`
 * hands a ClientHello that does not negotiate TLS 1.3 to {@link startTls12}.
 *
 *   full:         ClientHello ─▶ ServerHello Certificate ServerKeyExchange ServerHelloDone
 *                 ─▶ ExpectClientKeyExchange ─▶ ExpectChangeCipherSpec12 ─▶ ExpectFinished12
 *                 ─▶ [NewSessionTicket] ChangeCipherSpec Finished ─▶ Traffic12
 *   abbreviated:  ClientHello ─▶ ServerHello [NewSessionTicket] ChangeCipherSpec Finished
 *                 ─▶ ExpectChangeCipherSpec12 ─▶ ExpectFinished12 ─▶ Traffic12
 *   (a session-id lookup may answer asynchronously: `AwaitSession` waits for it)
 *   client authentication (full handshake): … ServerKeyExchange CertificateRequest ServerHelloDone
 *                 ─▶ ExpectCertificate12 ─▶ ExpectClientKeyExchange ─▶ [ExpectCertificateVerify12]
 *                 ─▶ ExpectChangeCipherSpec12 … (see client-auth12.ts)
 *
 * The connection calls `handle` for handshake messages and `handleChangeCipherSpec` for a
 * ChangeCipherSpec record; a state without that method makes a CCS an unexpected_message.
 */
import { NAMED_GROUP_CODEPOINT, equalConstantTime, isCryptoError, latin1ToBytes, type KeyExchangeKeyPair, type PublicKey, type SignatureScheme } from '@puretls/crypto';
import { AlertDescription, MAX_PLAINTEXT, TlsError } from '@puretls/record-layer';
import { clientHelloLimits, MAX_PSK_IDENTITY_LENGTH, type HandshakeConfig } from '../config';
import type { FinishedPair, NegotiatedInfo, NewSession12, SessionRefusal, StoredSession } from '../io';
import { exportKeyingMaterial12 } from '../common/keying-material-exporter';
import type { HandshakeMessage } from '../handshake-message';
import { suiteByCode, type SuiteInfo } from '../suites';
import { CipherSuite, CompressionMethod, ExtensionType, HandshakeType, ProtocolVersion } from '../msgs/enums';
import { withDowngradeSentinel, writeServerHello } from '../msgs/server-hello';
import { serverCertificate12 } from '../msgs/certificate';
import { serverKeyExchangeSignedContent, writeServerEcdhParams, writeServerKeyExchange, writeServerKeyExchangeEcdhePsk } from '../msgs/server-key-exchange';
import { writeServerHelloDone } from '../msgs/server-hello-done';
import { writeCertificateStatus } from '../msgs/certificate-status';
import { ocspStapleFor } from '../common/ocsp-stapling';
import { readClientKeyExchangeEcdhe, readClientKeyExchangeEcdhePsk } from '../msgs/client-key-exchange';
import { readFinished, TLS12_VERIFY_DATA_LENGTH, writeFinished } from '../msgs/finished';
import { writeNewSessionTicket12 } from '../msgs/new-session-ticket';
import {
  writeAlpn,
  writeEcPointFormats,
  writeEmptyExtension,
  writeRecordSizeLimit,
  writeRenegotiationInfo,
  writeSessionTicket,
  type Extension,
} from '../msgs/extensions';
import { writeServerName } from '../msgs/server-name';
import { AwaitSession, emitSecret, expect, isPromise, sendAndHash, whenAnswered, type StateContext } from '../common/state';
import { keepHello, type Hello } from '../common/hello';
import { chooseAlpn } from '../common/alpn';
import { Transcript } from '../common/transcript';
import { negotiatedInfo, withClientAuth } from '../common/negotiated-info';
import { openStoredSession, type Resumable } from '../common/resumption';
import { encodeSessionState, type SessionState } from '../common/session-state';
import { resumedClientAuth, sessionClientAuth, type ClientCertificate } from '../common/client-certificate';
import { ExpectCertificate12, ExpectCertificateVerify12, certificateRequest12 } from './client-auth12';
import { ecdhePskPremaster, masterSecret12, trafficKeys12, verifyData12, type Tls12Keys } from './key-schedule';
import { lookupExternalPsk } from '../common/external-psk';
import { checkPointFormats, checkVersion12, chooseGroup12, chooseSuiteAndCert12, tls13Enabled } from './negotiate';

const TLS12 = ProtocolVersion.TLSv1_2;
const EMPTY = new Uint8Array(0);

/**
 * Renegotiation ClientHellos refused with a no_renegotiation warning before the connection gives
 * up (RenegotiationAttempted, unexpected_message): each costs a record both ways, so a peer
 * cannot loop forever.
 */
export const MAX_REFUSED_RENEGOTIATIONS = 16;

/** The TLS 1.2 states (after the version dispatch in `hs.ts`). */
export type Tls12ServerState =
  | AwaitSession<Tls12ServerState>
  | ExpectCertificate12<ExpectClientKeyExchange>
  | ExpectClientKeyExchange
  | ExpectCertificateVerify12<ExpectChangeCipherSpec12>
  | ExpectChangeCipherSpec12
  | ExpectFinished12
  | Traffic12;

/**
 * The ClientHello checks of TLS 1.2 that do not depend on what is chosen.
 * @throws TlsError InvalidCompressionMethods (illegal_parameter): RFC 5246 §7.4.1.2 "this vector
 *   MUST contain, and all implementations MUST support, CompressionMethod.null";
 *   BadRenegotiationInfo (handshake_failure): RFC 5746 §3.6 "the server MUST verify that the
 *   "renegotiated_connection" field is zero length; if not, the server MUST abort";
 *   NoPointFormat (illegal_parameter); ExtendedMasterSecretRequired (handshake_failure) when the
 *   configuration requires RFC 7627 and the client does not offer it.
 */
export function checkClientHello12(config: HandshakeConfig, hello: Hello): void {
  const { ch } = hello;
  if (!ch.legacyCompressionMethods.includes(CompressionMethod.null)) throw new TlsError('InvalidCompressionMethods', 'TLS 1.2 ClientHello without the null compression method');
  if (ch.ext.renegotiationInfo !== undefined && ch.ext.renegotiationInfo.length > 0) {
    throw new TlsError('BadRenegotiationInfo', 'non-empty renegotiation_info in an initial ClientHello');
  }
  checkPointFormats(ch);
  if (config.requireExtendedMasterSecret && !ch.ext.extendedMasterSecret) {
    throw new TlsError('ExtendedMasterSecretRequired', 'the client does not offer extended_master_secret (RFC 7627), which this server requires');
  }
}

/**
 * The TLS 1.2 entry point: `ExpectClientHello` calls it for a ClientHello that does not negotiate
 * TLS 1.3. Checks the version and the hello, then resumes (ticket or session id) or runs a full
 * handshake.
 * @throws TlsError NoCommonVersion (protocol_version), InappropriateFallback, and the errors of
 *   {@link checkClientHello12}, `chooseAlpn`, the resumption rules and the full handshake.
 */
export function startTls12(ctx: StateContext, hello: Hello): Tls12ServerState {
  const { config, io } = ctx;
  const { ch } = hello;
  checkVersion12(config, ch);
  checkClientHello12(config, hello);
  const alpn = chooseAlpn(config, hello.alpn);
  const ticket = ch.ext.sessionTicket;
  // RFC 5077 §3.4: a non-empty SessionTicket is tried instead of the session id; a ticket that
  // does not open means a full handshake. Copies: the glue may keep what it is given beyond the
  // ClientHello's chunk.
  if (ticket !== undefined && ticket.length > 0) {
    const opened = io.openTicket12(new Uint8Array(ticket));
    return resumeOrFull(ctx, hello, alpn, opened && { stored: opened.session, reissue: opened.reissue, fromTicket: true });
  }
  if (ch.legacySessionId.length > 0) {
    const answer = io.lookupSession12(new Uint8Array(ch.legacySessionId));
    if (!isPromise(answer)) return resumeOrFull(ctx, hello, alpn, answer && { stored: answer, reissue: false, fromTicket: false });
    // The ClientHello is a view into the received chunk: keep a copy across the wait.
    const kept = keepHello(hello, clientHelloLimits(config));
    return whenAnswered(answer, undefined, (s) => resumeOrFull(ctx, kept, alpn, s ? { stored: s, reissue: false, fromTicket: false } : undefined));
  }
  return fullHandshake(ctx, hello, alpn);
}

interface Candidate {
  readonly stored: StoredSession;
  /** Send a fresh NewSessionTicket in the abbreviated handshake (the ticket's key is old). */
  readonly reissue: boolean;
  readonly fromTicket: boolean;
}

/**
 * The TLS 1.2 resumption rules (RFC 5246 §7.4.1.2, RFC 5077 §3.4, RFC 6066 §3, RFC 7627 §5.3),
 * after the common ones ({@link openStoredSession}: state, version, configuration, server name).
 * A session whose suite we no longer serve, or without EMS when the client now offers it → full
 * handshake; its suite missing from the client's list, or EMS dropped by the client → abort. A
 * session that would not be used anyway is refused as a miss before any abort is considered.
 * @throws TlsError ResumedSuiteNotOffered (illegal_parameter); ExtendedMasterSecretMismatch (handshake_failure).
 */
function resumeOrFull(ctx: StateContext, hello: Hello, alpn: string | undefined, c: Candidate | undefined): Tls12ServerState {
  if (!c) return fullHandshake(ctx, hello, alpn);
  const { ch } = hello;
  const { io } = ctx;
  const refuse = (why: SessionRefusal): Tls12ServerState => {
    io.sessionRefused(c.stored, why);
    return fullHandshake(ctx, hello, alpn);
  };
  const r = openStoredSession(ctx.config, c.stored, TLS12, ch.ext.serverName);
  if (typeof r === 'string') return refuse(r);
  const { state } = r;
  const suite = suiteByCode(state.cipherSuite);
  if (!suite || suite.version !== TLS12 || !ctx.config.cipherSuites.includes(suite.code)) return refuse('mismatch');
  // RFC 7627 §5.3: "If the original session did not use the "extended_master_secret" extension but
  // the new ClientHello contains the extension, then the server MUST NOT perform the abbreviated
  // handshake. Instead, it SHOULD continue with a full handshake".
  if (!state.extendedMasterSecret && ch.ext.extendedMasterSecret) return refuse('mismatch');
  // RFC 5246 §7.4.1.2: the client "MUST include at least the cipher_suite from that session".
  if (!ch.cipherSuites.includes(suite.code)) {
    io.sessionRefused(c.stored, 'mismatch');
    throw new TlsError('ResumedSuiteNotOffered', `the resumed session's suite 0x${suite.code.toString(16)} is not offered`);
  }
  // RFC 7627 §5.3: "If the original session used the "extended_master_secret" extension but the
  // new ClientHello does not contain it, the server MUST abort the abbreviated handshake."
  if (state.extendedMasterSecret && !ch.ext.extendedMasterSecret) {
    io.sessionRefused(c.stored, 'mismatch');
    throw new TlsError('ExtendedMasterSecretMismatch', 'resuming an extended-master-secret session without the extension');
  }
  // Neither side using EMS: legacy resumption, as OpenSSL allows it (RFC 7627 §5.3 "SHOULD abort"
  // is left to `requireExtendedMasterSecret`, which refuses such clients up front).
  return abbreviatedHandshake(ctx, hello, alpn, suite, c, r);
}

/** RFC 5746 §3.6: the client signalled secure renegotiation (the extension or the SCSV). */
function secureRenegotiation(hello: Hello): boolean {
  return hello.ch.ext.renegotiationInfo !== undefined || hello.ch.cipherSuites.includes(CipherSuite.TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
}

/**
 * The 32-byte server random, with the RFC 8446 §4.1.3 downgrade sentinel when TLS 1.3 is enabled:
 * "TLS 1.3 servers which negotiate TLS 1.2 or below in response to a ClientHello MUST set the last
 * 8 bytes of their Random value specially". The same bytes feed the key derivation.
 */
function serverRandom12(config: HandshakeConfig): Uint8Array {
  const r = config.provider.random(32, 'server_random');
  return tls13Enabled(config) ? withDowngradeSentinel(r, TLS12) : r;
}

/**
 * Our TLS 1.2 record_size_limit: RFC 8449 §4 "In TLS 1.2 … the limit covers the plaintext only"
 * and may not exceed 2^14. `config.recordSizeLimit` is the TLS 1.3 value (content type included).
 */
export function ownRecordSizeLimit12(config: HandshakeConfig): number {
  return Math.min(Math.max(config.recordSizeLimit - 1, 64), MAX_PLAINTEXT);
}

/** What the TLS 1.2 ServerHello says besides version, random, session id and suite. */
export interface ServerHelloExtensions12 {
  /** RFC 5746 §3.6: an empty renegotiation_info when the client signalled support. */
  readonly renegotiationInfo: boolean;
  /** RFC 6066 §3: an empty server_name when we used the client's (never when resuming). */
  readonly serverName: boolean;
  /** RFC 8422 §5.2: ec_point_formats [uncompressed] in answer to the client's. */
  readonly pointFormats: boolean;
  /** RFC 5077 §3.2: an empty session_ticket, promising a NewSessionTicket. */
  readonly sessionTicket: boolean;
  readonly alpn: string | undefined;
  /** RFC 7627 §5.1: the empty extended_master_secret. */
  readonly extendedMasterSecret: boolean;
  /** RFC 8449 §4: our limit, when the client sent one. */
  readonly recordSizeLimit: number | undefined;
  /** RFC 6066 §8: an empty status_request, announcing a CertificateStatus (full handshakes only). */
  readonly statusRequest?: boolean;
}

/**
 * The ServerHello extensions in the order OpenSSL sends them (renegotiation_info, server_name,
 * ec_point_formats, session_ticket, ALPN, extended_master_secret), then record_size_limit.
 */
export function serverHelloExtensions12(x: ServerHelloExtensions12): Extension[] {
  const out: Extension[] = [];
  if (x.renegotiationInfo) out.push(writeRenegotiationInfo());
  if (x.serverName) out.push(writeServerName());
  if (x.pointFormats) out.push(writeEcPointFormats([0]));
  if (x.sessionTicket) out.push(writeSessionTicket());
  if (x.statusRequest === true) out.push(writeEmptyExtension(ExtensionType.status_request));
  if (x.alpn !== undefined) out.push(writeAlpn([latin1ToBytes(x.alpn)]));
  if (x.extendedMasterSecret) out.push(writeEmptyExtension(ExtensionType.extended_master_secret));
  if (x.recordSizeLimit !== undefined) out.push(writeRecordSizeLimit(x.recordSizeLimit));
  return out;
}

/**
 * The ECDHE ServerKeyExchange (RFC 8422 §5.4): a fresh key pair on `group`, its public point in
 * ServerECDHParams, signed with `scheme` over client_random ‖ server_random ‖ params.
 */
export function buildServerKeyExchange(
  config: HandshakeConfig,
  cert: { readonly key: Parameters<HandshakeConfig['provider']['sign']>[0] },
  scheme: number,
  group: KeyExchangeKeyPair['group'],
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
): { message: Uint8Array; keyPair: KeyExchangeKeyPair } {
  const p = config.provider;
  const keyPair = p.generateKeyPair(group);
  const params = writeServerEcdhParams(NAMED_GROUP_CODEPOINT[group], keyPair.publicKey);
  const signature = p.sign(cert.key, scheme as SignatureScheme, serverKeyExchangeSignedContent(clientRandom, serverRandom, params));
  return { message: writeServerKeyExchange({ params, algorithm: scheme, signature }), keyPair };
}

/** What the rest of the handshake carries from the hello flight. */
interface Handshake12 {
  readonly suite: SuiteInfo;
  readonly transcript: Transcript;
  /** A copy (the client random outlives the ClientHello's chunk). */
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly extendedMasterSecret: boolean;
  /** The session id sent in ServerHello. */
  readonly sessionId: Uint8Array;
  /** Full handshake: send a NewSessionTicket after the client's Finished. */
  readonly sendTicket: boolean;
  /** Abbreviated handshake: the session resumed. */
  readonly resumed: StoredSession | undefined;
  /** Abbreviated handshake: our Finished verify_data (sent first). */
  readonly serverFinished?: Uint8Array;
  readonly info: NegotiatedInfo;
  readonly authTime: number;
  /** Client authentication: the key of the chain the client sent, whose CertificateVerify must follow. */
  readonly clientKey?: PublicKey;
  /** An ECDHE_PSK suite (RFC 5489): the ClientKeyExchange carries a PSK identity. */
  readonly psk?: boolean;
}

/**
 * RFC 5489 §2: the ECDHE_PSK ServerKeyExchange, a fresh key pair on `group` after the identity
 * hint; no signature, no Certificate before it.
 */
function buildPskServerKeyExchange(config: HandshakeConfig, group: KeyExchangeKeyPair['group']): { message: Uint8Array; keyPair: KeyExchangeKeyPair } {
  const keyPair = config.provider.generateKeyPair(group);
  const params = writeServerEcdhParams(NAMED_GROUP_CODEPOINT[group], keyPair.publicKey);
  return { message: writeServerKeyExchangeEcdhePsk(config.pskIdentityHint ?? EMPTY, params), keyPair };
}

/** RFC 5246 §7.3 full handshake: the server's hello flight. */
function fullHandshake(ctx: StateContext, hello: Hello, alpn: string | undefined): Tls12ServerState {
  const { config, io } = ctx;
  const { ch } = hello;
  const group = chooseGroup12(config, ch.ext.supportedGroups);
  const { suite, cert, scheme, index } = chooseSuiteAndCert12(config, ch.ext.serverName, ch.cipherSuites, ch.ext.signatureAlgorithms, ch.ext.supportedGroups);
  const psk = cert === undefined;
  const serverRandom = serverRandom12(config);
  const offersTicket = ch.ext.sessionTicket !== undefined;
  const sessionId = io.sessionIdForNewSession12(offersTicket);
  const sendTicket = offersTicket && io.wantsTicket12(offersTicket);
  const ems = ch.ext.extendedMasterSecret;
  const recordSizeLimit = ch.ext.recordSizeLimit !== undefined ? ownRecordSizeLimit12(config) : undefined;
  // RFC 6066 §8: "If a server returns a "CertificateStatus" message, then the server MUST have
  // included an extension of type "status_request" with empty "extension_data" in the extended server hello."
  // No certificate with ECDHE_PSK, so nothing to staple.
  const ocspResponse = index === undefined ? undefined : ocspStapleFor(config, hello, index);
  const sh = writeServerHello({
    random: serverRandom,
    legacySessionIdEcho: sessionId,
    cipherSuite: suite.code,
    extensions: serverHelloExtensions12({
      renegotiationInfo: secureRenegotiation(hello),
      serverName: ch.ext.serverName !== undefined,
      pointFormats: ch.ext.ecPointFormats !== undefined,
      sessionTicket: sendTicket,
      alpn,
      extendedMasterSecret: ems,
      recordSizeLimit,
      statusRequest: ocspResponse !== undefined,
    }),
    omitEmptyExtensions: true,
  });
  // No CertificateRequest with a PSK suite (OpenSSL's rule: the PSK authenticates both sides).
  const clientAuth = psk ? undefined : config.clientAuth;
  // With client authentication the messages themselves are kept: the client's CertificateVerify
  // signs them with a hash of its choice (RFC 5246 §7.4.8).
  const transcript = new Transcript(config.provider, suite.hash, clientAuth !== undefined);
  transcript.add(hello.raw);
  io.setVersion('tls12');
  sendAndHash(io, transcript, sh);
  // RFC 5489 §2: with ECDHE_PSK the server sends no Certificate (nor CertificateStatus).
  if (!psk) sendAndHash(io, transcript, serverCertificate12(cert.chain));
  // RFC 6066 §8: CertificateStatus "immediately after the Certificate message".
  if (!psk && ocspResponse !== undefined) sendAndHash(io, transcript, writeCertificateStatus(ocspResponse));
  const ske = psk ? buildPskServerKeyExchange(config, group) : buildServerKeyExchange(config, cert, scheme, group, ch.random, serverRandom);
  sendAndHash(io, transcript, ske.message);
  // RFC 5246 §7.4.4: CertificateRequest "immediately follow[s] the ServerKeyExchange message".
  if (clientAuth) sendAndHash(io, transcript, certificateRequest12(clientAuth));
  sendAndHash(io, transcript, writeServerHelloDone());
  if (recordSizeLimit !== undefined) io.setRecordSizeLimits(ch.ext.recordSizeLimit!, recordSizeLimit);
  const info = negotiatedInfo({
    version: TLS12,
    cipherSuite: suite.code,
    group,
    signatureScheme: scheme,
    serverName: ch.ext.serverName,
    alpnProtocol: alpn,
    certificateIndex: index,
    sessionId: new Uint8Array(sessionId),
  });
  const cke = new ExpectClientKeyExchange(ctx, ske.keyPair, {
    suite,
    transcript,
    clientRandom: new Uint8Array(ch.random),
    serverRandom,
    extendedMasterSecret: ems,
    sessionId,
    sendTicket,
    resumed: undefined,
    info,
    authTime: io.now(),
    psk,
  });
  return clientAuth ? new ExpectCertificate12(clientAuth, transcript, cke) : cke;
}

/**
 * RFC 5246 §7.3 abbreviated handshake: ServerHello with the session's id, [NewSessionTicket when
 * reissuing (RFC 5077 §3.1)], ChangeCipherSpec and our Finished first.
 */
function abbreviatedHandshake(ctx: StateContext, hello: Hello, alpn: string | undefined, suite: SuiteInfo, c: Candidate, session: Resumable): Tls12ServerState {
  const { config, io } = ctx;
  const { ch } = hello;
  const { state, stored } = session;
  const p = config.provider;
  const serverRandom = serverRandom12(config);
  // RFC 5246 §7.4.1.3: the same session id; RFC 5077 §3.4: "If the server accepts the ticket and
  // the Session ID is not empty, then it MUST respond with the same Session ID present in the ClientHello."
  const sessionId = new Uint8Array(ch.legacySessionId);
  const sendTicket = c.fromTicket && c.reissue;
  const ems = state.extendedMasterSecret;
  const recordSizeLimit = ch.ext.recordSizeLimit !== undefined ? ownRecordSizeLimit12(config) : undefined;
  io.sessionAccepted(stored);
  const sh = writeServerHello({
    random: serverRandom,
    legacySessionIdEcho: sessionId,
    cipherSuite: suite.code,
    extensions: serverHelloExtensions12({
      renegotiationInfo: secureRenegotiation(hello),
      // RFC 6066 §3: "When resuming a session, the server MUST NOT include a server_name extension".
      serverName: false,
      pointFormats: false,
      sessionTicket: sendTicket,
      alpn,
      extendedMasterSecret: ems,
      recordSizeLimit,
    }),
    omitEmptyExtensions: true,
  });
  const transcript = new Transcript(p, suite.hash);
  transcript.add(hello.raw);
  io.setVersion('tls12');
  sendAndHash(io, transcript, sh);
  // The state is the glue's: work on a copy of the master secret.
  const master = new Uint8Array(state.secret);
  const clientRandom = new Uint8Array(ch.random);
  emitSecret(io, 'CLIENT_RANDOM', clientRandom, master);
  const keys = trafficKeys12(p, suite, master, clientRandom, serverRandom);
  // The client authentication of the session's full handshake (nothing is verified again).
  const clientAuth = resumedClientAuth(state);
  if (sendTicket) {
    const fresh = newSession(config, suite, master, ems, ch.ext.serverName, alpn, stored.authTime, sessionId, sessionClientAuth(clientAuth));
    sendAndHash(io, transcript, ticketMessage(config, io.issueTicket12(fresh)));
    fresh.state.fill(0); // the glue keeps its own copy
  }
  io.sendChangeCipherSpec();
  io.setWriteKeys(keys.server);
  const serverFinished = verifyData12(p, suite.hash, master, 'server', transcript.current());
  sendAndHash(io, transcript, writeFinished(serverFinished));
  if (recordSizeLimit !== undefined) io.setRecordSizeLimits(ch.ext.recordSizeLimit!, recordSizeLimit);
  const info = negotiatedInfo({
    version: TLS12,
    cipherSuite: suite.code,
    serverName: ch.ext.serverName,
    alpnProtocol: alpn,
    resumed: true,
    resumedSession: stored,
    resumedVia: c.fromTicket ? 'ticket' : 'sessionId',
    sessionId: new Uint8Array(sessionId),
    clientAuth,
  });
  return new ExpectChangeCipherSpec12(ctx, master, keys, {
    suite,
    transcript,
    clientRandom,
    serverRandom,
    extendedMasterSecret: ems,
    sessionId,
    sendTicket: false,
    resumed: stored,
    serverFinished,
    info,
    authTime: stored.authTime,
  });
}

/** RFC 5077 §3.3: a NewSessionTicket; "a zero-length ticket" when the glue declines after we promised one. */
function ticketMessage(config: HandshakeConfig, ticket: Uint8Array | undefined): Uint8Array {
  return writeNewSessionTicket12({ ticketLifetimeHint: ticket ? config.ticketLifetime : 0, ticket: ticket ?? EMPTY });
}

/** The session a TLS 1.2 handshake made (or a reissued ticket's): its state encoded for the glue. */
function newSession(
  config: HandshakeConfig,
  suite: SuiteInfo,
  master: Uint8Array,
  ems: boolean,
  serverName: string | undefined,
  alpn: string | undefined,
  authTime: number,
  sessionId: Uint8Array,
  clientAuth: Pick<SessionState, 'peerCertificates' | 'peerVerification'>,
): NewSession12 {
  const state = encodeSessionState({
    version: TLS12,
    cipherSuite: suite.code,
    secret: master,
    extendedMasterSecret: ems,
    serverName,
    alpn,
    context: config.sessionContext,
    ticketAgeAdd: 0,
    maxEarlyData: 0,
    ...clientAuth,
  });
  // A copy of the id: the glue keeps it beyond this handshake.
  return { sessionId: new Uint8Array(sessionId), state, authTime };
}

/** Full handshake: waiting for the client's ECDHE point (RFC 8422 §5.7). */
export class ExpectClientKeyExchange {
  readonly kind = 'ExpectClientKeyExchange';
  constructor(
    private readonly ctx: StateContext,
    private readonly keyPair: KeyExchangeKeyPair,
    private readonly hs: Handshake12,
  ) {}

  /**
   * @throws TlsError UnexpectedHandshakeMessage (unexpected_message) for anything but
   *   ClientKeyExchange; decode errors; InvalidKeyShare (illegal_parameter) for a point that is not
   *   on the curve (or an all-zero x25519 result).
   */
  handle(msg: HandshakeMessage): Tls12ServerState {
    expect(msg, HandshakeType.client_key_exchange, this.kind);
    const { hs } = this;
    const { config } = this.ctx;
    const p = config.provider;
    let point: Uint8Array;
    let pskKey: Uint8Array | undefined;
    let hs2 = hs;
    if (hs.psk) {
      const cke = readClientKeyExchangeEcdhePsk(msg.body);
      point = cke.point;
      // OpenSSL reads identities of at most PSK_MAX_IDENTITY_LEN bytes (handshake_failure beyond).
      if (cke.identity.length > MAX_PSK_IDENTITY_LENGTH) throw new TlsError('PskIdentityTooLong', `PSK identity of ${cke.identity.length} bytes, at most ${MAX_PSK_IDENTITY_LENGTH}`);
      pskKey = lookupExternalPsk(config, cke.identity, { version: TLS12, serverName: hs.info.serverName });
      // RFC 4279 §2: "If the server does not recognize the PSK identity, it MAY respond with an
      // "unknown_psk_identity" alert message." (as OpenSSL does).
      if (pskKey === undefined) throw new TlsError('UnknownPskIdentity', 'the client\u2019s PSK identity is unknown to externalPsk');
      hs2 = { ...hs, info: Object.freeze({ ...hs.info, pskIdentity: new Uint8Array(cke.identity) }) };
    } else {
      point = readClientKeyExchangeEcdhe(msg.body);
    }
    let preMaster: Uint8Array;
    try {
      const z = this.keyPair.agree(point);
      preMaster = pskKey === undefined ? z : ecdhePskPremaster(z, pskKey);
      if (pskKey !== undefined) {
        z.fill(0);
        pskKey.fill(0);
      }
    } catch (e) {
      if (isCryptoError(e) && e.reason === 'InvalidPeerKey') throw new TlsError('InvalidKeyShare', `ClientKeyExchange: ${e.message}`, { cause: e });
      throw e;
    } finally {
      this.keyPair.clean();
    }
    hs.transcript.add(msg.raw);
    // RFC 7627 §4: session_hash = Hash(handshake messages through ClientKeyExchange).
    const master = hs.extendedMasterSecret
      ? masterSecret12(p, hs.suite.hash, preMaster, { extended: true, sessionHash: hs.transcript.current() })
      : masterSecret12(p, hs.suite.hash, preMaster, { extended: false, clientRandom: hs.clientRandom, serverRandom: hs.serverRandom });
    preMaster.fill(0);
    emitSecret(this.ctx.io, 'CLIENT_RANDOM', hs.clientRandom, master);
    const keys = trafficKeys12(p, hs.suite, master, hs.clientRandom, hs.serverRandom);
    const next = new ExpectChangeCipherSpec12(this.ctx, master, keys, hs2);
    // A client that sent a chain proves its key next (RFC 5246 §7.4.8); otherwise the messages
    // kept for that signature are no longer needed.
    if (hs.clientKey !== undefined) return new ExpectCertificateVerify12(p, hs.transcript, hs.clientKey, next);
    hs.transcript.forgetMessages();
    return next;
  }

  /** This state with the client's certificate (after `ExpectCertificate12`): its outcome in `NegotiatedInfo`. */
  withClientCertificate(certificate: ClientCertificate): ExpectClientKeyExchange {
    const hs: Handshake12 = { ...this.hs, info: withClientAuth(this.hs.info, certificate.auth), ...(certificate.leafKey ? { clientKey: certificate.leafKey } : {}) };
    return new ExpectClientKeyExchange(this.ctx, this.keyPair, hs);
  }

  /** Best-effort wipe of our ephemeral private key when the connection ends here. */
  clean(): void {
    this.keyPair.clean();
  }
}

/** Waiting for the client's ChangeCipherSpec (RFC 5246 §7.1): then its records are protected. */
export class ExpectChangeCipherSpec12 {
  readonly kind = 'ExpectChangeCipherSpec12';
  constructor(
    private readonly ctx: StateContext,
    private readonly master: Uint8Array,
    private readonly keys: Tls12Keys,
    private readonly hs: Handshake12,
  ) {}

  /** RFC 5246 §7.4.9: a Finished (or anything) before ChangeCipherSpec is unexpected. */
  handle(msg: HandshakeMessage): Tls12ServerState {
    throw new TlsError('UnexpectedHandshakeMessage', `${this.kind}: got handshake type ${msg.type} before ChangeCipherSpec`);
  }

  handleChangeCipherSpec(): Tls12ServerState {
    this.ctx.io.setReadKeys(this.keys.client);
    return new ExpectFinished12(this.ctx, this.master, this.keys, this.hs);
  }

  clean(): void {
    this.master.fill(0);
    wipeKeys12(this.keys);
  }
}

/** Waiting for the client's Finished (RFC 5246 §7.4.9), under the client write key. */
export class ExpectFinished12 {
  readonly kind = 'ExpectFinished12';
  constructor(
    private readonly ctx: StateContext,
    private readonly master: Uint8Array,
    private readonly keys: Tls12Keys,
    private readonly hs: Handshake12,
  ) {}

  /**
   * @throws TlsError UnexpectedHandshakeMessage (unexpected_message); BadLength (decode_error) for a
   *   verify_data that is not 12 bytes; BadFinished (decrypt_error) for a wrong one.
   */
  handle(msg: HandshakeMessage): Tls12ServerState {
    expect(msg, HandshakeType.finished, this.kind);
    const { verifyData } = readFinished(msg.body, TLS12_VERIFY_DATA_LENGTH);
    const { config, io } = this.ctx;
    const p = config.provider;
    const { hs, master } = this;
    // RFC 5246 §7.4.9: "Recipients of Finished messages MUST verify that the contents are correct."
    const expected = verifyData12(p, hs.suite.hash, master, 'client', hs.transcript.current());
    if (!equalConstantTime(verifyData, expected)) throw new TlsError('BadFinished', 'client Finished verify_data is wrong');
    hs.transcript.add(msg.raw);
    let serverFinished = hs.serverFinished;
    if (hs.resumed) {
      // Abbreviated handshake: our Finished went first; done.
      io.handshakeDone();
    } else {
      const session = newSession(config, hs.suite, master, hs.extendedMasterSecret, hs.info.serverName, hs.info.alpnProtocol, hs.authTime, hs.sessionId, sessionClientAuth(hs.info.clientAuth));
      // RFC 5077 §3.3: NewSessionTicket after the client's Finished, before our ChangeCipherSpec,
      // and in the hash of our Finished.
      if (hs.sendTicket) sendAndHash(io, hs.transcript, ticketMessage(config, io.issueTicket12(session)));
      io.sendChangeCipherSpec();
      io.setWriteKeys(this.keys.server);
      serverFinished = verifyData12(p, hs.suite.hash, master, 'server', hs.transcript.current());
      sendAndHash(io, hs.transcript, writeFinished(serverFinished));
      io.handshakeDone();
      io.newSession12(session);
      session.state.fill(0); // the glue keeps its own copies
    }
    // The master secret moves into the traffic state, for the exporter (RFC 5705); wiped by its `clean`.
    const traffic = new Traffic12(this.ctx, hs.suite, hs.info, hs.clientRandom, {
      masterSecret: master,
      serverRandom: hs.serverRandom,
      extendedMasterSecret: hs.extendedMasterSecret,
      finished: { server: serverFinished!, client: new Uint8Array(verifyData) },
    });
    io.emit({ type: 'handshakeComplete', info: hs.info });
    return traffic;
  }

  clean(): void {
    this.master.fill(0);
    wipeKeys12(this.keys);
  }
}

/** Best-effort wipe of key block material not yet handed to the record layer (which copies it). */
function wipeKeys12(keys: Tls12Keys): void {
  for (const k of [keys.client, keys.server]) {
    k.key.fill(0);
    k.iv.fill(0);
  }
}

/**
 * The handshake is done. Application data skips `handle`. A ClientHello (renegotiation) is
 * refused with a no_renegotiation warning and the connection goes on (RFC 5746 §4.4 / RFC 5246
 * §7.2.2); any other handshake message, or a ChangeCipherSpec, is unexpected.
 */
export class Traffic12 {
  readonly kind = 'Traffic12';
  private refused = 0;
  constructor(
    private readonly ctx: StateContext,
    readonly suite: SuiteInfo,
    readonly info: NegotiatedInfo,
    readonly clientRandom: Uint8Array,
    /** What the exporter needs (RFC 5705 §4) and both Finished; the master secret is this state's to wipe. */
    private readonly after?: Traffic12Secrets,
  ) {}

  /** Both Finished messages' verify_data (RFC 5246 §7.4.9), when known. */
  get finished(): FinishedPair | undefined {
    return this.after?.finished;
  }

  /**
   * The exporter (RFC 5705 §4, with RFC 7627) over this connection's master secret; see
   * {@link exportKeyingMaterial12}.
   * @throws TypeError / RangeError for bad arguments, a reserved label, no extended master secret;
   *   Error without the master secret (wiped by {@link clean}).
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    const a = this.after;
    if (a === undefined || this.cleaned) throw new Error('exportKeyingMaterial(): the connection is closed (its secrets are wiped)');
    return exportKeyingMaterial12(
      this.ctx.config.provider,
      { hash: this.suite.hash, masterSecret: a.masterSecret, clientRandom: this.clientRandom, serverRandom: a.serverRandom, extendedMasterSecret: a.extendedMasterSecret },
      label,
      context,
      length,
    );
  }

  private cleaned = false;

  /**
   * @throws TlsError UnexpectedHandshakeMessage (unexpected_message) for anything but a ClientHello;
   *   RenegotiationAttempted (unexpected_message) after {@link MAX_REFUSED_RENEGOTIATIONS} refusals.
   */
  handle(msg: HandshakeMessage): Tls12ServerState {
    if (msg.type !== HandshakeType.client_hello) throw new TlsError('UnexpectedHandshakeMessage', `after the handshake: handshake type ${msg.type}`);
    if (++this.refused > MAX_REFUSED_RENEGOTIATIONS) throw new TlsError('RenegotiationAttempted', `more than ${MAX_REFUSED_RENEGOTIATIONS} renegotiation attempts`);
    this.ctx.io.sendWarningAlert(AlertDescription.no_renegotiation);
    return this;
  }

  /** Wipes the master secret (kept for the exporter; the record layer owns the keys). */
  clean(): void {
    this.cleaned = true;
    this.after?.masterSecret.fill(0);
  }
}

/** What {@link Traffic12} keeps of the handshake. */
export interface Traffic12Secrets {
  readonly masterSecret: Uint8Array;
  readonly serverRandom: Uint8Array;
  readonly extendedMasterSecret: boolean;
  readonly finished: FinishedPair;
}
