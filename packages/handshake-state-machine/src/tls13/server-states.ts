/**
 * The TLS 1.3 server handshake (RFC 8446 §2, §4) as a discriminated union of per-state classes
 * (STYLE.md §4). Each state holds only the fields valid in it; `handle` consumes one handshake
 * message and returns the next state. Any message not expected in a state → unexpected_message.
 *
 *   hs.ts ExpectClientHello ─▶ startTls13 ──HRR──▶ ExpectClientHello2
 *          │   ╲ (async session lookup / take: AwaitSession, takes no input)
 *          ▼
 *   ServerHello … Finished ──▶ [ExpectEndOfEarlyData] ──▶ ExpectFinished ──▶ Traffic13
 *   (with client authentication, a full handshake: … CertificateRequest … Finished ──▶
 *    ExpectCertificate ──▶ [ExpectCertificateVerify] ──▶ ExpectFinished; see client-auth13.ts)
 */
import { AEAD_KEY_LENGTH, NAMED_GROUP_CODEPOINT, equalConstantTime, isCryptoError, latin1ToBytes, type CryptoProvider, type NamedGroup, type SignatureScheme } from '@puretls/crypto';
import { TlsError } from '@puretls/record-layer';
import { clientHelloLimits, DEFAULT_MAX_PSK_IDENTITIES, MAX_PSK_IDENTITY_LENGTH, type HandshakeConfig, type CertifiedKey } from '../config';
import { lookupExternalPsk } from '../common/external-psk';
import type { ClientAuthentication, IssuedTicket, NegotiatedInfo, TrafficKeys } from '../io';
import { suiteByCode, type SuiteInfo } from '../suites';
import type { HandshakeMessage } from '../handshake-message';
import { HandshakeType } from '../msgs/enums';
import { writeHelloRetryRequest, writeServerHello } from '../msgs/server-hello';
import { writeEncryptedExtensions } from '../msgs/encrypted-extensions';
import { serverCertificate13, serverCertificate13WithStatus } from '../msgs/certificate';
import { ocspStapleFor } from '../common/ocsp-stapling';
import { certificateVerifyContent, writeCertificateVerify } from '../msgs/certificate-verify';
import { readFinished, writeFinished } from '../msgs/finished';
import { readKeyUpdate, writeKeyUpdate } from '../msgs/key-update';
import { readEndOfEarlyData } from '../msgs/end-of-early-data';
import { writeNewSessionTicket13 } from '../msgs/new-session-ticket';
import { writeKeyShareHelloRetryRequest, writeKeyShareServerHello } from '../msgs/key-share';
import { writePreSharedKeyServerHello } from '../msgs/pre-shared-key';
import {
  writeAlpn,
  writeCookie,
  writeEarlyData,
  writeRecordSizeLimit,
  writeSupportedGroups,
  writeSupportedVersionsServerHello,
  type Extension,
} from '../msgs/extensions';
import { writeServerName } from '../msgs/server-name';
import { AwaitSession, emitSecret, expect, isPromise, sendAndHash, whenAnswered, type StateContext } from '../common/state';
import { keepHello, readHello, type Hello } from '../common/hello';
import { Transcript } from '../common/transcript';
import { chooseAlpn } from '../common/alpn';
import { negotiatedInfo, withClientAuth } from '../common/negotiated-info';
import { resumedClientAuth, sessionClientAuth } from '../common/client-certificate';
import { ExpectCertificate, ExpectCertificateVerify, certificateRequest13 } from './client-auth13';
import { openStoredSession, type Resumable } from '../common/resumption';
import { encodeSessionState } from '../common/session-state';
import { KeySchedule13, nextTrafficSecret, resumptionPsk, trafficKeys } from './key-schedule';
import { chooseCertAndScheme, chooseGroup, chooseSuite13, type GroupChoice } from './negotiate';
import { checkClientHello13, checkSecondClientHello } from './client-hello-checks';
import { exportKeyingMaterial13 } from '../common/keying-material-exporter';
import type { FinishedPair } from '../io';
import { MAX_TICKET_LIFETIME_S, binderMatches, clientTicketAge, ticketAgeIsFresh, ticketNonce } from './psk';

const TLS13 = 0x0304;
/** RFC 8446 §4.2.9 psk_key_exchange_modes values. */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;
/** Default PSK identities looked up per ClientHello (a CPU bound per handshake; see `ClientHelloLimits.maxPskIdentities`). */
export const MAX_PSK_IDENTITIES = DEFAULT_MAX_PSK_IDENTITIES;
/** Rejected 0-RTT data skipped at most (RFC 8446 §4.2.10), when no ticket says otherwise. */
export const DEFAULT_EARLY_DATA_SKIP = 16 * 1024;

/** The TLS 1.3 states (after the version dispatch in `hs.ts`). */
export type Tls13ServerState =
  | ExpectClientHello2
  | AwaitSession<Tls13ServerState>
  | ExpectEndOfEarlyData
  | ExpectCertificate<ExpectFinished>
  | ExpectCertificateVerify<ExpectFinished>
  | ExpectFinished
  | Traffic13;

