/**
 * A minimal sans-IO TLS 1.2 *client* for tests: ClientHellos with any extension set (including
 * broken ones), the full ECDHE handshake and the abbreviated one (session id or RFC 5077 ticket),
 * EMS, client authentication (a CertificateRequest answered with `clientAuth`, or with an empty
 * Certificate), and every step exposed so tests can inject faults between them. It checks the
 * server's ServerKeyExchange signature and Finished. Not a product: no certificate validation.
 */
import { NAMED_GROUP_CODEPOINT, equalConstantTime, parseCertificate, type CryptoProvider, type KeyExchangeKeyPair, type PublicKey, type SignatureScheme } from '@puretls/crypto';
import { RecordLayer, Writer, type RecordEvent } from '@puretls/record-layer';
import {
  Transcript,
  masterSecret12,
  readCertificate12,
  readCertificateRequest12,
  writeCertificate12,
  writeCertificateVerify,
  readNewSessionTicket12,
  readServerHello,
  readServerKeyExchange,
  readServerKeyExchangeEcdhePsk,
  ecdhePskPremaster,
  writeClientKeyExchangeEcdhePsk,
  serverKeyExchangeSignedContent,
  suiteByCode,
  trafficKeys12,
  verifyData12,
  writeClientKeyExchangeEcdhe,
  writeFinished,
  writeHandshake,
  type CertificateRequest12,
  type SuiteInfo,
  type Tls12Keys,
} from '@puretls/handshake-state-machine/internal';
import { schemeFor, type ClientAuthAnswer } from './tls13-client';

/** A session the client can resume: by id, or with a ticket. */
export interface ClientSession12 {
  readonly sessionId: Uint8Array;
  readonly masterSecret: Uint8Array;
  readonly suite: SuiteInfo;
  readonly extendedMasterSecret: boolean;
  readonly ticket: Uint8Array | undefined;
}

export interface ClientHello12Options {
  random?: Uint8Array;
  sessionId?: Uint8Array;
  legacyVersion?: number;
  cipherSuites?: number[];
  compression?: number[];
  /** supported_versions (absent by default, like a TLS 1.2-only client). */
  versions?: number[];
  groups?: number[] | null;
  pointFormats?: number[] | null;
  sigAlgs?: number[] | null;
  serverName?: string | null;
  alpn?: string[];
  recordSizeLimit?: number;
  /** extended_master_secret (default on). */
  ems?: boolean;
  /** renegotiation_info: `true` empty (default), a value, or `null` for none. */
  renegotiationInfo?: Uint8Array | true | null;
  /** Also send TLS_EMPTY_RENEGOTIATION_INFO_SCSV. */
  renegotiationScsv?: boolean;
  fallbackScsv?: boolean;
  /** session_ticket: `true` empty (asks for one), bytes, or absent. */
  sessionTicket?: Uint8Array | true;
  /** Resume this session (its id, or its ticket plus a fresh random id, RFC 5077 §3.4). */
  resume?: ClientSession12;
  extra?: { type: number; data: Uint8Array }[];
  noExtensions?: boolean;
}

/** All six TLS 1.2 suites we serve, ECDSA first. */
export const ALL_SUITES12 = [0xc02b, 0xc02c, 0xcca9, 0xc02f, 0xc030, 0xcca8];
const DEFAULT_SIG_ALGS = [0x0403, 0x0503, 0x0807, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501];

export class TestClient12 {
  readonly rl: RecordLayer;
  private ch: Uint8Array | undefined;
  private chRandom: Uint8Array = new Uint8Array(32);
  private offered: ClientHello12Options = {};
  suite: SuiteInfo | undefined;
  transcript: Transcript | undefined;
  serverRandom: Uint8Array | undefined;
  serverSessionId: Uint8Array | undefined;
  /** ServerHello extensions by type. */
  serverExtensions = new Map<number, Uint8Array>();
  /** Handshake messages received (raw). */
  readonly received: { type: number; raw: Uint8Array }[] = [];
  readonly alerts: { level: number; description: number }[] = [];
  readonly appData: Uint8Array[] = [];
  certificate: Uint8Array[] = [];
  serverPublicKey: PublicKey | undefined;
  ske: { group: number; point: Uint8Array; scheme: number; signatureOk: boolean } | undefined;
  keyPair: KeyExchangeKeyPair | undefined;
  masterSecret: Uint8Array | undefined;
  keys: Tls12Keys | undefined;
  /** Whether the server is resuming (ChangeCipherSpec right after ServerHello [+ NewSessionTicket]). */
  resumed = false;
  serverCcs = false;
  serverFinishedOk: boolean | undefined;
  /** A NewSessionTicket received (empty ticket: the server declined after all). */
  ticket: { lifetimeHint: number; ticket: Uint8Array } | undefined;
  ccsCount = 0;
  /** The server's CertificateRequest, when it sent one. */
  certificateRequest: CertificateRequest12 | undefined;
  /** The answer to a CertificateRequest (absent: an empty Certificate, RFC 5246 §7.4.6). */
  clientAuth: ClientAuthAnswer | undefined;
  /** ECDHE-PSK suites (RFC 5489): the identity sent in ClientKeyExchange and its key. */
  psk: { identity: Uint8Array; key: Uint8Array } | undefined;
  /** The psk_identity_hint of an ECDHE-PSK ServerKeyExchange. */
  pskHint: Uint8Array | undefined;

