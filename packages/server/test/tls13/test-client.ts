/**
 * A minimal sans-IO TLS 1.3 *client* for tests and benchmarks: it builds ClientHellos with any
 * extension set (including broken ones), drives a server through a full handshake in memory, and
 * exposes every step so tests can inject faults between them. Not a product: no certificate
 * validation, no PSK.
 */
import { NAMED_GROUP_CODEPOINT, equalConstantTime, x25519MlKem768ClientKeyPair, type CryptoProvider, type NamedGroup } from '@puretls/crypto';
import { RecordLayer, Writer, type RecordEvent } from '@puretls/record-layer';
import { HELLO_RETRY_REQUEST_RANDOM, KeySchedule13, Transcript, keysFor, suiteByCode, writeFinished, writeHandshake, type SuiteInfo } from '@puretls/handshake-state-machine';

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
    add(45, (w) => w.vec8((w) => w.u8(1)));
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
    const list = o.rawExtensions ?? exts;
    const msg = writeHandshake(1, (w) => {
      w.u16(o.legacyVersion ?? 0x0303).bytes(this.chRandom);
      w.vec8((w) => w.bytes(o.sessionId ?? new Uint8Array(0)));
      w.vec16((w) => (o.cipherSuites ?? [0x1301, 0x1302, 0x1303]).forEach((c) => w.u16(c)));
      w.vec8((w) => (o.compression ?? [0]).forEach((c) => w.u8(c)));
      if (!o.noExtensions) w.vec16((w) => list.forEach((e) => w.u16(e.type).vec16((w) => w.bytes(e.data))));
    });
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
      else this.transcript?.add(ev.raw);
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
    const ks = exts.get(51)!;
    const group = (ks[0]! << 8) | ks[1]!;
    const share = ks.subarray(4);
    const kp = this.keyPairs.get(group);
    if (!kp) throw new Error(`server chose group ${group} without our share`);
    this.ks = new KeySchedule13(this.provider, this.suite.hash);
    this.ks.inputSharedSecret(kp.agree(share));
    const h = this.transcript.current();
    this.clientHsSecret = this.ks.derive('c hs traffic', h);
    this.serverHsSecret = this.ks.derive('s hs traffic', h);
    this.rl.setReadProtection(keysFor(this.provider, this.suite, this.serverHsSecret));
  }

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

  /** Bytes of the client's second flight: Finished under the client handshake key, then switch to application keys. */
  finish(opts: { corruptFinished?: boolean } = {}): Uint8Array {
    if (!this.pendingFinished) throw new Error('no server Finished yet');
    const fin = this.pendingFinished.slice();
    if (opts.corruptFinished) fin[fin.length - 1]! ^= 1;
    this.rl.setWriteProtection(keysFor(this.provider, this.suite!, this.clientHsSecret!));
    this.rl.writeHandshake(fin);
    this.transcript!.add(fin);
    this.rl.setWriteProtection(keysFor(this.provider, this.suite!, this.clientApSecret!));
    return this.rl.takeOutput();
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