/** What a retried (second) ClientHello inherits from the first. */
interface Retry {
  readonly first: Hello;
  readonly suite: SuiteInfo;
  readonly group: NamedGroup;
  readonly transcript: Transcript;
  /** The cookie the HelloRetryRequest carried (`config.hrrCookie`), or `undefined`: none. */
  readonly cookie: Uint8Array | undefined;
  readonly ccsSent: boolean;
}

/**
 * The TLS 1.3 entry point: `hs.ts` calls it for a ClientHello that negotiates TLS 1.3.
 * @throws TlsError the errors of {@link checkClientHello13} and of the negotiation.
 */
export function startTls13(ctx: StateContext, hello: Hello): Tls13ServerState {
  checkClientHello13(hello);
  return negotiate(ctx, hello, undefined);
}

/** After a HelloRetryRequest: waiting for the second ClientHello. */
export class ExpectClientHello2 {
  readonly kind = 'ExpectClientHello2';
  constructor(
    private readonly ctx: StateContext,
    private readonly retry: Retry,
  ) {}

  handle(msg: HandshakeMessage): Tls13ServerState {
    expect(msg, HandshakeType.client_hello, this.kind);
    const hello = readHello(msg, clientHelloLimits(this.ctx.config));
    checkSecondClientHello(this.retry.first, hello, this.retry.group, this.retry.cookie);
    checkClientHello13(hello);
    return negotiate(this.ctx, hello, this.retry);
  }
}

/** What the negotiation chose before the PSK / full-handshake decision. */
interface Choice {
  readonly suite: SuiteInfo;
  readonly alpn: string | undefined;
  readonly transcript: Transcript;
  readonly groupChoice: GroupChoice | undefined;
}

/** Suite, ALPN and group for `hello` (pure but for the new transcript). */
function choose(ctx: StateContext, hello: Hello, retry: Retry | undefined): Choice {
  const { config } = ctx;
  const { ch } = hello;
  const suite = chooseSuite13(config, ch.cipherSuites);
  // RFC 8446 §4.1.4: the server MUST ensure it negotiates the same cipher suite after HRR.
  if (retry && suite.code !== retry.suite.code) throw new TlsError('SecondClientHelloChanged', 'the second ClientHello changes the negotiated cipher suite');
  const alpn = chooseAlpn(config, hello.alpn);
  const transcript = retry?.transcript ?? new Transcript(config.provider, suite.hash);
  const groupChoice: GroupChoice | undefined = retry
    ? { kind: 'share', group: retry.group, clientShare: ch.ext.keyShare![0]!.keyExchange }
    : ch.ext.supportedGroups
      ? tryChooseGroup(config, ch)
      : undefined;
  return { suite, alpn, transcript, groupChoice };
}

/**
 * Continues with the store's answer, at once or after an {@link AwaitSession}. Across the wait the
 * ClientHello (a view into the received chunk, which its owner may reuse once `receive` returns) is
 * kept as a copy, and what was chosen from it is chosen again from the copy.
 */
function afterStore<T>(
  ctx: StateContext,
  hello: Hello,
  choice: Choice,
  retry: Retry | undefined,
  answer: T | Promise<T>,
  onStoreFailure: T,
  next: (hello: Hello, choice: Choice, value: T) => Tls13ServerState,
): Tls13ServerState {
  if (!isPromise(answer)) return next(hello, choice, answer);
  const kept = keepHello(hello, clientHelloLimits(ctx.config));
  const keptChoice = { ...choose(ctx, kept, retry), transcript: choice.transcript };
  return whenAnswered(answer, onStoreFailure, (v: T) => next(kept, keptChoice, v));
}

/**
 * RFC 8446 §4.1.1 and §4.2.11: choose suite, ALPN, then either a PSK (resumption) or a full
 * handshake, or a HelloRetryRequest when the client has no usable key share.
 */
function negotiate(ctx: StateContext, hello: Hello, retry: Retry | undefined): Tls13ServerState {
  const { config } = ctx;
  const choice = choose(ctx, hello, retry);
  const psk = hello.ch.ext.preSharedKey;
  const modes = hello.ch.ext.pskKeyExchangeModes ?? [];
  if (psk) {
    const dhe = modes.includes(PskKeyExchangeMode.psk_dhe_ke) && choice.groupChoice?.kind === 'share';
    const ke = modes.includes(PskKeyExchangeMode.psk_ke) && config.allowPskKe;
    if (dhe || ke) {
      return selectPsk(ctx, hello, choice, retry, 0, (hello, choice, found) => {
        if (!found) return fullHandshake(ctx, hello, choice, retry);
        const binderHash = choice.transcript.hashWith(hello.raw.subarray(0, hello.ch.truncatedLength!));
        if (found.kind === 'external') {
          // RFC 8446 §4.2.11 / §7.1: an external PSK's binder key is derived with "ext binder".
          const { key, identity, index } = found;
          if (!binderMatches(config.provider, choice.suite.hash, key, binderHash, hello.ch.ext.preSharedKey!.binders[index]!, true)) {
            key.fill(0);
            throw new TlsError('BadBinder', `binder of external PSK identity ${index} does not verify`);
          }
          return pskHandshake(ctx, hello, choice, { session: undefined, index, secret: key, externalIdentity: identity }, dhe, retry);
        }
        const { session, index } = found;
        // RFC 8446 §4.2.11: "If the server cannot validate the binder … it MUST abort the
        // handshake with a "decrypt_error" alert" — checked before the ticket is consumed, so a
        // bystander who only saw the ticket cannot burn it.
        if (!binderMatches(config.provider, choice.suite.hash, session.state.secret, binderHash, hello.ch.ext.preSharedKey!.binders[index]!)) {
          ctx.io.sessionRefused(session.stored, 'badBinder');
          throw new TlsError('BadBinder', `binder of PSK identity ${index} does not verify`);
        }
        const proceed = (hello: Hello, choice: Choice, taken: boolean): Tls13ServerState =>
          taken ? pskHandshake(ctx, hello, choice, { session, index, secret: session.state.secret, externalIdentity: undefined }, dhe, retry) : fullHandshake(ctx, hello, choice, retry);
        return session.stored.singleUse ? afterStore(ctx, hello, choice, retry, ctx.io.consumePsk(session.stored), false, proceed) : proceed(hello, choice, true);
      });
    }
  }
  return fullHandshake(ctx, hello, choice, retry);
}

