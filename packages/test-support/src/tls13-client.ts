/**
 * A minimal sans-IO TLS 1.3 *client* for tests and benchmarks: it builds ClientHellos with any
 * extension set (including broken ones), drives a server through a full handshake in memory, and
 * exposes every step so tests can inject faults between them. It resumes with tickets it
 * received (PSK binders, psk_ke / psk_dhe_ke, 0-RTT with EndOfEarlyData), and answers a
 * CertificateRequest (client authentication, RFC 8446 §4.4.2–§4.4.3) with `clientAuth`, or with
 * an empty Certificate as a client without one does. Not a product: no certificate validation.
 */
import {
  NAMED_GROUP_CODEPOINT,
  concatBytes,
  equalConstantTime,
  keyCanUseScheme,
  type CryptoProvider,
  type NamedGroup,
  type PrivateKey,
  type SignatureScheme,
} from '@puretls/crypto';
import { x25519MlKem768ClientKeyPair } from '@puretls/crypto/testing';
import { RecordLayer, Writer, type RecordEvent } from '@puretls/record-layer';
import {
  HELLO_RETRY_REQUEST_RANDOM,
  KeySchedule13,
  Transcript,
  ExtensionType,
  certificateVerifyContent,
  computeBinder,
  findExtension,
  keysFor,
  readCertificateRequest13,
  readSignatureSchemeList,
  writeCertificate13,
  writeCertificateVerify,
  readNewSessionTicket13,
  resumptionPsk,
  suiteByCode,
  writeEndOfEarlyData,
  writeFinished,
  writeHandshake,
  type CertificateRequest13,
  type Extension,
  type SuiteInfo,
} from '@puretls/handshake-state-machine/internal';

/** How the client answers a CertificateRequest (every field can break it for negative tests). */
export interface ClientAuthAnswer {
  /** DER certificates, leaf first; `[]` sends an empty Certificate. */
  readonly chain: readonly Uint8Array[];
  /** Signs the CertificateVerify (omitted: none is sent, as with `omitCertificateVerify`). */
  readonly key?: PrivateKey;
  /** The CertificateVerify scheme. Default: the first of the request's signature_algorithms the key can make. */
  readonly scheme?: number;
  readonly omitCertificateVerify?: boolean;
  /** Flip a bit of the signature. */
  readonly corruptSignature?: boolean;
  /** Send these bytes as the signature instead of signing (with any `scheme`, even one the key cannot make). */
  readonly signature?: Uint8Array;
  /** Signs the CertificateVerify content instead of the provider (e.g. a hash and curve the provider does not pair). */
  readonly sign?: (content: Uint8Array) => Uint8Array;
  /** certificate_request_context to send (default: the request's). */
  readonly requestContext?: Uint8Array;
  /** Extensions for the leaf's CertificateEntry. */
  readonly leafExtensions?: readonly Extension[];
}

/** The signature scheme `key` answers a list of schemes with: the first it can make, or `undefined`. */
export function schemeFor(key: PrivateKey, schemes: readonly number[]): number | undefined {
  return schemes.find((s) => keyCanUseScheme(key, s));
}

/** A ticket the client received, with what it needs to resume. */
export interface ClientTicket {
  readonly ticket: Uint8Array;
  readonly psk: Uint8Array;
  readonly suite: SuiteInfo;
  readonly ticketAgeAdd: number;
  readonly lifetime: number;
  readonly maxEarlyData: number;
  readonly nonce: Uint8Array;
  /** An external PSK (identity `ticket`, key `psk`): its binder uses the "ext binder" label (RFC 8446 §7.1). */
  readonly external?: boolean;
}

export interface ClientHelloOptions {
  random?: Uint8Array;
  sessionId?: Uint8Array;
  legacyVersion?: number;
  cipherSuites?: number[];
  compression?: number[];
  versions?: number[] | null;
  groups?: number[] | null;
  /** Groups to send key shares for (generated). Default: the first group. */
  shareGroups?: NamedGroup[];
  /** Raw key share entries instead of generated ones. */
  rawShares?: { group: number; keyExchange: Uint8Array }[];
  sigAlgs?: number[] | null;
  serverName?: string | null;
  alpn?: string[] | null;
  cookie?: Uint8Array;
  recordSizeLimit?: number;
  /** Extra extensions, appended in order (before pre_shared_key if any). */
  extra?: { type: number; data: Uint8Array }[];
  /** Replace the whole extension list with this (raw). */
  rawExtensions?: { type: number; data: Uint8Array }[];
  /** Omit the extensions block entirely. */
  noExtensions?: boolean;
  /** psk_key_exchange_modes to offer (default [psk_dhe_ke]). */
  pskModes?: number[];
  /** Resume with these tickets (pre_shared_key, last extension, binders computed). */
  resume?: { tickets: ClientTicket[]; ageMs?: number; corruptBinder?: boolean; earlyData?: Uint8Array };
}

