/**
 * The TLS 1.3 server handshake (RFC 8446 §2, §4) as a discriminated union of per-state classes
 * (STYLE.md §4). Each state holds only the fields valid in it; `handle` consumes one handshake
 * message and returns the next state. Any message not expected in a state → unexpected_message.
 *
 *   ExpectClientHello ──HRR──▶ ExpectClientHello2
 *          │                         │
 *          └──── ServerHello … Finished ────▶ ExpectFinished ──▶ Traffic13
 */
import { AEAD_KEY_LENGTH, NAMED_GROUP_CODEPOINT, equalConstantTime, isCryptoError, type CryptoProvider, type NamedGroup } from '@puretls/crypto';
import { TlsError } from '@puretls/record-layer';
import type { HandshakeConfig, CertifiedKey } from '../config';
import type { HandshakeIo, NegotiatedInfo, TrafficKeys } from '../io';
import type { SuiteInfo } from '../suites';
import type { HandshakeMessage } from '../handshake-message';
import { HandshakeType } from '../msgs/enums';
import { readClientHello, type ClientHello } from '../msgs/client-hello';
import { writeHelloRetryRequest, writeServerHello } from '../msgs/server-hello';
import { writeEncryptedExtensions } from '../msgs/encrypted-extensions';
import { writeCertificate13 } from '../msgs/certificate';
import { certificateVerifyContent, writeCertificateVerify } from '../msgs/certificate-verify';
import { writeFinished } from '../msgs/finished';
import { readKeyUpdate, writeKeyUpdate } from '../msgs/key-update';
import { writeKeyShareHelloRetryRequest, writeKeyShareServerHello } from '../msgs/key-share';
import {
  writeAlpn,
  writeCookie,
  writeRecordSizeLimit,
  writeSupportedGroups,
  writeSupportedVersionsServerHello,
  type Extension,
} from '../msgs/extensions';
import { writeServerName } from '../msgs/server-name';
import { KeySchedule13, nextTrafficSecret, trafficKeys } from './key-schedule';
import { Transcript } from './transcript';
import { chooseAlpn, chooseCertAndScheme, chooseGroup, chooseSuite13 } from './negotiate';


const TLS13 = 0x0304;
/** RFC 8446 §4.2.9 psk_key_exchange_modes values. */
export const PskKeyExchangeMode = { psk_ke: 0, psk_dhe_ke: 1 } as const;

export type Tls13ServerState = ExpectClientHello | ExpectClientHello2 | ExpectFinished | Traffic13;

/** A ClientHello with its raw bytes (header included), as the transcript needs them. */
interface Hello {
  readonly ch: ClientHello;
  readonly raw: Uint8Array;
  /** ALPN names as strings (latin-1; RFC 7301 names are opaque bytes). */
  readonly alpn: readonly string[] | undefined;
}

function readHello(msg: HandshakeMessage): Hello {
  const ch = readClientHello(msg.body);
  return { ch, raw: msg.raw, alpn: ch.ext.alpn?.map((p) => String.fromCharCode(...p)) };
}

/** Everything a state needs from the outside world. */
export interface StateContext {
  readonly config: HandshakeConfig;
  readonly io: HandshakeIo;
}

function expect(msg: HandshakeMessage, type: number, state: string): void {
  if (msg.type !== type) throw new TlsError('UnexpectedHandshakeMessage', `${state}: got handshake type ${msg.type}, expected ${type}`);
}

/**
 * Checks that apply to every TLS 1.3 ClientHello (RFC 8446 §4.1.2, §9.2) before negotiation.
 * @throws TlsError with the alert the RFC names.
 */