function tryChooseGroup(config: HandshakeConfig, ch: Hello['ch']): GroupChoice | undefined {
  try {
    return chooseGroup(config, ch.ext.supportedGroups ?? [], ch.ext.keyShare ?? []);
  } catch (e) {
    // Without a common group a PSK (psk_ke) may still do; the full handshake re-raises.
    if (ch.ext.preSharedKey) return undefined;
    throw e;
  }
}

/** The PSK {@link selectPsk} found: a stored session (ticket) or an external PSK (a copy of its key). */
type FoundPsk =
  | { readonly kind: 'ticket'; readonly session: Resumable; readonly index: number }
  | { readonly kind: 'external'; readonly key: Uint8Array; readonly identity: Uint8Array; readonly index: number };

/**
 * Looks the PSK identities up in order (RFC 8446 §4.2.11: "servers SHOULD NOT attempt to
 * validate multiple binders"): the first that resolves to a PSK the rules accept wins. Each
 * identity is first an external PSK (`config.externalPsk`, identities of at most
 * {@link MAX_PSK_IDENTITY_LENGTH} bytes), then a ticket — OpenSSL's order (`tls_parse_ctos_psk`).
 * A ticket must pass {@link openStoredSession}; either PSK's hash must be the negotiated suite's
 * ("the server MUST ensure that it selects a compatible PSK (if any) and cipher suite"); an
 * external PSK is a SHA-256 one (OpenSSL's `psk_server_callback` PSKs), and when it does not fit
 * the suite the next identity is tried (as OpenSSL: not the same identity as a ticket).
 */
function selectPsk(
  ctx: StateContext,
  hello: Hello,
  choice: Choice,
  retry: Retry | undefined,
  index: number,
  done: (hello: Hello, choice: Choice, found: FoundPsk | undefined) => Tls13ServerState,
): Tls13ServerState {
  const ids = hello.ch.ext.preSharedKey!.identities;
  if (index >= ids.length || index >= clientHelloLimits(ctx.config).maxPskIdentities) return done(hello, choice, undefined);
  const identity = ids[index]!.identity;
  if (ctx.config.externalPsk !== undefined && identity.length <= MAX_PSK_IDENTITY_LENGTH) {
    const key = lookupExternalPsk(ctx.config, identity, { version: TLS13, serverName: hello.ch.ext.serverName });
    if (key !== undefined) {
      if (choice.suite.hash === EXTERNAL_PSK_HASH) return done(hello, choice, { kind: 'external', key, identity: new Uint8Array(identity), index });
      key.fill(0);
      return selectPsk(ctx, hello, choice, retry, index + 1, done);
    }
  }
  const answer = ctx.io.lookupPsk(identity);
  return afterStore(ctx, hello, choice, retry, answer, undefined, (hello, choice, stored) => {
    if (stored !== undefined) {
      const r = openStoredSession(ctx.config, stored, TLS13, hello.ch.ext.serverName);
      const refusal = typeof r === 'string' ? r : suiteByCode(r.state.cipherSuite)?.hash === choice.suite.hash ? undefined : 'mismatch';
      if (refusal === undefined) return done(hello, choice, { kind: 'ticket', session: r as Resumable, index });
      ctx.io.sessionRefused(stored, refusal);
    }
    return selectPsk(ctx, hello, choice, retry, index + 1, done);
  });
}

/** A full handshake: HRR when needed, else the certificate flight. */
function fullHandshake(ctx: StateContext, hello: Hello, choice: Choice, retry: Retry | undefined): Tls13ServerState {
  const { config } = ctx;
  const { suite, alpn, groupChoice, transcript } = choice;
  if (!groupChoice) {
    // No usable (EC)DHE group and no PSK accepted: nothing to key the handshake with.
    chooseGroup(config, hello.ch.ext.supportedGroups ?? [], hello.ch.ext.keyShare ?? []);
    throw new TlsError('MissingKeyShareOrPsk', 'no PSK accepted and no key share to fall back on');
  }
  const { cert, scheme, index } = chooseCertAndScheme(config, hello.ch.ext.serverName, hello.ch.ext.signatureAlgorithms ?? []);
  if (groupChoice.kind === 'retry') {
    if (retry) throw new TlsError('HrrKeyShareNotFixed', 'still no usable key share after a HelloRetryRequest');
    return sendHelloRetryRequest(ctx, hello, suite, groupChoice.group, transcript);
  }
  return sendFlight(ctx, hello, {
    suite,
    alpn,
    transcript,
    group: groupChoice.group,
    clientShare: groupChoice.clientShare,
    cert: { cert, scheme, index },
    resumption: undefined,
    retry,
  });
}