const DEFAULT_SIG_ALGS = [0x0403, 0x0503, 0x0807, 0x0804, 0x0805, 0x0806];

export class TestClient13 {
  readonly rl: RecordLayer;
  /** Per offered group: how to turn the server's share into the shared secret. */
  readonly keyPairs = new Map<number, { agree(serverShare: Uint8Array): Uint8Array }>();
  private ch: Uint8Array | undefined;
  private chRandom: Uint8Array = new Uint8Array(32);
  suite: SuiteInfo | undefined;
  transcript: Transcript | undefined;
  ks: KeySchedule13 | undefined;
  serverHsSecret: Uint8Array | undefined;
  clientHsSecret: Uint8Array | undefined;
  clientApSecret: Uint8Array | undefined;
  serverApSecret: Uint8Array | undefined;
  /** Handshake messages received from the server, in order (raw). */
  readonly received: { type: number; raw: Uint8Array }[] = [];
  readonly alerts: number[] = [];
  readonly appData: Uint8Array[] = [];
  helloRetry: { group: number; cookie?: Uint8Array } | undefined;
  /** Tickets offered in the last ClientHello (index = identity). */
  offered: ClientTicket[] = [];
  /** The PSK identity the server selected, when it resumed. */
  selectedIdentity: number | undefined;
  /** Tickets received after the handshake (NewSessionTicket). */
  readonly tickets: ClientTicket[] = [];
  /** Whether the server accepted 0-RTT (early_data in EncryptedExtensions). */
  earlyDataAccepted = false;
  /** The server's CertificateRequest, when it sent one. */
  certificateRequest: CertificateRequest13 | undefined;
  /** The answer to a CertificateRequest (absent: an empty Certificate, as a client without one). */
  clientAuth: ClientAuthAnswer | undefined;
  private resumptionMaster: Uint8Array | undefined;

  constructor(readonly provider: CryptoProvider) {
    this.rl = new RecordLayer({ provider });
  }

  /** The random of the last ClientHello built (a second ClientHello after HRR must reuse it). */
  get clientRandom(): Uint8Array {
    return this.chRandom;
  }

  /** Builds a ClientHello handshake message (raw, header included). */
  buildClientHello(o: ClientHelloOptions = {}): Uint8Array {
    const p = this.provider;
    this.chRandom = o.random ?? p.random(32);
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
    if (o.sigAlgs !== null) add(13, (w) => w.vec16((w) => (o.sigAlgs ?? DEFAULT_SIG_ALGS).forEach((s) => w.u16(s))));
    if (o.alpn) add(16, (w) => w.vec16((w) => o.alpn!.forEach((a) => w.vec8((w) => w.bytes(new TextEncoder().encode(a))))));
    if (o.recordSizeLimit !== undefined) add(28, (w) => w.u16(o.recordSizeLimit!));
    if (o.versions !== null) add(43, (w) => w.vec8((w) => (o.versions ?? [0x0304]).forEach((v) => w.u16(v))));
    if (o.cookie) add(44, (w) => w.vec16((w) => w.bytes(o.cookie!)));
    add(45, (w) => w.vec8((w) => (o.pskModes ?? [1]).forEach((m) => w.u8(m))));
    if (groups !== null || o.rawShares) {
      const shares =
        o.rawShares ??
        (o.shareGroups ?? ['x25519']).map((g) => {
          const kp = this.generate(g);
          return { group: NAMED_GROUP_CODEPOINT[g], keyExchange: kp };
        });
      add(51, (w) => w.vec16((w) => shares.forEach((s) => w.u16(s.group).vec16((w) => w.bytes(s.keyExchange)))));
    }
    for (const e of o.extra ?? []) exts.push(e);
    const resume = o.resume;
    if (resume?.earlyData) add(42, () => {});
    let bindersAt = -1;
    if (resume) {
      // RFC 8446 §4.2.11: pre_shared_key last; binders of HashLen bytes, patched after hashing.
      add(41, (w) => {
        w.vec16((w) => resume.tickets.forEach((t) => w.vec16((w) => w.bytes(t.ticket)).u32((((resume.ageMs ?? 1000) + t.ticketAgeAdd) >>> 0))));
        w.vec16((w) => resume.tickets.forEach((t) => w.vec8((w) => w.bytes(new Uint8Array(t.suite.hash === 'sha384' ? 48 : 32)))));
      });
      this.offered = resume.tickets;
    }
    const list = o.rawExtensions ?? exts;
    const msg = writeHandshake(1, (w) => {
      w.u16(o.legacyVersion ?? 0x0303).bytes(this.chRandom);
      w.vec8((w) => w.bytes(o.sessionId ?? new Uint8Array(0)));
      w.vec16((w) => (o.cipherSuites ?? [0x1301, 0x1302, 0x1303]).forEach((c) => w.u16(c)));
      w.vec8((w) => (o.compression ?? [0]).forEach((c) => w.u8(c)));
      if (!o.noExtensions) w.vec16((w) => list.forEach((e) => w.u16(e.type).vec16((w) => w.bytes(e.data))));
    });
    if (resume && !o.rawExtensions) {
      const bindersLen = resume.tickets.reduce((n, t) => n + 1 + (t.suite.hash === 'sha384' ? 48 : 32), 2);
      bindersAt = msg.length - bindersLen;
      const truncated = msg.subarray(0, bindersAt);
      let o2 = bindersAt + 2;
      for (const t of resume.tickets) {
        const hash = this.helloRetry && this.transcript ? this.transcript.hashWith(truncated) : this.provider.hash(t.suite.hash, truncated);
        const binder = computeBinder(this.provider, t.suite.hash, t.psk, hash, t.external ?? false);
        if (resume.corruptBinder) binder[0]! ^= 1;
        msg.set(binder, o2 + 1);
        o2 += 1 + binder.length;
      }
    }
    this.ch = msg;
    // After a HelloRetryRequest the second ClientHello extends the running transcript.
    if (this.helloRetry && this.transcript) this.transcript.add(msg);
    return msg;
  }