function checkClientHello13(hello: Hello): void {
  const { ch } = hello;
  const x = ch.ext;
  // RFC 8446 §4.1.2: "For every TLS 1.3 ClientHello, this vector MUST contain exactly one byte, set to zero".
  if (ch.legacyCompressionMethods.length !== 1 || ch.legacyCompressionMethods[0] !== 0) {
    throw new TlsError('InvalidCompressionMethods', 'TLS 1.3 requires legacy_compression_methods = [null]');
  }
  // RFC 8446 §9.2: "If containing a "supported_groups" extension, it MUST also contain a
  // "key_share" extension, and vice versa."
  if ((x.supportedGroups !== undefined) !== (x.keyShare !== undefined)) {
    throw new TlsError('MissingExtension', 'supported_groups and key_share must come together');
  }
  if (x.preSharedKey === undefined) {
    // §9.2: without a PSK, signature_algorithms and supported_groups are mandatory.
    if (x.signatureAlgorithms === undefined) throw new TlsError('MissingExtension', 'no signature_algorithms (RFC 8446 §9.2)');
    if (x.supportedGroups === undefined) throw new TlsError('MissingKeyShareOrPsk', 'neither supported_groups/key_share nor pre_shared_key (RFC 8446 §9.2)');
  } else if (x.pskKeyExchangeModes === undefined) {
    // §4.2.9: "If clients offer "pre_shared_key" without a "psk_key_exchange_modes" extension, servers MUST abort".
    throw new TlsError('PskWithoutKeyExchangeModes', 'pre_shared_key without psk_key_exchange_modes');
  }
  // §4.2.8: "Clients MUST NOT offer any KeyShareEntry values for groups not listed in the
  // client's "supported_groups" extension. Servers MAY check for violations of these rules and
  // abort the handshake with an "illegal_parameter" alert".
  if (x.supportedGroups) {
    for (const k of x.keyShare ?? []) {
      if (!x.supportedGroups.includes(k.group)) throw new TlsError('KeyShareGroupNotOffered', `key share for group 0x${k.group.toString(16)} not in supported_groups`);
    }
  }
  // §4.1.2: legacy_session_id is at most 32 bytes (the codec enforces); legacy_version MUST be 0x0303.
  if (ch.legacyVersion !== 0x0303) throw new TlsError('InvalidLegacyVersion', `TLS 1.3 ClientHello with legacy_version 0x${ch.legacyVersion.toString(16)}`);
}

/** Whether the client offers TLS 1.3 (RFC 8446 §4.2.1: only supported_versions counts). */
export function offersTls13(ch: ClientHello): boolean {
  return ch.ext.supportedVersions?.includes(TLS13) ?? false;
}

/** Negotiation results shared by the first and the retried ClientHello. */
interface Negotiated {
  readonly suite: SuiteInfo;
  readonly group: NamedGroup;
  readonly cert: CertifiedKey;
  readonly certIndex: number;
  readonly scheme: number;
  readonly alpn: string | undefined;
}

/** The first state: waiting for the ClientHello. */
export class ExpectClientHello {
  readonly kind = 'ExpectClientHello';
  constructor(private readonly ctx: StateContext) {}

  handle(msg: HandshakeMessage): Tls13ServerState {
    expect(msg, HandshakeType.client_hello, this.kind);
    const hello = readHello(msg);
    const { ch } = hello;
    if (!offersTls13(ch) || this.ctx.config.maxVersion < TLS13) {
      // TLS 1.2 slots in here (its own issue); until then nothing older is served.
      throw new TlsError('NoCommonVersion', 'client does not offer TLS 1.3');
    }
    checkClientHello13(hello);
    const { config } = this.ctx;
    const suite = chooseSuite13(config, ch.cipherSuites);
    const groupChoice = chooseGroup(config, ch.ext.supportedGroups ?? [], ch.ext.keyShare ?? []);
    const { cert, scheme, index } = chooseCertAndScheme(config, ch.ext.serverName, ch.ext.signatureAlgorithms ?? []);
    const alpn = chooseAlpn(config, hello.alpn);
    const neg: Negotiated = { suite, group: groupChoice.group, cert, certIndex: index, scheme, alpn };

    const transcript = new Transcript(config.provider, suite.hash);
    transcript.add(hello.raw);
    if (groupChoice.kind === 'retry') return sendHelloRetryRequest(this.ctx, hello, neg, transcript);
    return sendServerFlight(this.ctx, hello, neg, groupChoice.clientShare, transcript, { helloRetry: false, ccsSent: false });
  }
}

/**
 * RFC 8446 §4.1.4: answer with a HelloRetryRequest naming the group, with a cookie, and replace
 * ClientHello1 in the transcript by its message_hash (§4.4.1).
 */