/** A PSK handshake (RFC 8446 §2.2), resumption or external PSK: no Certificate, no CertificateVerify. */
function pskHandshake(ctx: StateContext, hello: Hello, choice: Choice, resumption: PskPlan, dhe: boolean, retry: Retry | undefined): Tls13ServerState {
  const { suite, alpn, transcript } = choice;
  const share = dhe && choice.groupChoice?.kind === 'share' ? choice.groupChoice : undefined;
  return sendFlight(ctx, hello, {
    suite,
    alpn,
    transcript,
    group: share?.group,
    clientShare: share?.clientShare,
    cert: undefined,
    resumption,
    retry,
  });
}

/**
 * RFC 8446 §4.1.4: answer with a HelloRetryRequest naming the group — legacy_session_id_echo, the
 * cipher suite, supported_versions and key_share, and a `cookie` only when `config.hrrCookie` asks
 * for one (§4.2.2: the server "MAY provide"; no mainstream server does, and strict clients reject
 * one they did not expect) — and replace ClientHello1 in the transcript by its message_hash (§4.4.1).
 */
function sendHelloRetryRequest(ctx: StateContext, hello: Hello, suite: SuiteInfo, group: NamedGroup, transcript: Transcript): ExpectClientHello2 {
  const { ch } = hello;
  const make = ctx.config.hrrCookie;
  // A copy: the maker's bytes are compared with the second ClientHello one flight later.
  const cookie = make === undefined ? undefined : new Uint8Array(make());
  // Extension order as RFC 8448 §5 shows it: key_share, cookie, supported_versions.
  const extensions = [writeKeyShareHelloRetryRequest(NAMED_GROUP_CODEPOINT[group])];
  if (cookie !== undefined) extensions.push(writeCookie(cookie));
  extensions.push(writeSupportedVersionsServerHello(TLS13));
  const hrr = writeHelloRetryRequest({ legacySessionIdEcho: ch.legacySessionId, cipherSuite: suite.code, extensions });
  transcript.add(hello.raw);
  transcript.replaceWithMessageHash();
  transcript.add(hrr);
  ctx.io.setVersion('tls13');
  ctx.io.sendHandshake(hrr);
  // RFC 8446 §4.2.10: a client that sent 0-RTT after ClientHello1 gets an HRR; its early data is skipped.
  if (ch.ext.earlyData) ctx.io.rejectEarlyData(rejectBudget(ctx.config));
  // RFC 8446 §D.4: the compatibility CCS goes right after the server's first handshake message.
  const compat = ch.legacySessionId.length > 0;
  if (compat) ctx.io.sendChangeCipherSpec();
  // ClientHello1 is compared with ClientHello2 (§4.1.2) one flight later: keep a copy, the chunk
  // it is a view of belongs to the caller once `receive` returns.
  return new ExpectClientHello2(ctx, { first: keepHello(hello, clientHelloLimits(ctx.config)), suite, group, transcript, cookie, ccsSent: compat });
}

function rejectBudget(config: HandshakeConfig): number {
  return Math.max(config.maxEarlyData, DEFAULT_EARLY_DATA_SKIP);
}

interface FlightPlan {
  readonly suite: SuiteInfo;
  readonly alpn: string | undefined;
  readonly transcript: Transcript;
  /** (EC)DHE group and client share; absent for psk_ke. */
  readonly group: NamedGroup | undefined;
  readonly clientShare: Uint8Array | undefined;
  /** Full handshake: the certificate and scheme. */
  readonly cert: { cert: CertifiedKey; scheme: number; index: number } | undefined;
  /** A PSK handshake: the selected identity and its PSK. */
  readonly resumption: PskPlan | undefined;
  readonly retry: Retry | undefined;
}

/** The PSK of a PSK handshake: a resumed session's, or an external one. */
interface PskPlan {
  /** Resumption: the session (undefined for an external PSK). */
  readonly session: Resumable | undefined;
  /** The selected identity (RFC 8446 §4.2.11 selected_identity). */
  readonly index: number;
  /** The PSK (the session's, or a copy of the external key, wiped once the key schedule has it). */
  readonly secret: Uint8Array;
  /** External PSK: a copy of its identity (`NegotiatedInfo.pskIdentity`). */
  readonly externalIdentity: Uint8Array | undefined;
}

/** The hash of external PSKs: SHA-256, as OpenSSL's `psk_server_callback` PSKs (TLS_AES_128_GCM_SHA256). */
const EXTERNAL_PSK_HASH = 'sha256';

/**
 * RFC 8446 §4.1.3–§4.4: ServerHello, [CCS], then under the server handshake traffic key
 * EncryptedExtensions, [Certificate, CertificateVerify,] Finished; switch to the application
 * traffic key for writing, and to the early or handshake traffic key for reading.
 */