  private generate(g: NamedGroup): Uint8Array {
    if (g === 'X25519MLKEM768') {
      const kp = x25519MlKem768ClientKeyPair(this.provider);
      this.keyPairs.set(NAMED_GROUP_CODEPOINT[g], { agree: (share) => kp.decapsulate(share) });
      return kp.share;
    }
    const kp = this.provider.generateKeyPair(g);
    this.keyPairs.set(NAMED_GROUP_CODEPOINT[g], kp);
    return kp.publicKey;
  }

  /** Wraps a handshake message in a plaintext record (what a client sends first). */
  static plaintextRecord(msg: Uint8Array, type = 22, version = 0x0301): Uint8Array {
    const out = new Uint8Array(5 + msg.length);
    out.set([type, version >> 8, version & 0xff, msg.length >> 8, msg.length & 0xff]);
    out.set(msg, 5);
    return out;
  }

  /**
   * Processes the server's output. Handles ServerHello / HRR (plaintext), then the encrypted
   * flight. Returns when the bytes are consumed. Alerts are collected in `alerts`.
   */
  receive(bytes: Uint8Array): void {
    this.rl.receive(bytes);
    for (let ev: RecordEvent | null = this.rl.next(); ev !== null; ev = this.rl.next()) {
      if (ev.kind === 'alert') {
        this.alerts.push(ev.description);
        continue;
      }
      if (ev.kind === 'applicationData') {
        this.appData.push(ev.data.slice());
        continue;
      }
      if (ev.kind !== 'handshake') continue;
      this.received.push({ type: ev.type, raw: ev.raw.slice() });
      if (ev.type === 2) this.onServerHello(ev.raw);
      else if (ev.type === 20) this.onServerFinished(ev.raw, ev.body);
      else if (ev.type === 4) this.onNewSessionTicket(ev.body);
      else {
        if (ev.type === 8) this.earlyDataAccepted = hasExtension(ev.body.subarray(2), 42);
        if (ev.type === 13) this.certificateRequest = readCertificateRequest13(ev.body.slice());
        this.transcript?.add(ev.raw);
      }
    }
  }