  constructor(readonly provider: CryptoProvider) {
    // A test client reads every warning a server sends (e.g. 16 no_renegotiation in a row).
    this.rl = new RecordLayer({ provider, maxWarningAlerts: 1000 });
  }

  get clientRandom(): Uint8Array {
    return this.chRandom;
  }

  /** The session after a completed handshake (what a client keeps for resumption). */
  get session(): ClientSession12 {
    return {
      sessionId: this.serverSessionId!.slice(),
      masterSecret: this.masterSecret!.slice(),
      suite: this.suite!,
      extendedMasterSecret: this.usesEms,
      ticket: this.ticket && this.ticket.ticket.length > 0 ? this.ticket.ticket : this.offered.resume?.ticket,
    };
  }

  get usesEms(): boolean {
    return this.serverExtensions.has(23);
  }

  /** Builds a ClientHello handshake message (raw, header included). */
  buildClientHello(o: ClientHello12Options = {}): Uint8Array {
    this.offered = o;
    this.chRandom = o.random ?? this.provider.random(32);
    const exts: { type: number; data: Uint8Array }[] = [];
    const add = (type: number, body: (w: Writer) => void) => {
      const w = new Writer();
      body(w);
      exts.push({ type, data: w.finish() });
    };
    if (o.serverName !== null) {
      const name = o.serverName ?? 'localhost';
      add(0, (w) => w.vec16((w) => w.u8(0).vec16((w) => w.bytes(new TextEncoder().encode(name)))));
    }
    const groups = o.groups === undefined ? [NAMED_GROUP_CODEPOINT.x25519, NAMED_GROUP_CODEPOINT.secp256r1, NAMED_GROUP_CODEPOINT.secp384r1] : o.groups;
    if (groups !== null) add(10, (w) => w.vec16((w) => groups.forEach((g) => w.u16(g))));
    const pf = o.pointFormats === undefined ? [0] : o.pointFormats;
    if (pf !== null) add(11, (w) => w.vec8((w) => pf.forEach((f) => w.u8(f))));
    if (o.sigAlgs !== null) add(13, (w) => w.vec16((w) => (o.sigAlgs ?? DEFAULT_SIG_ALGS).forEach((s) => w.u16(s))));
    if (o.alpn) add(16, (w) => w.vec16((w) => o.alpn!.forEach((a) => w.vec8((w) => w.bytes(new TextEncoder().encode(a))))));
    if (o.ems !== false) add(23, () => {});
    if (o.recordSizeLimit !== undefined) add(28, (w) => w.u16(o.recordSizeLimit!));
    const ticket = o.resume?.ticket ?? (o.sessionTicket === true ? new Uint8Array(0) : o.sessionTicket);
    if (ticket !== undefined) add(35, (w) => w.bytes(ticket));
    if (o.versions) add(43, (w) => w.vec8((w) => o.versions!.forEach((v) => w.u16(v))));
    const ri = o.renegotiationInfo === undefined ? true : o.renegotiationInfo;
    if (ri !== null) add(0xff01, (w) => w.vec8((w) => w.bytes(ri === true ? new Uint8Array(0) : ri)));
    for (const e of o.extra ?? []) exts.push(e);
    const suites = [...(o.cipherSuites ?? (o.resume ? [o.resume.suite.code] : ALL_SUITES12))];
    if (o.renegotiationScsv) suites.push(0x00ff);
    if (o.fallbackScsv) suites.push(0x5600);
    // RFC 5077 §3.4: a client resuming with a ticket MAY send a fresh session id to recognise the answer.
    const sessionId = o.sessionId ?? (o.resume ? (o.resume.ticket ? this.provider.random(32) : o.resume.sessionId) : new Uint8Array(0));
    this.offered = { ...o, sessionId };
    const msg = writeHandshake(1, (w) => {
      w.u16(o.legacyVersion ?? 0x0303).bytes(this.chRandom);
      w.vec8((w) => w.bytes(sessionId));
      w.vec16((w) => suites.forEach((c) => w.u16(c)));
      w.vec8((w) => (o.compression ?? [0]).forEach((c) => w.u8(c)));
      if (!o.noExtensions) w.vec16((w) => exts.forEach((e) => w.u16(e.type).vec16((w) => w.bytes(e.data))));
    });
    this.ch = msg;
    return msg;
  }