function sendFlight(ctx: StateContext, hello: Hello, plan: FlightPlan): Tls13ServerState {
  const { config, io } = ctx;
  const { ch } = hello;
  const { suite, transcript, resumption } = plan;
  const p = config.provider;
  transcript.add(hello.raw);

  // 0-RTT (RFC 8446 §4.2.10): only on the first identity of a single-use ticket, same suite
  // and ALPN, within the ticket's limit, fresh (§8.3), never after a HelloRetryRequest.
  const session = resumption?.session;
  const state = session?.state;
  const now = io.now();
  const acceptEarly =
    ch.ext.earlyData &&
    !plan.retry &&
    session !== undefined &&
    resumption!.index === 0 &&
    session.stored.singleUse &&
    config.maxEarlyData > 0 &&
    state!.maxEarlyData > 0 &&
    state!.cipherSuite === suite.code &&
    state!.alpn === plan.alpn &&
    ticketAgeIsFresh(clientTicketAge(ch.ext.preSharedKey!.identities[0]!.obfuscatedTicketAge, state!.ticketAgeAdd), session.stored.createdAt, now);

  const ks = new KeySchedule13(p, suite.hash, resumption?.secret);
  if (resumption?.externalIdentity !== undefined) resumption.secret.fill(0); // our copy; the key schedule has extracted it
  let clientEarly: Uint8Array | undefined;
  if (acceptEarly) {
    clientEarly = ks.derive('c e traffic', transcript.current());
    emitSecret(io, 'CLIENT_EARLY_TRAFFIC_SECRET', ch.random, clientEarly);
  }

  const random = p.random(32, 'server_random');
  let shared: { serverShare: Uint8Array; sharedSecret: Uint8Array } | undefined;
  if (plan.group !== undefined) {
    try {
      shared = p.keyShare(plan.group, plan.clientShare!);
    } catch (e) {
      if (isCryptoError(e) && e.reason === 'InvalidPeerKey') throw new TlsError('InvalidKeyShare', e.message, { cause: e });
      throw e;
    }
  }
  // Extension order as RFC 8448 shows it: pre_shared_key, key_share, supported_versions.
  const shExts: Extension[] = [];
  if (resumption) shExts.push(writePreSharedKeyServerHello(resumption.index));
  if (shared) shExts.push(writeKeyShareServerHello({ group: NAMED_GROUP_CODEPOINT[plan.group!], keyExchange: shared.serverShare }));
  shExts.push(writeSupportedVersionsServerHello(TLS13));
  const sh = writeServerHello({ random, legacySessionIdEcho: ch.legacySessionId, cipherSuite: suite.code, extensions: shExts });
  transcript.add(sh);
  io.setVersion('tls13');
  io.sendHandshake(sh);
  if (ch.legacySessionId.length > 0 && !plan.retry?.ccsSent) io.sendChangeCipherSpec();

  ks.inputSharedSecret(shared?.sharedSecret);
  shared?.sharedSecret.fill(0);
  const helloHash = transcript.current();
  const clientHs = ks.derive('c hs traffic', helloHash);
  const serverHs = ks.derive('s hs traffic', helloHash);
  emitSecret(io, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', ch.random, clientHs);
  emitSecret(io, 'SERVER_HANDSHAKE_TRAFFIC_SECRET', ch.random, serverHs);
  io.setWriteKeys(keysFor(p, suite, serverHs));
  if (ch.ext.recordSizeLimit !== undefined) io.setRecordSizeLimits(ch.ext.recordSizeLimit, config.recordSizeLimit);

  // EncryptedExtensions (RFC 8446 §4.3.1). Order as RFC 8448 shows it: supported_groups,
  // record_size_limit, server_name, early_data; then ALPN.
  const ee: Extension[] = [];
  if (config.advertisedGroups) ee.push(writeSupportedGroups(config.advertisedGroups));
  if (ch.ext.recordSizeLimit !== undefined) ee.push(writeRecordSizeLimit(config.recordSizeLimit));
  // RFC 6066 §3: the server "SHALL include an extension of type "server_name"" with empty data.
  if (ch.ext.serverName !== undefined) ee.push(writeServerName());
  if (acceptEarly) ee.push(writeEarlyData());
  if (plan.alpn !== undefined) ee.push(writeAlpn([latin1ToBytes(plan.alpn)]));
  sendAndHash(io, transcript, writeEncryptedExtensions(ee));

  // CertificateRequest (RFC 8446 §4.3.2) after EncryptedExtensions, only in a full handshake:
  // "Servers which are authenticating with a resumption PSK MUST NOT send the CertificateRequest
  // message in the main handshake".
  const clientAuth = plan.cert ? config.clientAuth : undefined;
  if (clientAuth) sendAndHash(io, transcript, certificateRequest13(clientAuth));

  if (plan.cert) {
    // Certificate (RFC 8446 §4.4.2): empty certificate_request_context in the handshake; a stapled
    // OCSP response in the leaf's entry (§4.4.2.1), only when the client asked for one.
    const { cert, scheme } = plan.cert;
    const ocspResponse = ocspStapleFor(config, hello, plan.cert.index);
    sendAndHash(io, transcript, ocspResponse === undefined ? serverCertificate13(cert.chain) : serverCertificate13WithStatus(cert.chain, ocspResponse));
    // CertificateVerify (RFC 8446 §4.4.3).
    const signature = p.sign(cert.key, scheme as SignatureScheme, certificateVerifyContent(true, transcript.current()));
    sendAndHash(io, transcript, writeCertificateVerify({ algorithm: scheme, signature }));
  }
  // Finished (RFC 8446 §4.4.4).
  const serverFinished = ks.verifyData(serverHs, transcript.current());
  sendAndHash(io, transcript, writeFinished(serverFinished));
  serverHs.fill(0); // its record key is installed; the secret itself is no longer needed

  // Application traffic secrets from the transcript through the server Finished (§7.1).
  ks.inputZeros();
  const serverFinishedHash = transcript.current();
  const clientAp = ks.derive('c ap traffic', serverFinishedHash);
  const serverAp = ks.derive('s ap traffic', serverFinishedHash);
  const exporter = ks.derive('exp master', serverFinishedHash);
  emitSecret(io, 'CLIENT_TRAFFIC_SECRET_0', ch.random, clientAp);
  emitSecret(io, 'SERVER_TRAFFIC_SECRET_0', ch.random, serverAp);
  emitSecret(io, 'EXPORTER_SECRET', ch.random, exporter);
  io.setWriteKeys(keysFor(p, suite, serverAp));

  const earlyData: NegotiatedInfo['earlyData'] = !ch.ext.earlyData ? 'none' : acceptEarly ? 'accepted' : 'rejected';
  const info = negotiatedInfo({
    version: TLS13,
    cipherSuite: suite.code,
    group: plan.group,
    signatureScheme: plan.cert?.scheme,
    serverName: ch.ext.serverName,
    alpnProtocol: plan.alpn,
    helloRetry: plan.retry !== undefined,
    resumed: resumption !== undefined,
    certificateIndex: plan.cert?.index,
    resumedSession: session?.stored,
    resumedVia: session ? 'ticket' : undefined,
    sessionId: session?.stored.id ?? EMPTY,
    pskMode: resumption ? (plan.group !== undefined ? 'psk_dhe_ke' : 'psk_ke') : undefined,
    pskIdentity: resumption?.externalIdentity,
    earlyData,
    // Resumed: the client authentication of the session's full handshake (RFC 8446 §2.2: a PSK
    // handshake carries the original authentication). A full handshake learns it later.
    clientAuth: session ? resumedClientAuth(session.state) : undefined,
  });
  if (session) io.sessionAccepted(session.stored);
  // ch.random is a view into the whole ClientHello (up to kilobytes): keep a 32-byte copy, the
  // connection holds it for its lifetime.
  const finished = new ExpectFinished(ctx, suite, ks, transcript, clientHs, { clientAp, serverAp, exporter, serverFinished }, info, ch.random.slice(), session?.stored.authTime ?? now);
  if (acceptEarly) {
    io.setReadKeys(keysFor(p, suite, clientEarly!));
    clientEarly!.fill(0);
    return new ExpectEndOfEarlyData(ctx, suite, transcript, clientHs, finished, Math.min(state!.maxEarlyData, config.maxEarlyData));
  }
  io.setReadKeys(keysFor(p, suite, clientHs));
  if (ch.ext.earlyData) io.rejectEarlyData(Math.max(state?.maxEarlyData ?? 0, rejectBudget(config)));
  return clientAuth ? new ExpectCertificate(ctx, clientAuth, transcript, finished) : finished;
}

/** Record keys for a TLS 1.3 traffic secret (RFC 8446 §7.3). */
export function keysFor(p: CryptoProvider, suite: SuiteInfo, secret: Uint8Array): TrafficKeys {
  const { key, iv } = trafficKeys(p, suite.hash, secret, AEAD_KEY_LENGTH[suite.aead]);
  return { version: 'tls13', algorithm: suite.aead, key, iv };
}

interface AppSecrets {
  readonly clientAp: Uint8Array;
  readonly serverAp: Uint8Array;
  readonly exporter: Uint8Array;
  /** Our Finished verify_data (not secret: kept for `finished`). */
  readonly serverFinished: Uint8Array;
}

/**
 * 0-RTT accepted: application data under the client early traffic key until EndOfEarlyData
 * (RFC 8446 §4.5). The connection delivers the data and enforces `maxEarlyData`.
 */
export class ExpectEndOfEarlyData {
  readonly kind = 'ExpectEndOfEarlyData';
  constructor(
    private readonly ctx: StateContext,
    private readonly suite: SuiteInfo,
    private readonly transcript: Transcript,
    private readonly clientHs: Uint8Array,
    private readonly next: ExpectFinished,
    /** Early data accepted at most (RFC 8446 §4.2.10: more → unexpected_message). */
    readonly maxEarlyData: number,
  ) {}

  private earlyDataBytes = 0;

  /**
   * Counts 0-RTT application data as it arrives.
   * @throws TlsError TooMuchEarlyData (unexpected_message) beyond {@link maxEarlyData}: RFC 8446
   *   §4.6.1 "A server receiving more than max_early_data_size bytes of 0-RTT data SHOULD
   *   terminate the connection with an "unexpected_message" alert."
   */
  receiveEarlyData(bytes: number): void {
    this.earlyDataBytes += bytes;
    if (this.earlyDataBytes > this.maxEarlyData) throw new TlsError('TooMuchEarlyData', `more than ${this.maxEarlyData} bytes of early data`);
  }

  handle(msg: HandshakeMessage): Tls13ServerState {
    expect(msg, HandshakeType.end_of_early_data, this.kind);
    readEndOfEarlyData(msg.body);
    this.transcript.add(msg.raw);
    this.ctx.io.setReadKeys(keysFor(this.ctx.config.provider, this.suite, this.clientHs));
    return this.next;
  }

  /** Best-effort wipe when the connection ends here (the handshake secrets, the application secrets to come). */
  clean(): void {
    this.next.clean();
  }
}

/** Waiting for the client's Finished (RFC 8446 §4.4.4), under the client handshake traffic key. */
export class ExpectFinished {
  readonly kind = 'ExpectFinished';
  constructor(
    private readonly ctx: StateContext,
    private readonly suite: SuiteInfo,
    private readonly ks: KeySchedule13,
    private readonly transcript: Transcript,
    private readonly clientHs: Uint8Array,
    private readonly secrets: AppSecrets,
    private readonly info: NegotiatedInfo,
    private readonly clientRandom: Uint8Array,
    private readonly authTime: number,
  ) {}

  handle(msg: HandshakeMessage): Tls13ServerState {
    expect(msg, HandshakeType.finished, this.kind);
    const expected = this.ks.verifyData(this.clientHs, this.transcript.current());
    // RFC 8446 §4.4.4: verify_data is Hash.length bytes; any other length is a message that
    // "could not be decoded" (§6.2 decode_error), as the TLS 1.2 state and OpenSSL treat it.
    readFinished(msg.body, expected.length);
    // RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the contents are
    // correct and if incorrect MUST terminate the connection with a "decrypt_error" alert."
    if (!equalConstantTime(msg.body, expected)) throw new TlsError('BadFinished', 'client Finished verify_data is wrong');
    this.transcript.add(msg.raw);
    const resumptionMaster = this.ks.derive('res master', this.transcript.current());
    this.ks.clean();
    this.clientHs.fill(0);
    const p = this.ctx.config.provider;
    this.ctx.io.setReadKeys(keysFor(p, this.suite, this.secrets.clientAp));
    this.ctx.io.handshakeDone();
    const traffic = new Traffic13(this.ctx, this.suite, this.secrets.clientAp, this.secrets.serverAp, this.secrets.exporter, resumptionMaster, this.info, this.clientRandom, this.authTime, {
      server: this.secrets.serverFinished,
      client: new Uint8Array(msg.body),
    });
    this.ctx.io.emit({ type: 'handshakeComplete', info: this.info });
    return traffic;
  }

  /** This state with the client's authentication in its `NegotiatedInfo` (after `ExpectCertificate`). */
  withClientAuth(auth: ClientAuthentication): ExpectFinished {
    return new ExpectFinished(this.ctx, this.suite, this.ks, this.transcript, this.clientHs, this.secrets, withClientAuth(this.info, auth), this.clientRandom, this.authTime);
  }

  /** Best-effort wipe when the connection ends before the client's Finished. */
  clean(): void {
    this.ks.clean();
    this.clientHs.fill(0);
    this.secrets.clientAp.fill(0);
    this.secrets.serverAp.fill(0);
    this.secrets.exporter.fill(0);
  }
}

/**
 * The handshake is done: KeyUpdate and NewSessionTicket. Application data skips `handle`.
 *
 * This state lives as long as the connection, so it keeps little: the four secrets and the client
 * random sit in one buffer (one typed array instead of five, each with its own `ArrayBuffer`), and
 * the handshake's transcript, key schedule and messages are gone.
 */
export class Traffic13 {
  readonly kind = 'Traffic13';
  private ticketsSent = 0;
  /** client_application_traffic_secret_N ‖ server_… ‖ exporter_master ‖ resumption_master ‖ client random. */
  private readonly keys: Uint8Array;
  constructor(
    private readonly ctx: StateContext,
    readonly suite: SuiteInfo,
    clientSecret: Uint8Array,
    serverSecret: Uint8Array,
    /** exporter_master_secret (RFC 8446 §7.5). */
    exporterMaster: Uint8Array,
    /** resumption_master_secret (RFC 8446 §7.1), for NewSessionTicket PSKs. */
    resumptionMaster: Uint8Array,
    readonly info: NegotiatedInfo,
    clientRandom: Uint8Array,
    /** When the original full handshake happened (ms). */
    readonly authTime: number,
    /** Both Finished messages' verify_data (RFC 8446 §4.4.4); `undefined` when the state was made without them. */
    readonly finished?: FinishedPair,
  ) {
    if (clientRandom.length !== CLIENT_RANDOM_LENGTH) throw new RangeError(`Traffic13(clientRandom): ${CLIENT_RANDOM_LENGTH} bytes expected`);
    const n = clientSecret.length;
    const keys = new Uint8Array(4 * n + CLIENT_RANDOM_LENGTH);
    let at = 0;
    for (const secret of [clientSecret, serverSecret, exporterMaster, resumptionMaster]) {
      keys.set(secret, at);
      secret.fill(0); // the copy here is the one that is kept (and wiped by `clean`)
      at += n;
    }
    keys.set(clientRandom, at);
    this.keys = keys;
  }

  private secretAt(i: number): Uint8Array {
    const n = (this.keys.length - CLIENT_RANDOM_LENGTH) / 4;
    return this.keys.subarray(i * n, (i + 1) * n);
  }
  /** client_application_traffic_secret_N (a view). */
  private get clientSecret(): Uint8Array {
    return this.secretAt(0);
  }
  /** server_application_traffic_secret_N (a view). */
  private get serverSecret(): Uint8Array {
    return this.secretAt(1);
  }
  /** exporter_master_secret (RFC 8446 §7.5; a view, wiped on close). */
  get exporterMaster(): Uint8Array {
    return this.secretAt(2);
  }
  /** resumption_master_secret (RFC 8446 §7.1, a view). */
  private get resumptionMaster(): Uint8Array {
    return this.secretAt(3);
  }
  /** The ClientHello's random (a view). */
  get clientRandom(): Uint8Array {
    return this.keys.subarray(this.keys.length - CLIENT_RANDOM_LENGTH);
  }

  handle(msg: HandshakeMessage): Tls13ServerState {
    if (msg.type !== HandshakeType.key_update) {
      // RFC 8446 §4: a ClientHello after the handshake (renegotiation) is unexpected in TLS 1.3.
      throw new TlsError('UnexpectedHandshakeMessage', `after the handshake: handshake type ${msg.type}`);
    }
    const requested = readKeyUpdate(msg.body).requestUpdate === 1;
    const p = this.ctx.config.provider;
    // RFC 8446 §4.6.3: the receiver updates its receiving keys …
    const next = nextTrafficSecret(p, this.suite.hash, this.clientSecret);
    this.clientSecret.set(next);
    next.fill(0);
    this.ctx.io.setReadKeys(keysFor(p, this.suite, this.clientSecret));
    this.ctx.io.emit({ type: 'keyUpdate', requested });
    // … and "If the request_update field is set to "update_requested", then the receiver MUST
    // send a KeyUpdate of its own with request_update set to "update_not_requested" prior to
    // sending its next Application Data record."
    if (requested) this.updateWriteKeys(false);
    return this;
  }

  /** Sends a KeyUpdate and switches the write key (RFC 8446 §4.6.3). */
  updateWriteKeys(requestPeerUpdate: boolean): void {
    const p = this.ctx.config.provider;
    this.ctx.io.sendHandshake(writeKeyUpdate(requestPeerUpdate));
    const next = nextTrafficSecret(p, this.suite.hash, this.serverSecret);
    this.serverSecret.set(next);
    next.fill(0);
    this.ctx.io.setWriteKeys(keysFor(p, this.suite, this.serverSecret));
  }

  /**
   * Sends one NewSessionTicket (RFC 8446 §4.6.1): a fresh nonce (a 2-byte counter), a random
   * ticket_age_add, the PSK derived from the resumption master secret; the ticket bytes come from
   * the session glue. Returns `false` when the glue has nowhere to keep the session (none sent).
   */
  sendNewSessionTicket(): boolean {
    const { config, io } = this.ctx;
    const p = config.provider;
    const nonce = ticketNonce(this.ticketsSent);
    const a = p.random(4, 'ticket_age_add');
    const ticketAgeAdd = ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0;
    const psk = resumptionPsk(p, this.suite.hash, this.resumptionMaster, nonce);
    const lifetime = Math.min(config.ticketLifetime, MAX_TICKET_LIFETIME_S);
    const state = encodeSessionState({
      version: TLS13,
      cipherSuite: this.suite.code,
      secret: psk,
      extendedMasterSecret: true,
      serverName: this.info.serverName,
      alpn: this.info.alpnProtocol,
      context: config.sessionContext,
      ticketAgeAdd,
      maxEarlyData: config.maxEarlyData,
      // The client's chain and verdict travel in the ticket: a resumption reports them again.
      ...sessionClientAuth(this.info.clientAuth),
    });
    psk.fill(0);
    let issued: IssuedTicket | undefined;
    try {
      issued = io.issueTicket({ state, lifetime, createdAt: io.now(), authTime: this.authTime });
    } finally {
      state.fill(0); // the glue keeps its own copy
    }
    if (!issued) return false;
    this.ticketsSent++;
    io.sendHandshake(
      writeNewSessionTicket13({
        ticketLifetime: lifetime,
        ticketAgeAdd,
        ticketNonce: nonce,
        ticket: issued.ticket,
        // RFC 8446 §4.6.1: early_data only on tickets that can carry it (single-use, spec §6).
        extensions: issued.singleUse && config.maxEarlyData > 0 ? [writeEarlyData(config.maxEarlyData)] : [],
      }),
    );
    return true;
  }

  /**
   * The exporter (RFC 8446 §7.5) over this connection's exporter_master_secret; see
   * {@link exportKeyingMaterial13}.
   * @throws TypeError / RangeError for a bad label or length; Error once {@link clean}ed.
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (this.cleaned) throw new Error('exportKeyingMaterial(): the connection is closed (its secrets are wiped)');
    return exportKeyingMaterial13(this.ctx.config.provider, this.suite.hash, this.exporterMaster, label, context, length);
  }

  private cleaned = false;

  /** Best-effort wipe of the secrets this state holds. */
  clean(): void {
    this.cleaned = true;
    this.keys.fill(0);
  }
}

const EMPTY = new Uint8Array(0);
/** ClientHello.random (RFC 8446 §4.1.2). */
const CLIENT_RANDOM_LENGTH = 32;