  private onServerHello(raw: Uint8Array): void {
    const body = raw.subarray(4);
    const random = body.subarray(2, 34);
    const sidLen = body[34]!;
    let o = 35 + sidLen;
    const suiteCode = (body[o]! << 8) | body[o + 1]!;
    o += 3;
    const extLen = (body[o]! << 8) | body[o + 1]!;
    o += 2;
    const exts = new Map<number, Uint8Array>();
    for (const end = o + extLen; o < end; ) {
      const t = (body[o]! << 8) | body[o + 1]!;
      const l = (body[o + 2]! << 8) | body[o + 3]!;
      exts.set(t, body.subarray(o + 4, o + 4 + l));
      o += 4 + l;
    }
    this.suite = suiteByCode(suiteCode);
    if (!this.suite) throw new Error(`server chose unknown suite ${suiteCode}`);
    const isHrr = equalConstantTime(random, HELLO_RETRY_REQUEST_RANDOM);
    if (!this.transcript) {
      this.transcript = new Transcript(this.provider, this.suite.hash);
      this.transcript.add(this.ch!);
    }
    if (isHrr) {
      const ks = exts.get(51)!;
      const cookie = exts.get(44);
      this.helloRetry = { group: (ks[0]! << 8) | ks[1]!, ...(cookie ? { cookie: cookie.slice(2) } : {}) };
      this.transcript.replaceWithMessageHash();
      this.transcript.add(raw);
      this.rl.setVersion('tls13');
      return;
    }
    this.transcript.add(raw);
    this.rl.setVersion('tls13');
    const psk = exts.get(41);
    this.selectedIdentity = psk ? (psk[0]! << 8) | psk[1]! : undefined;
    const chosen = this.selectedIdentity !== undefined ? this.offered[this.selectedIdentity] : undefined;
    if (this.selectedIdentity !== undefined && !chosen) throw new Error(`server selected identity ${this.selectedIdentity}, we offered ${this.offered.length}`);
    this.ks = new KeySchedule13(this.provider, this.suite.hash, chosen?.psk);
    const ks = exts.get(51);
    if (ks) {
      const group = (ks[0]! << 8) | ks[1]!;
      const share = ks.subarray(4);
      const kp = this.keyPairs.get(group);
      if (!kp) throw new Error(`server chose group ${group} without our share`);
      this.ks.inputSharedSecret(kp.agree(share));
    } else {
      this.ks.inputSharedSecret(undefined); // psk_ke
    }
    const h = this.transcript.current();
    this.clientHsSecret = this.ks.derive('c hs traffic', h);
    this.serverHsSecret = this.ks.derive('s hs traffic', h);
    this.rl.setReadProtection(keysFor(this.provider, this.suite, this.serverHsSecret));
  }

  /**
   * 0-RTT: the early data record(s) under client_early_traffic_secret (RFC 8446 §4.2.10), to send
   * right after the ClientHello. The key is derived from the first offered ticket.
   */
  earlyDataRecords(data: Uint8Array): Uint8Array {
    const t = this.offered[0]!;
    const ks = new KeySchedule13(this.provider, t.suite.hash, t.psk);
    const secret = ks.derive('c e traffic', this.provider.hash(t.suite.hash, this.ch!));
    this.earlyWriter = new RecordLayer({ provider: this.provider });
    this.earlyWriter.setVersion('tls13');
    this.earlyWriter.setWriteProtection(keysFor(this.provider, t.suite, secret));
    this.earlyWriter.writeApplicationData(data);
    return this.earlyWriter.takeOutput();
  }
  private earlyWriter: RecordLayer | undefined;

  /** Set when the server's Finished verified. */
  serverFinishedOk: boolean | undefined;
  private pendingFinished: Uint8Array | undefined;

  private onServerFinished(raw: Uint8Array, body: Uint8Array): void {
    const t = this.transcript!;
    const ks = this.ks!;
    this.serverFinishedOk = equalConstantTime(body, ks.verifyData(this.serverHsSecret!, t.current()));
    t.add(raw);
    ks.inputZeros();
    const h = t.current();
    this.clientApSecret = ks.derive('c ap traffic', h);
    this.serverApSecret = ks.derive('s ap traffic', h);
    this.pendingFinished = writeFinished(ks.verifyData(this.clientHsSecret!, h));
    this.rl.setReadProtection(keysFor(this.provider, this.suite!, this.serverApSecret));
  }