  /** Wraps a handshake message in a plaintext record. */
  static plaintextRecord(msg: Uint8Array, type = 22, version = 0x0301): Uint8Array {
    const out = new Uint8Array(5 + msg.length);
    out.set([type, version >> 8, version & 0xff, msg.length >> 8, msg.length & 0xff]);
    out.set(msg, 5);
    return out;
  }

  /** Processes the server's output. */
  receive(bytes: Uint8Array): void {
    this.rl.receive(bytes);
    for (let ev: RecordEvent | null = this.rl.next(); ev !== null; ev = this.rl.next()) {
      switch (ev.kind) {
        case 'alert':
          this.alerts.push({ level: ev.level, description: ev.description });
          continue;
        case 'applicationData':
          this.appData.push(ev.data.slice());
          continue;
        case 'changeCipherSpec':
          this.onServerCcs();
          continue;
        case 'handshake':
          this.received.push({ type: ev.type, raw: ev.raw.slice() });
          this.onHandshake(ev.type, ev.raw, ev.body);
      }
    }
  }

  private onHandshake(type: number, raw: Uint8Array, body: Uint8Array): void {
    switch (type) {
      case 2:
        this.onServerHello(body);
        break;
      case 11: {
        this.certificate = readCertificate12(body).entries.map((e) => e.certData.slice());
        this.serverPublicKey = parseCertificate(this.certificate[0]!).publicKey;
        break;
      }
      case 12: {
        if (this.suite?.auth === 'psk') {
          const ske = readServerKeyExchangeEcdhePsk(body);
          this.pskHint = ske.hint.slice();
          this.ske = { group: ske.namedCurve, point: ske.point.slice(), scheme: 0, signatureOk: true };
          break;
        }
        const ske = readServerKeyExchange(body);
        const content = serverKeyExchangeSignedContent(this.chRandom, this.serverRandom!, ske.params);
        const signatureOk = this.provider.verify(this.serverPublicKey!, ske.algorithm as SignatureScheme, content, ske.signature);
        this.ske = { group: ske.namedCurve, point: ske.point.slice(), scheme: ske.algorithm, signatureOk };
        break;
      }
      case 13:
        this.certificateRequest = readCertificateRequest12(body.slice());
        break;
      case 4: {
        const nst = readNewSessionTicket12(body);
        this.ticket = { lifetimeHint: nst.ticketLifetimeHint, ticket: nst.ticket.slice() };
        break;
      }
      case 20:
        this.serverFinishedOk = equalConstantTime(body, verifyData12(this.provider, this.suite!.hash, this.masterSecret!, 'server', this.transcript!.current()));
        break;
    }
    this.transcript?.add(raw);
  }

  private onServerHello(body: Uint8Array): void {
    const sh = readServerHello(body);
    this.serverRandom = sh.random.slice();
    this.serverSessionId = sh.legacySessionIdEcho.slice();
    this.serverExtensions = new Map(sh.extensions.map((e) => [e.type, e.data.slice()]));
    this.suite = suiteByCode(sh.cipherSuite);
    if (!this.suite) throw new Error(`server chose unknown suite ${sh.cipherSuite}`);
    // The messages are kept too: a CertificateVerify signs them (RFC 5246 §7.4.8).
    this.transcript = new Transcript(this.provider, this.suite.hash, true);
    this.transcript.add(this.ch!);
    this.rl.setVersion('tls12');
    const r = this.offered.resume;
    if (r && (r.ticket !== undefined || (sh.legacySessionIdEcho.length > 0 && equalConstantTime(sh.legacySessionIdEcho, r.sessionId)))) {
      // Tentatively resumed: confirmed by a CCS before any Certificate.
      this.masterSecret = r.masterSecret.slice();
      this.keys = trafficKeys12(this.provider, this.suite, this.masterSecret, this.chRandom, this.serverRandom);
    }
  }

  private onServerCcs(): void {
    this.ccsCount++;
    this.serverCcs = true;
    if (!this.masterSecret) throw new Error('server CCS before the keys exist');
    if (!this.received.some((m) => m.type === 11 || m.type === 12)) this.resumed = true;
    this.rl.setReadProtection(this.keys!.server);
  }