function sendHelloRetryRequest(ctx: StateContext, hello: Hello, neg: Negotiated, transcript: Transcript): ExpectClientHello2 {
  const { ch } = hello;
  const cookie = ctx.config.makeHrrCookie ? ctx.config.makeHrrCookie() : ctx.config.provider.random(32, 'hrr_cookie');
  // Extension order as RFC 8448 §5 shows it: key_share, cookie, supported_versions.
  const hrr = writeHelloRetryRequest({
    legacySessionIdEcho: ch.legacySessionId,
    cipherSuite: neg.suite.code,
    extensions: [writeKeyShareHelloRetryRequest(NAMED_GROUP_CODEPOINT[neg.group]), writeCookie(cookie), writeSupportedVersionsServerHello(TLS13)],
  });
  transcript.replaceWithMessageHash();
  transcript.add(hrr);
  ctx.io.setVersion('tls13');
  ctx.io.sendHandshake(hrr);
  // RFC 8446 §D.4: the compatibility CCS goes right after the server's first handshake message.
  const compat = ch.legacySessionId.length > 0;
  if (compat) ctx.io.sendChangeCipherSpec();
  return new ExpectClientHello2(ctx, hello, neg, transcript, cookie, compat);
}

/** After a HelloRetryRequest: waiting for the second ClientHello. */
export class ExpectClientHello2 {
  readonly kind = 'ExpectClientHello2';
  constructor(
    private readonly ctx: StateContext,
    private readonly first: Hello,
    private readonly neg: Negotiated,
    private readonly transcript: Transcript,
    private readonly cookie: Uint8Array,
    private readonly ccsSent: boolean,
  ) {}

  handle(msg: HandshakeMessage): Tls13ServerState {
    expect(msg, HandshakeType.client_hello, this.kind);
    const hello = readHello(msg);
    const { ch } = hello;
    checkSecondClientHello(this.first, hello, this.neg.group, this.cookie);
    checkClientHello13(hello);
    // RFC 8446 §4.1.4: the server MUST ensure it negotiates the same cipher suite.
    const suite = chooseSuite13(this.ctx.config, ch.cipherSuites);
    if (suite.code !== this.neg.suite.code) throw new TlsError('SecondClientHelloChanged', 'the second ClientHello changes the negotiated cipher suite');
    const share = ch.ext.keyShare![0]!;
    this.transcript.add(hello.raw);
    return sendServerFlight(this.ctx, hello, this.neg, share.keyExchange, this.transcript, { helloRetry: true, ccsSent: this.ccsSent });
  }
}

/**
 * RFC 8446 §4.1.2: the second ClientHello is the first "without modification, except": key_share
 * (one share, for the group the HRR named: §4.2.8), early_data removed, cookie added,
 * pre_shared_key updated, padding changed.
 * @throws TlsError SecondClientHelloChanged / HrrKeyShareNotFixed / BadCookie (illegal_parameter)
 */
function checkSecondClientHello(firstHello: Hello, secondHello: Hello, group: NamedGroup, cookie: Uint8Array): void {
  const first = firstHello.ch;
  const second = secondHello.ch;
  const changed = (what: string): never => {
    throw new TlsError('SecondClientHelloChanged', `second ClientHello changed ${what}`);
  };
  if (second.legacyVersion !== first.legacyVersion) changed('legacy_version');
  if (!equalBytes(second.random, first.random)) changed('random');
  if (!equalBytes(second.legacySessionId, first.legacySessionId)) changed('legacy_session_id');
  if (!equalNumbers(second.cipherSuites, first.cipherSuites)) changed('cipher_suites');
  if (!equalBytes(second.legacyCompressionMethods, first.legacyCompressionMethods)) changed('legacy_compression_methods');
  if (second.ext.earlyData) throw new TlsError('SecondClientHelloChanged', 'early_data in the second ClientHello (RFC 8446 §4.2.10)');
  if (!equalNumbers(second.ext.supportedVersions ?? [], first.ext.supportedVersions ?? [])) changed('supported_versions');
  if (!equalNumbers(second.ext.supportedGroups ?? [], first.ext.supportedGroups ?? [])) changed('supported_groups');
  if (!equalNumbers(second.ext.signatureAlgorithms ?? [], first.ext.signatureAlgorithms ?? [])) changed('signature_algorithms');
  if (second.ext.serverName !== first.ext.serverName) changed('server_name');
  if (JSON.stringify(secondHello.alpn) !== JSON.stringify(firstHello.alpn)) changed('application_layer_protocol_negotiation');
  const code = NAMED_GROUP_CODEPOINT[group];
  const shares = second.ext.keyShare ?? [];
  if (shares.length !== 1 || shares[0]!.group !== code) {
    throw new TlsError('HrrKeyShareNotFixed', `the second ClientHello must carry exactly one key share, for group 0x${code.toString(16)}`);
  }
  if (!second.ext.cookie || !equalConstantTime(second.ext.cookie, cookie)) throw new TlsError('BadCookie', 'the second ClientHello does not echo our cookie');
}

