/**
 * Drives a real `ServerConnection` into each handshake state of TLS 1.3 and TLS 1.2 with the repo's
 * test clients, then lets a test inject records the way a client in that state would send them:
 * in clear while no key is in use, sealed under the client's current write key otherwise.
 *
 * Everything is deterministic (seeded randomness, a fixed clock, a fixed certificate), so the same
 * state is reached byte for byte every time: the state matrix and the fuzz targets replay exactly,
 * and the valid next message of each state can be captured once and mutated.
 */
import {
  NAMED_GROUP_CODEPOINT,
  concatBytes,
  createNobleProvider,
  createSelfSignedCertificate,
  generateEcdsaP256Key,
  privateKeyToPem,
  type CryptoProvider,
} from '@puretls/crypto';
import { ContentType, MAX_PLAINTEXT, createEncrypter, type RecordEncrypter, type TlsError, type TrafficKeys } from '@puretls/record-layer';
import { HELLO_RETRY_REQUEST_RANDOM, HandshakeType, KeySchedule13, keysFor, verifyData12, writeClientKeyExchangeEcdhe, writeFinished } from '@puretls/handshake-state-machine/internal';
import { ServerConnection, ServerContext, type ServerContextOptions } from '../../src/index';
import { TestClient13, type ClientTicket } from '@puretls/test-support/tls13-client';
import { TestClient12, type ClientSession12 } from '@puretls/test-support/tls12-client';
import { SeededRandom } from './seeded-random';

/** A fixed clock (ms): tickets are issued and redeemed at the same instant. */
export const FIXED_NOW = 1_780_000_000_000;

let certificate: { cert: string; key: string } | undefined;
/** A deterministic ECDSA P-256 certificate for `localhost`. */
export function fixedCertificate(): { cert: string; key: string } {
  if (!certificate) {
    const p = createNobleProvider({ random: new SeededRandom(0xce57) });
    const key = generateEcdsaP256Key(p);
    const pem = createSelfSignedCertificate(p, {
      key,
      commonName: 'localhost',
      dnsNames: ['localhost'],
      notBefore: new Date(FIXED_NOW - 3_600_000),
      serialNumber: Uint8Array.of(1),
    }).pem;
    certificate = { cert: pem, key: privateKeyToPem(key) };
  }
  return certificate;
}

/** Which server configuration a connection runs under. */
export type Profile = 'default' | 'tls13' | 'tls12' | 'early';

/** A fresh, deterministic server context for `profile` (seed picks the server's randomness). */
export function fuzzContext(profile: Profile, seed = 1): ServerContext {
  const base: ServerContextOptions = {
    certificates: [fixedCertificate()],
    crypto: createNobleProvider({ random: new SeededRandom(seed) }),
    now: () => FIXED_NOW,
  };
  switch (profile) {
    case 'default':
      return new ServerContext(base);
    case 'tls13':
      return new ServerContext({ ...base, minVersion: 'TLSv1.3' });
    case 'tls12':
      return new ServerContext({ ...base, maxVersion: 'TLSv1.2' });
    case 'early':
      return new ServerContext({ ...base, tickets: 'stateful', maxEarlyData: 1024 });
  }
}

/** Every server state the matrix covers. */
export const STATES = [
  'tls13/ExpectClientHello',
  'tls13/ExpectClientHello2',
  'tls13/ExpectEndOfEarlyData',
  'tls13/ExpectFinished',
  'tls13/Traffic13',
  'tls12/ExpectClientHello',
  'tls12/ExpectClientKeyExchange',
  'tls12/ExpectChangeCipherSpec12',
  'tls12/ExpectChangeCipherSpec12-resumed',
  'tls12/ExpectFinished12',
  'tls12/ExpectFinished12-resumed',
  'tls12/Traffic12',
] as const;
export type StateId = (typeof STATES)[number];

/** The state each `StateId` names (the handshake state's name in RFC terms: `ExpectFinished12`, …). */
export function stateKind(id: StateId): string {
  return id.slice(id.indexOf('/') + 1).replace('-resumed', '');
}