  /** The full handshake: our ephemeral key and the ClientKeyExchange message; derives the keys. */
  clientKeyExchange(opts: { point?: Uint8Array } = {}): Uint8Array {
    const group = groupName(this.ske!.group);
    this.keyPair = this.provider.generateKeyPair(group);
    const psk = this.suite!.auth === 'psk' ? this.psk : undefined;
    if (this.suite!.auth === 'psk' && !psk) throw new Error('an ECDHE-PSK suite without client.psk');
    const point = opts.point ?? this.keyPair.publicKey;
    const cke = psk ? writeClientKeyExchangeEcdhePsk(psk.identity, point) : writeClientKeyExchangeEcdhe(point);
    const z = this.keyPair.agree(this.ske!.point);
    const pms = psk ? ecdhePskPremaster(z, psk.key) : z;
    this.transcript!.add(cke);
    this.masterSecret = this.usesEms
      ? masterSecret12(this.provider, this.suite!.hash, pms, { extended: true, sessionHash: this.transcript!.current() })
      : masterSecret12(this.provider, this.suite!.hash, pms, { extended: false, clientRandom: this.chRandom, serverRandom: this.serverRandom! });
    this.keys = trafficKeys12(this.provider, this.suite!, this.masterSecret, this.chRandom, this.serverRandom!);
    return cke;
  }

  /**
   * Our second flight. Full handshake: ClientKeyExchange, ChangeCipherSpec, Finished. Abbreviated:
   * ChangeCipherSpec, Finished. Options break it for negative tests.
   */
  finish(opts: { corruptFinished?: boolean; omitCcs?: boolean; point?: Uint8Array; finishedBody?: Uint8Array } = {}): Uint8Array {
    if (!this.resumed) {
      // RFC 5246 §7.4.6: a requested Certificate (maybe empty) first; §7.4.8 its CertificateVerify after the ClientKeyExchange.
      const auth = this.certificateRequest ? (this.clientAuth ?? { chain: [] }) : undefined;
      if (auth) {
        const certificate = writeCertificate12(auth.chain);
        this.rl.writeHandshake(certificate);
        this.transcript!.add(certificate);
      }
      const cke = this.clientKeyExchange(opts.point ? { point: opts.point } : {});
      this.rl.writeHandshake(cke);
      if (auth && auth.chain.length > 0 && auth.key && !auth.omitCertificateVerify) {
        const scheme = auth.scheme ?? schemeFor(auth.key, this.certificateRequest!.signatureAlgorithms);
        if (scheme === undefined) throw new Error('the client key can make none of the requested signature schemes');
        const content = this.transcript!.messages();
        const signature = auth.signature ? auth.signature.slice() : auth.sign ? auth.sign(content) : this.provider.sign(auth.key, scheme as SignatureScheme, content);
        if (auth.corruptSignature) signature[signature.length - 1]! ^= 1;
        const cv = writeCertificateVerify({ algorithm: scheme, signature });
        this.rl.writeHandshake(cv);
        this.transcript!.add(cv);
      }
    }
    const vd = verifyData12(this.provider, this.suite!.hash, this.masterSecret!, 'client', this.transcript!.current());
    if (opts.corruptFinished) vd[0]! ^= 1;
    const fin = writeFinished(opts.finishedBody ?? vd);
    if (!opts.omitCcs) this.rl.writeChangeCipherSpec();
    this.rl.setWriteProtection(this.keys!.client);
    this.rl.writeHandshake(fin);
    this.transcript!.add(fin);
    return this.rl.takeOutput();
  }

  /** Encrypts a handshake message under the current write key. */
  sendHandshake(raw: Uint8Array): Uint8Array {
    this.rl.writeHandshake(raw);
    return this.rl.takeOutput();
  }

  sendApplicationData(data: Uint8Array): Uint8Array {
    this.rl.writeApplicationData(data);
    return this.rl.takeOutput();
  }

  sendChangeCipherSpec(): Uint8Array {
    this.rl.writeChangeCipherSpec();
    return this.rl.takeOutput();
  }

  sendAlert(description: number, level = 2): Uint8Array {
    this.rl.writeAlert(description, level as 1 | 2);
    return this.rl.takeOutput();
  }
}

function groupName(code: number): KeyExchangeKeyPair['group'] {
  const e = Object.entries(NAMED_GROUP_CODEPOINT).find(([, c]) => c === code);
  if (!e || e[0] === 'X25519MLKEM768') throw new Error(`server chose group ${code}`);
  return e[0] as KeyExchangeKeyPair['group'];
}