/**
 * RFC 8446 §4.1.3–§4.4: ServerHello, [CCS], then under the server handshake traffic key
 * EncryptedExtensions, Certificate, CertificateVerify, Finished; switch to the application
 * traffic key for writing and the client handshake traffic key for reading.
 */
function sendServerFlight(
  ctx: StateContext,
  hello: Hello,
  neg: Negotiated,
  clientShare: Uint8Array,
  transcript: Transcript,
  flags: { helloRetry: boolean; ccsSent: boolean },
): ExpectFinished {
  const { config, io } = ctx;
  const { ch } = hello;
  const p = config.provider;
  const random = p.random(32, 'server_random');
  let shared: { serverShare: Uint8Array; sharedSecret: Uint8Array };
  try {
    shared = p.keyShare(neg.group, clientShare);
  } catch (e) {
    if (isCryptoError(e) && e.reason === 'InvalidPeerKey') throw new TlsError('InvalidKeyShare', e.message, { cause: e });
    throw e;
  }
  const sh = writeServerHello({
    random,
    legacySessionIdEcho: ch.legacySessionId,
    cipherSuite: neg.suite.code,
    extensions: [
      writeKeyShareServerHello({ group: NAMED_GROUP_CODEPOINT[neg.group], keyExchange: shared.serverShare }),
      writeSupportedVersionsServerHello(TLS13),
    ],
  });
  transcript.add(sh);
  io.setVersion('tls13');
  io.sendHandshake(sh);
  if (ch.legacySessionId.length > 0 && !flags.ccsSent) io.sendChangeCipherSpec();

  const ks = new KeySchedule13(p, neg.suite.hash);
  ks.inputSharedSecret(shared.sharedSecret);
  shared.sharedSecret.fill(0);
  const helloHash = transcript.current();
  const clientHs = ks.derive('c hs traffic', helloHash);
  const serverHs = ks.derive('s hs traffic', helloHash);
  emitSecret(io, 'CLIENT_HANDSHAKE_TRAFFIC_SECRET', ch.random, clientHs);
  emitSecret(io, 'SERVER_HANDSHAKE_TRAFFIC_SECRET', ch.random, serverHs);
  io.setWriteKeys(keysFor(p, neg.suite, serverHs));
  if (ch.ext.recordSizeLimit !== undefined) io.setRecordSizeLimits(ch.ext.recordSizeLimit, config.recordSizeLimit);

  // EncryptedExtensions (RFC 8446 §4.3.1).
  // Order as RFC 8448 shows it: supported_groups, record_size_limit, server_name.
  const ee: Extension[] = [];
  if (config.advertisedGroups) ee.push(writeSupportedGroups(config.advertisedGroups));
  if (ch.ext.recordSizeLimit !== undefined) ee.push(writeRecordSizeLimit(config.recordSizeLimit));
  // RFC 6066 §3: the server "SHALL include an extension of type "server_name"" with empty data.
  if (ch.ext.serverName !== undefined) ee.push(writeServerName());
  if (neg.alpn !== undefined) ee.push(writeAlpn([latin1(neg.alpn)]));
  sendAndHash(io, transcript, writeEncryptedExtensions(ee));

  // Certificate (RFC 8446 §4.4.2): empty certificate_request_context for the handshake.
  sendAndHash(io, transcript, writeCertificate13({ requestContext: EMPTY, entries: neg.cert.chain.map((certData) => ({ certData, extensions: [] })) }));

  // CertificateVerify (RFC 8446 §4.4.3).
  const content = certificateVerifyContent(true, transcript.current());
  const signature = p.sign(neg.cert.key, neg.scheme as Parameters<CryptoProvider['sign']>[1], content);
  sendAndHash(io, transcript, writeCertificateVerify({ algorithm: neg.scheme, signature }));

  // Finished (RFC 8446 §4.4.4).
  sendAndHash(io, transcript, writeFinished(ks.verifyData(serverHs, transcript.current())));

  // Application traffic secrets from the transcript through the server Finished (§7.1).
  ks.inputZeros();
  const serverFinishedHash = transcript.current();
  const clientAp = ks.derive('c ap traffic', serverFinishedHash);
  const serverAp = ks.derive('s ap traffic', serverFinishedHash);
  const exporter = ks.derive('exp master', serverFinishedHash);
  emitSecret(io, 'CLIENT_TRAFFIC_SECRET_0', ch.random, clientAp);
  emitSecret(io, 'SERVER_TRAFFIC_SECRET_0', ch.random, serverAp);
  emitSecret(io, 'EXPORTER_SECRET', ch.random, exporter);
  io.setWriteKeys(keysFor(p, neg.suite, serverAp));
  io.setReadKeys(keysFor(p, neg.suite, clientHs));

  const info: NegotiatedInfo = {
    version: TLS13,
    cipherSuite: neg.suite.code,
    group: neg.group,
    signatureScheme: neg.scheme,
    serverName: ch.ext.serverName,
    alpnProtocol: neg.alpn,
    helloRetry: flags.helloRetry,
    resumed: false,
    certificateIndex: neg.certIndex,
  };
  return new ExpectFinished(ctx, neg.suite, ks, transcript, clientHs, { clientAp, serverAp, exporter }, info, ch.random);
}