/** A server connection driven into a state, with what a client there can send. */
export interface Driven {
  readonly id: StateId;
  readonly conn: ServerConnection;
  /** Errors the server reported (the `error` event). */
  readonly errors: TlsError[];
  /** Alert descriptions the client decoded from the server's output (after `send`). */
  readonly alerts: () => { level: number; description: number }[];
  /** Application data the server delivered (`data` and, in 0-RTT, `earlyData` events). */
  readonly data: Uint8Array[];
  /**
   * The server's handshake state as the wire shows it (see {@link Progress}): what the server sent
   * and what was sent to it, and the connection's public `phase` and `info`.
   */
  readonly kind: () => string;
  /** A record of `type` carrying `content` as the client in this state sends it (sealed when keyed; split at 2^14). */
  readonly record: (type: number, content: Uint8Array) => Uint8Array;
  /** Feeds bytes to the server and its answer back to the client (which decodes its alerts). */
  readonly send: (bytes: Uint8Array) => void;
  /** The valid next handshake message(s) of the client in this state (raw, header included), for seeding mutations. */
  readonly validNext: Uint8Array[];
}

/** One plaintext record (no length check: tests may build oversized ones). */
export function plainRecord(type: number, content: Uint8Array, version = 0x0303): Uint8Array {
  const out = new Uint8Array(5 + content.length);
  out.set([type, version >> 8, version & 0xff, (content.length >> 8) & 0xff, content.length & 0xff]);
  out.set(content, 5);
  return out;
}

/** A sealing key of the client: an encrypter whose sequence number continues where the client left it. */
class Sealer {
  private readonly enc: RecordEncrypter;
  constructor(provider: CryptoProvider, keys: TrafficKeys, recordsAlreadySent: number) {
    this.enc = createEncrypter(provider, keys);
    const scratch = new Uint8Array(this.enc.recordLength(1, 0));
    for (let i = 0; i < recordsAlreadySent; i++) this.enc.sealInto(ContentType.application_data, Uint8Array.of(0), 0, scratch, 0);
  }
  seal(type: number, content: Uint8Array): Uint8Array {
    const parts: Uint8Array[] = [];
    for (let o = 0; o === 0 || o < content.length; o += MAX_PLAINTEXT) {
      const piece = content.subarray(o, o + MAX_PLAINTEXT);
      const out = new Uint8Array(this.enc.recordLength(piece.length, 0));
      this.enc.sealInto(type as ContentType, piece, 0, out, 0);
      parts.push(out);
    }
    return concat(parts);
  }
}

function splitPlain(type: number, content: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let o = 0; o === 0 || o < content.length; o += MAX_PLAINTEXT) parts.push(plainRecord(type, content.subarray(o, o + MAX_PLAINTEXT)));
  return concat(parts);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return concatBytes(...parts);
}

interface Wiring {
  conn: ServerConnection;
  errors: TlsError[];
  data: Uint8Array[];
}

function wire(ctx: ServerContext): Wiring {
  const conn = new ServerConnection(ctx);
  const errors: TlsError[] = [];
  const data: Uint8Array[] = [];
  conn.on('error', (e) => errors.push(e));
  conn.on('data', (d) => data.push(d.slice()));
  conn.on('earlyData', (d) => data.push(d.slice()));
  return { conn, errors, data };
}

/**
 * The state a connection is in, read from the wire and the public API only (the state object is
 * private): the handshake messages each side sent, in RFC order, say which message the server waits
 * for. The server's plaintext handshake messages are parsed from its output (TLS 1.3: every
 * handshake record is plaintext; TLS 1.2: those before its ChangeCipherSpec); the client side is
 * what the driver sent (it knows each message before sealing it).
 */
class Progress {
  /** Handshake types the server sent, with `hrr` for a HelloRetryRequest (RFC 8446 §4.1.3). */
  private readonly server: { type: number; hrr: boolean }[] = [];
  /** Handshake types (and `CCS`) the client side sent since the server's last ServerHello. */
  private readonly client: number[] = [];
  private pending: Uint8Array = new Uint8Array(0);
  private serverCcs = false;
  /** Records built by `record()`: what they carry (a sealed record cannot be read back). */
  private readonly built = new WeakMap<Uint8Array, { type: number; content: Uint8Array }>();

  constructor(
    private readonly tls12: boolean,
    private readonly conn: ServerConnection,
    private readonly earlyAccepted: () => boolean,
  ) {}