  /**
   * Bytes of the client's second flight: [EndOfEarlyData under the early key,] Finished under the
   * client handshake key, then switch to application keys.
   */
  finish(opts: { corruptFinished?: boolean } = {}): Uint8Array {
    if (!this.pendingFinished) throw new Error('no server Finished yet');
    const parts: Uint8Array[] = [];
    if (this.earlyDataAccepted && this.earlyWriter) {
      // RFC 8446 §4.5: EndOfEarlyData, under the early key, before the Finished; in the transcript.
      const eoed = writeEndOfEarlyData();
      this.earlyWriter.writeHandshake(eoed);
      parts.push(this.earlyWriter.takeOutput());
      this.transcript!.add(eoed);
      const h = this.transcript!.current();
      this.pendingFinished = writeFinished(this.ks!.verifyData(this.clientHsSecret!, h));
    }
    this.rl.setWriteProtection(keysFor(this.provider, this.suite!, this.clientHsSecret!));
    if (this.certificateRequest) {
      // RFC 8446 §4.4.2–§4.4.3: Certificate, [CertificateVerify], then the Finished over them.
      for (const m of this.authenticationMessages(this.certificateRequest)) {
        this.rl.writeHandshake(m);
        this.transcript!.add(m);
      }
      this.pendingFinished = writeFinished(this.ks!.verifyData(this.clientHsSecret!, this.transcript!.current()));
    }
    const fin = new Uint8Array(this.pendingFinished);
    if (opts.corruptFinished) fin[fin.length - 1]! ^= 1;
    this.rl.writeHandshake(fin);
    this.transcript!.add(fin);
    this.resumptionMaster = this.ks!.derive('res master', this.transcript!.current());
    this.rl.setWriteProtection(keysFor(this.provider, this.suite!, this.clientApSecret!));
    parts.push(this.rl.takeOutput());
    return concatBytes(...parts);
  }

  /** The client's Certificate and CertificateVerify for `cr`, as `clientAuth` says. */
  private authenticationMessages(cr: CertificateRequest13): Uint8Array[] {
    const a = this.clientAuth ?? { chain: [] };
    const certificate = writeCertificate13({
      requestContext: a.requestContext ?? cr.requestContext,
      entries: a.chain.map((certData, i) => ({ certData, extensions: i === 0 ? [...(a.leafExtensions ?? [])] : [] })),
    });
    if (a.chain.length === 0 || !a.key || a.omitCertificateVerify) return [certificate];
    const offered = readSignatureSchemeList(findExtension(cr.extensions, ExtensionType.signature_algorithms)!.data);
    const scheme = a.scheme ?? schemeFor(a.key, offered);
    if (scheme === undefined) throw new Error('the client key can make none of the requested signature schemes');
    const content = certificateVerifyContent(false, this.transcript!.hashWith(certificate));
    const signature = a.signature ? a.signature.slice() : a.sign ? a.sign(content) : this.provider.sign(a.key, scheme as SignatureScheme, content);
    if (a.corruptSignature) signature[signature.length - 1]! ^= 1;
    return [certificate, writeCertificateVerify({ algorithm: scheme, signature })];
  }

  private onNewSessionTicket(body: Uint8Array): void {
    const nst = readNewSessionTicket13(body);
    const ed = nst.extensions.find((e) => e.type === 42);
    this.tickets.push({
      ticket: new Uint8Array(nst.ticket),
      psk: resumptionPsk(this.provider, this.suite!.hash, this.resumptionMaster!, nst.ticketNonce),
      suite: this.suite!,
      ticketAgeAdd: nst.ticketAgeAdd,
      lifetime: nst.ticketLifetime,
      maxEarlyData: ed ? new DataView(ed.data.buffer, ed.data.byteOffset, 4).getUint32(0) : 0,
      nonce: new Uint8Array(nst.ticketNonce),
    });
  }

  /** Encrypts a handshake message under the current write key (after `finish`, the application key). */
  sendHandshake(raw: Uint8Array): Uint8Array {
    this.rl.writeHandshake(raw);
    return this.rl.takeOutput();
  }

  sendApplicationData(data: Uint8Array): Uint8Array {
    this.rl.writeApplicationData(data);
    return this.rl.takeOutput();
  }

  sendAlert(description: number, level = 2): Uint8Array {
    this.rl.writeAlert(description, level as 1 | 2);
    return this.rl.takeOutput();
  }

  /** Switches the client's write key to the client handshake key (to send broken handshake messages). */
  useHandshakeWriteKey(): void {
    this.rl.setWriteProtection(keysFor(this.provider, this.suite!, this.clientHsSecret!));
  }
}

/** Whether an extension list (`<0..2^16-1>` with its length prefix) contains `type`. */
function hasExtension(list: Uint8Array, type: number): boolean {
  for (let o = 0; o + 4 <= list.length; ) {
    const t = (list[o]! << 8) | list[o + 1]!;
    const l = (list[o + 2]! << 8) | list[o + 3]!;
    if (t === type) return true;
    o += 4 + l;
  }
  return false;
}