function sendAndHash(io: HandshakeIo, transcript: Transcript, raw: Uint8Array): void {
  transcript.add(raw);
  io.sendHandshake(raw);
}

function emitSecret(io: HandshakeIo, label: string, clientRandom: Uint8Array, secret: Uint8Array): void {
  io.emit({ type: 'secret', label, clientRandom, secret });
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
  ) {}

  handle(msg: HandshakeMessage): Tls13ServerState {
    expect(msg, HandshakeType.finished, this.kind);
    const verifyData = msg.body;
    const expected = this.ks.verifyData(this.clientHs, this.transcript.current());
    // RFC 8446 §4.4.4: "Recipients of Finished messages MUST verify that the contents are
    // correct and if incorrect MUST terminate the connection with a "decrypt_error" alert."
    if (!equalConstantTime(verifyData, expected)) throw new TlsError('BadFinished', 'client Finished verify_data is wrong');
    this.transcript.add(msg.raw);
    const resumptionMaster = this.ks.derive('res master', this.transcript.current());
    this.ks.clean();
    this.clientHs.fill(0);
    const p = this.ctx.config.provider;
    this.ctx.io.setReadKeys(keysFor(p, this.suite, this.secrets.clientAp));
    this.ctx.io.handshakeDone();
    this.ctx.io.emit({ type: 'handshakeComplete', info: this.info });
    return new Traffic13(this.ctx, this.suite, this.secrets.clientAp, this.secrets.serverAp, this.secrets.exporter, resumptionMaster, this.info, this.clientRandom);
  }
}

/** The handshake is done: KeyUpdate and (later) NewSessionTicket. Application data skips `handle`. */
export class Traffic13 {
  readonly kind = 'Traffic13';
  constructor(
    private readonly ctx: StateContext,
    readonly suite: SuiteInfo,
    private clientSecret: Uint8Array,
    private serverSecret: Uint8Array,
    /** exporter_master_secret (RFC 8446 §7.5). */
    readonly exporterMaster: Uint8Array,
    /** resumption_master_secret (RFC 8446 §7.1), for NewSessionTicket PSKs. */
    readonly resumptionMaster: Uint8Array,
    readonly info: NegotiatedInfo,
    readonly clientRandom: Uint8Array,
  ) {}

  handle(msg: HandshakeMessage): Tls13ServerState {
    if (msg.type !== HandshakeType.key_update) {
      // RFC 8446 §4: a ClientHello after the handshake (renegotiation) is unexpected in TLS 1.3.
      throw new TlsError('UnexpectedHandshakeMessage', `after the handshake: handshake type ${msg.type}`);
    }
    const requested = readKeyUpdate(msg.body).requestUpdate === 1;
    const p = this.ctx.config.provider;
    // RFC 8446 §4.6.3: the receiver updates its receiving keys …
    const next = nextTrafficSecret(p, this.suite.hash, this.clientSecret);
    this.clientSecret.fill(0);
    this.clientSecret = next;
    this.ctx.io.setReadKeys(keysFor(p, this.suite, next));
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
    this.serverSecret.fill(0);
    this.serverSecret = next;
    this.ctx.io.setWriteKeys(keysFor(p, this.suite, next));
  }

  /** Best-effort wipe of the secrets this state holds. */
  clean(): void {
    this.clientSecret.fill(0);
    this.serverSecret.fill(0);
    this.exporterMaster.fill(0);
    this.resumptionMaster.fill(0);
  }
}

const EMPTY = new Uint8Array(0);

function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function equalNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