  /** Notes the server's output. */
  fromServer(out: Uint8Array): void {
    for (const { type, fragment } of records(out)) {
      if (type === ContentType.change_cipher_spec) this.serverCcs = true;
      if (type !== ContentType.handshake || (this.tls12 && this.serverCcs)) continue;
      this.pending = concatBytes(this.pending, fragment);
      while (this.pending.length >= 4) {
        const len = (this.pending[1]! << 16) | (this.pending[2]! << 8) | this.pending[3]!;
        if (this.pending.length < 4 + len) break;
        const msgType = this.pending[0]!;
        // ServerHello: legacy_version(2) ‖ random(32) …; the HRR random marks a HelloRetryRequest.
        const hrr = msgType === HandshakeType.server_hello && len >= 34 && HELLO_RETRY_REQUEST_RANDOM.every((b, i) => this.pending[6 + i] === b);
        this.server.push({ type: msgType, hrr });
        if (msgType === HandshakeType.server_hello) this.client.length = 0;
        this.pending = this.pending.subarray(4 + len);
      }
    }
  }

  /** Notes what the client side sends: handshake messages by type, a ChangeCipherSpec as `CCS`. */
  fromClient(type: number, content: Uint8Array): void {
    if (type === ContentType.change_cipher_spec) this.client.push(CCS);
    if (type !== ContentType.handshake) return;
    for (let o = 0; o + 4 <= content.length; o += 4 + ((content[o + 1]! << 16) | (content[o + 2]! << 8) | content[o + 3]!)) this.client.push(content[o]!);
  }

  /** Notes a record `record()` built, so that `sent()` can read what it carries. */
  remember(bytes: Uint8Array, type: number, content: Uint8Array): Uint8Array {
    this.built.set(bytes, { type, content });
    return bytes;
  }

  /**
   * Notes bytes the client side sent: a record `record()` built, or plaintext records (TLS 1.2
   * handshake records after the client's ChangeCipherSpec are sealed: not read).
   */
  sent(bytes: Uint8Array): void {
    const b = this.built.get(bytes);
    if (b) return this.fromClient(b.type, b.content);
    for (const r of records(bytes)) {
      if (this.tls12 && r.type === ContentType.handshake && this.client.includes(CCS)) continue;
      this.fromClient(r.type, r.fragment);
    }
  }

  /** The state's name (`ExpectFinished`, `Traffic12`, … or `Closed`). */
  kind(): string {
    const { phase, info } = this.conn;
    if (phase === 'closed') return 'Closed';
    if (phase === 'open') return info?.version === 0x0304 ? 'Traffic13' : 'Traffic12';
    const hello = this.server.filter((m) => m.type === HandshakeType.server_hello).at(-1);
    if (!hello) return 'ExpectClientHello';
    const sent = (t: number) => this.client.includes(t);
    if (!this.tls12) {
      if (hello.hrr) return 'ExpectClientHello2';
      return this.earlyAccepted() && !sent(HandshakeType.end_of_early_data) ? 'ExpectEndOfEarlyData' : 'ExpectFinished';
    }
    // A full handshake's flight ends with ServerHelloDone; a resumed one is ServerHello, CCS, Finished.
    const full = this.server.some((m) => m.type === HandshakeType.server_hello_done);
    if (full && !sent(HandshakeType.client_key_exchange)) return 'ExpectClientKeyExchange';
    return sent(CCS) ? 'ExpectFinished12' : 'ExpectChangeCipherSpec12';
  }
}

/** `Progress` marks a ChangeCipherSpec among handshake types with a value no handshake type has. */
const CCS = -1;

/** The records in `bytes` (whole records only; a torn tail is ignored). */
function records(bytes: Uint8Array): { type: number; fragment: Uint8Array }[] {
  const out: { type: number; fragment: Uint8Array }[] = [];
  for (let o = 0; o + 5 <= bytes.length; ) {
    const len = (bytes[o + 3]! << 8) | bytes[o + 4]!;
    if (o + 5 + len > bytes.length) break;
    out.push({ type: bytes[o]!, fragment: bytes.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return out;
}

/** TLS 1.3 tickets from one full handshake on `ctx` (for the 0-RTT state). */
function tickets13(ctx: ServerContext, seed: number): ClientTicket[] {
  const w = wire(ctx);
  const client = new TestClient13(createNobleProvider({ random: new SeededRandom(seed ^ 0x7ec) }));
  const send = (b: Uint8Array) => {
    w.conn.receive(b);
    const out = w.conn.takeOutput();
    if (out.length) client.receive(out);
  };
  send(TestClient13.plaintextRecord(client.buildClientHello({})));
  send(client.finish());
  if (w.errors.length || client.tickets.length === 0) throw new Error(`driver: no TLS 1.3 ticket (${w.errors.map(String).join()})`);
  return client.tickets;
}

/** A TLS 1.2 session from one full handshake on `ctx` (for the resumed states). */
function session12(ctx: ServerContext, seed: number): ClientSession12 {
  const w = wire(ctx);
  const client = new TestClient12(createNobleProvider({ random: new SeededRandom(seed ^ 0x5e5) }));
  w.conn.receive(TestClient12.plaintextRecord(client.buildClientHello({})));
  client.receive(w.conn.takeOutput());
  w.conn.receive(client.finish());
  client.receive(w.conn.takeOutput());
  if (w.errors.length || w.conn.phase !== 'open') throw new Error(`driver: TLS 1.2 handshake failed (${w.errors.map(String).join()})`);
  return client.session;
}

/**
 * A fresh connection in state `id`. `seed` varies the randomness (the same seed, the same bytes).
 * @throws Error when the state is not reached (a driver bug, never a finding).
 */
export function driveTo(id: StateId, seed = 1): Driven {
  const tls12 = id.startsWith('tls12/');
  const profile: Profile = id === 'tls13/ExpectEndOfEarlyData' ? 'early' : tls12 ? 'tls12' : 'default';
  const ctx = fuzzContext(profile, seed);
  const provider = createNobleProvider({ random: new SeededRandom(seed ^ 0xc11e) });
  const resumed = id.endsWith('-resumed');
  const earlySession = id === 'tls13/ExpectEndOfEarlyData' ? tickets13(ctx, seed) : undefined;
  const prior = resumed ? session12(ctx, seed) : undefined;
  const w = wire(ctx);
  let sealer: Sealer | undefined;
  const validNext: Uint8Array[] = [];
  let alerts: () => { level: number; description: number }[];
  let deliver: (out: Uint8Array) => void;
  let earlyAccepted = (): boolean => false;
  const progress = new Progress(tls12, w.conn, () => earlyAccepted());
  /** Client bytes to the server, the server's answer to `deliver`, both noted in `progress`. */
  const exchangeBytes = (b: Uint8Array) => {
    progress.sent(b);
    w.conn.receive(b);
    const out = w.conn.takeOutput();
    progress.fromServer(out);
    if (out.length) deliver(out);
  };

  if (!tls12) {
    const client = new TestClient13(provider);
    alerts = () => client.alerts.map((d) => ({ level: 0, description: d }));
    deliver = (out) => client.receive(out);
    earlyAccepted = () => client.earlyDataAccepted;
    const hello = exchangeBytes;
    switch (id) {
      case 'tls13/ExpectClientHello':
        validNext.push(client.buildClientHello({}));
        break;
      case 'tls13/ExpectClientHello2': {
        // No key share for any group: the server asks for one (HelloRetryRequest).
        hello(TestClient13.plaintextRecord(client.buildClientHello({ shareGroups: [] })));
        const hrr = client.helloRetry;
        if (!hrr) throw new Error('driver: no HelloRetryRequest');
        const probe = new TestClient13(createNobleProvider({ random: new SeededRandom(seed ^ 0x2c4) }));
        validNext.push(probe.buildClientHello({ random: client.clientRandom, shareGroups: ['x25519'], ...(hrr.cookie ? { cookie: hrr.cookie } : {}) }));
        break;
      }
      case 'tls13/ExpectEndOfEarlyData': {
        const ch = client.buildClientHello({ resume: { tickets: [earlySession![0]!], earlyData: new Uint8Array(1) } });
        hello(TestClient13.plaintextRecord(ch));
        if (!client.earlyDataAccepted) throw new Error('driver: 0-RTT not accepted');
        const t = earlySession![0]!;
        const early = new KeySchedule13(provider, t.suite.hash, t.psk).derive('c e traffic', provider.hash(t.suite.hash, ch));
        sealer = new Sealer(provider, keysFor(provider, t.suite, early), 0);
        validNext.push(Uint8Array.of(5, 0, 0, 0));
        break;
      }
      case 'tls13/ExpectFinished': {
        hello(TestClient13.plaintextRecord(client.buildClientHello({})));
        sealer = new Sealer(provider, keysFor(provider, client.suite!, client.clientHsSecret!), 0);
        validNext.push(writeFinished(client.ks!.verifyData(client.clientHsSecret!, client.transcript!.current())));
        break;
      }
      case 'tls13/Traffic13':
        hello(TestClient13.plaintextRecord(client.buildClientHello({})));
        hello(client.finish());
        sealer = new Sealer(provider, keysFor(provider, client.suite!, client.clientApSecret!), 0);
        validNext.push(Uint8Array.of(24, 0, 0, 1, 0), Uint8Array.of(24, 0, 0, 1, 1));
        break;
      default:
        throw new Error(`driver: ${id}`);
    }
  } else {
    const client = new TestClient12(provider);
    alerts = () => client.alerts;
    deliver = (out) => client.receive(out);
    const step = exchangeBytes;
    const ccs = plainRecord(ContentType.change_cipher_spec, Uint8Array.of(1));
    if (id === 'tls12/ExpectClientHello') {
      validNext.push(client.buildClientHello({}));
    } else if (!resumed) {
      step(TestClient12.plaintextRecord(client.buildClientHello({})));
      if (id === 'tls12/ExpectClientKeyExchange') {
        validNext.push(freshCke(client));
      } else {
        const cke = client.clientKeyExchange();
        step(plainRecord(ContentType.handshake, cke));
        if (id === 'tls12/ExpectChangeCipherSpec12') {
          validNext.push(finished12(client));
        } else {
          step(ccs);
          sealer = new Sealer(provider, client.keys!.client, 0);
          validNext.push(finished12(client));
          if (id === 'tls12/Traffic12') {
            step(sealer.seal(ContentType.handshake, finished12(client)));
            validNext.length = 0;
            validNext.push(client.buildClientHello({}));
          }
        }
      }
    } else {
      step(TestClient12.plaintextRecord(client.buildClientHello({ resume: prior! })));
      if (!client.resumed) throw new Error('driver: TLS 1.2 session not resumed');
      validNext.push(finished12(client));
      if (id === 'tls12/ExpectFinished12-resumed') {
        step(ccs);
        sealer = new Sealer(provider, client.keys!.client, 0);
      }
    }
  }

  const expected = stateKind(id);
  if (progress.kind() !== expected || w.errors.length) {
    throw new Error(`driver: wanted ${expected}, reached ${progress.kind()} (${w.errors.map((e) => e.message).join('; ')})`);
  }
  return {
    id,
    conn: w.conn,
    errors: w.errors,
    data: w.data,
    alerts: () => alerts(),
    kind: () => progress.kind(),
    record: (type, content) => progress.remember(sealer ? sealer.seal(type, content) : splitPlain(type, content), type, content),
    send: (bytes) => {
      progress.sent(bytes);
      w.conn.receive(bytes);
      const out = w.conn.takeOutput();
      progress.fromServer(out);
      if (out.length) {
        try {
          deliver(out);
        } catch {
          // The test client is strict; what it cannot parse is checked through `errors` instead.
        }
      }
    },
    validNext,
  };
}

/** What the TLS 1.2 client's Finished would be now (without sending it). */
function finished12(client: TestClient12): Uint8Array {
  return writeFinished(verifyData12(client.provider, client.suite!.hash, client.masterSecret!, 'client', client.transcript!.current()));
}

/** A ClientKeyExchange for the server's group, from a fresh key pair (the client's own is not committed). */
function freshCke(client: TestClient12): Uint8Array {
  const byCode = Object.entries(NAMED_GROUP_CODEPOINT).find(([, c]) => c === client.ske!.group);
  const pair = client.provider.generateKeyPair(byCode![0] as 'x25519' | 'secp256r1' | 'secp384r1');
  return writeClientKeyExchangeEcdhe(pair.publicKey);
}
