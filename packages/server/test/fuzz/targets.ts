/**
 * The fuzz targets of issue 10. Each takes one `Uint8Array` (so a corpus file replays it exactly)
 * and checks the invariant that holds everywhere: peer bytes cause only a typed `TlsError` that is
 * not our own bug (never `Internal`), sent as its alert before the connection closes — or a clean
 * result; never another exception, never a runaway loop, never unbounded buffering. `decodeSession`
 * throws only `SessionDecodeError`. A violation throws {@link FuzzFinding}.
 *
 * Each target also has a structure-aware fast-check generator: valid inputs made by the test
 * clients (deterministic), mutated (see `mutate.ts`).
 *
 * Input framing of the stateful targets: `u8 selector ‖ u8 seed ‖ payload` — the selector picks a
 * configuration or a state, the seed the chunking of the byte stream.
 */
import fc from 'fast-check';
import { createNobleProvider, NAMED_GROUP_CODEPOINT } from '@puretls/crypto';
import {
  ContentType,
  MAX_CIPHERTEXT_TLS12,
  MAX_PLAINTEXT,
  RECORD_HEADER_LENGTH,
  RecordLayer,
  isTlsError,
  type RecordEvent,
  type TlsError,
} from '@puretls/record-layer';
import { MAX_CLIENT_HELLO_LENGTH, decodeSessionState, encodeSessionState, readClientHello, suiteByCode, truncatedClientHello, writeHandshake, type SessionState } from '@puretls/handshake-state-machine/internal';
import { SessionDecodeError, createSession, decodeSession, encodeSession } from '@puretls/session-cache';
import { MAX_BUFFERED_WHILE_WAITING, ServerConnection } from '../../src/index';
import { TestClient13, type ClientTicket } from '@puretls/test-support/tls13-client';
import { TestClient12 } from '@puretls/test-support/tls12-client';
import { STATES, concat, driveTo, fuzzContext, plainRecord, type Profile, type StateId } from './drive';
import { framed, mutated } from './mutate';
import { SeededRandom } from './seeded-random';

/** An invariant violation: the input is a finding. */
export class FuzzFinding extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FuzzFinding';
  }
}

export interface FuzzTarget {
  readonly name: string;
  /** Structure-aware inputs (built lazily: seeds may need handshakes). */
  arbitrary(): fc.Arbitrary<Uint8Array>;
  /** Runs one input; throws `FuzzFinding` when the invariant breaks. */
  run(input: Uint8Array): void;
}

/** The peer's bytes may cause this error: a `TlsError` that is not our own bug. */
function checkPeerError(e: unknown, where: string): TlsError {
  if (isTlsError(e) && e.reason !== 'Internal') return e;
  const what = isTlsError(e) ? `TlsError ${e.reason}: ${e.message}` : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  throw new FuzzFinding(`${where}: ${what}`, { cause: e });
}

/** Splits `bytes` into chunks whose sizes the seed picks (single bytes, small, large, or whole). */
export function chunk(bytes: Uint8Array, seed: number): Uint8Array[] {
  const rng = new SeededRandom(seed * 0x9e37 + 1);
  const max = [1, 3, 17, 300, 5000, bytes.length || 1][seed % 6]!;
  const out: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; ) {
    const n = 1 + rng.below(max);
    // Copies: the connection borrows chunks and decrypts in place.
    out.push(bytes.slice(o, o + n));
    o += n;
  }
  return out;
}

// ---- seeds -------------------------------------------------------------------------------------

let hellos: { h13: Uint8Array[]; h12: Uint8Array[] } | undefined;
/** Valid ClientHello messages (raw, header included) of many shapes, made once, deterministically. */
export function seedHellos(): { h13: Uint8Array[]; h12: Uint8Array[] } {
  if (hellos) return hellos;
  const p = createNobleProvider({ random: new SeededRandom(0x5eed) });
  const fakeTicket = (hash: 'sha256' | 'sha384'): ClientTicket => ({
    ticket: p.random(40),
    psk: p.random(hash === 'sha256' ? 32 : 48),
    suite: suiteByCode(hash === 'sha256' ? 0x1301 : 0x1302)!,
    ticketAgeAdd: 12345,
    lifetime: 7200,
    maxEarlyData: 1024,
    nonce: Uint8Array.of(0, 0),
  });
  const c13 = () => new TestClient13(p);
  const h13 = [
    c13().buildClientHello({}),
    c13().buildClientHello({ shareGroups: [] }),
    c13().buildClientHello({ shareGroups: ['secp256r1', 'x25519'], sessionId: p.random(32), alpn: ['h2', 'http/1.1'] }),
    c13().buildClientHello({ groups: [NAMED_GROUP_CODEPOINT.X25519MLKEM768, NAMED_GROUP_CODEPOINT.x25519], shareGroups: ['X25519MLKEM768'] }),
    c13().buildClientHello({ resume: { tickets: [fakeTicket('sha256'), fakeTicket('sha384')] } }),
    c13().buildClientHello({ resume: { tickets: [fakeTicket('sha256')], earlyData: Uint8Array.of(1) }, pskModes: [0, 1] }),
    c13().buildClientHello({ recordSizeLimit: 64, serverName: 'a.example', cookie: p.random(16), versions: [0x0304, 0x0303] }),
    c13().buildClientHello({ extra: [{ type: 0x0a0a, data: new Uint8Array(0) }, { type: 21, data: new Uint8Array(40) }] }),
  ];
  const c12 = () => new TestClient12(p);
  const h12 = [
    c12().buildClientHello({}),
    c12().buildClientHello({ sessionTicket: true, alpn: ['http/1.1'] }),
    c12().buildClientHello({ sessionTicket: p.random(64), sessionId: p.random(32) }),
    c12().buildClientHello({ sessionId: p.random(32), ems: false, renegotiationInfo: null, renegotiationScsv: true }),
    c12().buildClientHello({ versions: [0x0303, 0x0302], fallbackScsv: true, recordSizeLimit: 100, pointFormats: [0, 1] }),
    c12().buildClientHello({ cipherSuites: [0xcca8, 0xc02f], groups: [0x0017], sigAlgs: [0x0804, 0x0401] }),
  ];
  hellos = { h13, h12 };
  return hellos;
}

// ---- 1. the ClientHello parser (client-hello.ts + extensions.ts) --------------------------------

/** A ClientHello body with a random extension list: known types with random or mutated data. */
function clientHelloWithRandomExtensions(): fc.Arbitrary<Uint8Array> {
  const KNOWN = [0, 1, 5, 10, 11, 13, 16, 18, 21, 22, 23, 28, 35, 41, 42, 43, 44, 45, 47, 49, 50, 51, 0xff01, 0x0a0a, 0xfe0d];
  const ext = fc.record({ type: fc.constantFrom(...KNOWN), data: fc.uint8Array({ maxLength: 40 }) });
  return fc.tuple(fc.array(ext, { maxLength: 10 }), fc.uint8Array({ minLength: 32, maxLength: 32 })).map(([exts, random]) =>
    writeHandshake(1, (w) => {
      w.u16(0x0303).bytes(random);
      w.vec8(() => {});
      w.vec16((w) => w.u16(0x1301).u16(0xc02b));
      w.vec8((w) => w.u8(0));
      w.vec16((w) => exts.forEach((e) => w.u16(e.type).vec16((w) => w.bytes(e.data))));
    }).subarray(4),
  );
}

const clientHelloTarget: FuzzTarget = {
  name: 'client-hello',
  arbitrary() {
    const { h13, h12 } = seedHellos();
    const bodies = [...h13, ...h12].map((m) => m.subarray(4));
    return fc.oneof({ arbitrary: mutated(bodies, 8), weight: 6 }, { arbitrary: clientHelloWithRandomExtensions(), weight: 3 }, { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 1 });
  },
  run(body) {
    let ch;
    try {
      ch = readClientHello(body);
    } catch (e) {
      checkPeerError(e, 'readClientHello');
      return;
    }
    try {
      if (ch.ext.preSharedKey) truncatedClientHello(writeHandshake(1, (w) => w.bytes(body)), ch);
    } catch (e) {
      checkPeerError(e, 'truncatedClientHello');
    }
  },
};

// ---- 2. the record reader (deframer + RecordLayer) --------------------------------------------

const RL_MODES = ['none', 'tls12', 'tls13', 'tls13-keys', 'tls12-keys', 'tls13-keys-skip-early'] as const;
const KEY13 = { version: 'tls13', algorithm: 'aes-128-gcm', key: new Uint8Array(16).fill(7), iv: new Uint8Array(12).fill(9) } as const;
const KEY12 = { version: 'tls12', algorithm: 'chacha20-poly1305', key: new Uint8Array(32).fill(5), iv: new Uint8Array(12).fill(3) } as const;

function recordLayerFor(mode: (typeof RL_MODES)[number]): RecordLayer {
  const rl = new RecordLayer({ provider: createNobleProvider(), maxHandshakeMessageLength: 4096 });
  if (mode !== 'none') rl.setVersion(mode.startsWith('tls12') ? 'tls12' : 'tls13');
  if (mode === 'tls13-keys' || mode === 'tls13-keys-skip-early') rl.setReadProtection(KEY13);
  if (mode === 'tls12-keys') rl.setReadProtection(KEY12);
  if (mode === 'tls13-keys-skip-early') rl.setRejectEarlyData(1000);
  return rl;
}

/** Well-formed records (sealed under the target's fixed keys for the keyed modes), in sequence. */
function recordStream(mode: number): fc.Arbitrary<Uint8Array> {
  const m = RL_MODES[mode % RL_MODES.length]!;
  const writer = (): RecordLayer => {
    const w = new RecordLayer({ provider: createNobleProvider() });
    if (m !== 'none') w.setVersion(m.startsWith('tls12') ? 'tls12' : 'tls13');
    if (m.includes('keys')) w.setWriteProtection(m.startsWith('tls12') ? KEY12 : KEY13);
    return w;
  };
  const hsMsg = fc.record({ type: fc.constantFrom(1, 2, 4, 5, 8, 11, 15, 16, 20, 24, 99), body: fc.uint8Array({ maxLength: 60 }) }).map(({ type, body }) => writeHandshake(type, (w) => w.bytes(body)));
  const item = fc.oneof(
    hsMsg.map((h) => ({ kind: 'hs' as const, data: h })),
    fc.uint8Array({ minLength: 0, maxLength: 3 }).map((d) => ({ kind: 'alert' as const, data: d })),
    fc.constantFrom(Uint8Array.of(1), Uint8Array.of(2), new Uint8Array(0)).map((d) => ({ kind: 'ccs' as const, data: d })),
    fc.uint8Array({ maxLength: 40 }).map((d) => ({ kind: 'app' as const, data: d })),
    fc.record({ type: fc.nat(255), data: fc.uint8Array({ maxLength: 20 }) }).map((r) => ({ kind: 'raw' as const, data: plainRecord(r.type, r.data, 0x0303) })),
  );
  return fc.array(item, { maxLength: 8 }).map((items) => {
    const w = writer();
    const parts: Uint8Array[] = [];
    for (const it of items) {
      try {
        if (it.kind === 'hs') w.writeHandshake(it.data);
        else if (it.kind === 'alert') parts.push(w.takeOutput(), plainRecord(ContentType.alert, it.data));
        else if (it.kind === 'ccs') parts.push(w.takeOutput(), plainRecord(ContentType.change_cipher_spec, it.data));
        else if (it.kind === 'app') m.includes('keys') ? w.writeApplicationData(it.data) : parts.push(w.takeOutput(), plainRecord(ContentType.application_data, it.data));
        else parts.push(w.takeOutput(), it.data);
      } catch {
        // A writer refusal (e.g. application data without keys) just drops the item.
      }
    }
    parts.push(w.takeOutput());
    return concat(parts);
  });
}

const recordLayerTarget: FuzzTarget = {
  name: 'record-layer',
  arbitrary() {
    return fc.tuple(fc.nat(RL_MODES.length - 1), fc.nat(255)).chain(([mode, seed]) =>
      fc.oneof({ arbitrary: recordStream(mode), weight: 3 }, { arbitrary: recordStream(mode).chain((s) => mutated([s], 6)), weight: 4 }, { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 }).map((payload) => framed(mode, seed, payload)),
    );
  },
  run(input) {
    if (input.length < 2) return;
    const mode = RL_MODES[input[0]! % RL_MODES.length]!;
    const rl = recordLayerFor(mode);
    const payload = input.subarray(2);
    let sticky: TlsError | undefined;
    let events = 0;
    for (const c of chunk(payload, input[1]!)) {
      try {
        rl.receive(c);
        for (let ev: RecordEvent | null = rl.next(); ev !== null; ev = rl.next()) {
          // Every event consumes at least a byte of input (a record header at least): more is a loop.
          if (++events > payload.length + 1) throw new FuzzFinding(`record layer: ${events} events from ${payload.length} bytes`);
        }
      } catch (e) {
        if (e instanceof FuzzFinding) throw e;
        const err = checkPeerError(e, `record layer (${mode})`);
        if (sticky && sticky !== err) throw new FuzzFinding(`record layer: error did not stick (${sticky.reason} then ${err.reason})`);
        sticky = err;
      }
      // Drained: at most one partial record is held (RFC 8446 §5.1 bounds a record).
      if (!sticky && rl.bufferedBytes > RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_TLS12) throw new FuzzFinding(`record layer holds ${rl.bufferedBytes} bytes after draining`);
    }
  },
};

// ---- 3. the whole server connection (sans-IO), both versions ----------------------------------

const PROFILES: readonly Profile[] = ['default', 'tls13', 'tls12', 'early'];

/** Records a client might send after its ClientHello (to continue or to break the stream). */
function tailRecords(): Uint8Array[] {
  const { h13, h12 } = seedHellos();
  return [
    plainRecord(ContentType.change_cipher_spec, Uint8Array.of(1)),
    plainRecord(ContentType.alert, Uint8Array.of(1, 0)),
    plainRecord(ContentType.alert, Uint8Array.of(1, 90)),
    plainRecord(ContentType.application_data, new Uint8Array(40)),
    plainRecord(ContentType.handshake, h13[0]!),
    plainRecord(ContentType.handshake, h12[0]!),
    plainRecord(ContentType.handshake, writeHandshake(16, (w) => w.vec8((w) => w.bytes(new Uint8Array(32).fill(9))))),
    plainRecord(ContentType.handshake, writeHandshake(20, (w) => w.bytes(new Uint8Array(12)))),
  ];
}

/**
 * The server-side invariant after each chunk: errors only of the peer's making, one at most, then
 * closed; the alert it names is the last record sent (checked in clear, or an encrypted record);
 * bounded buffering and output.
 */
function checkConnection(conn: ServerConnection, errors: TlsError[], step: { output: Uint8Array; errorsBefore: number }, outputBytes: number, inputBytes: number, where: string): void {
  for (const e of errors) checkPeerError(e, where);
  const err = errors[0];
  if (err && step.errorsBefore === 0 && err.alertCode !== null && !conn.closeNotifySent) {
    const last = lastRecord(step.output);
    if (!last) throw new FuzzFinding(`${where}: ${err.reason} but no alert was sent`);
    // In clear: [fatal, code]. Protected: TLS 1.2 keeps the alert type outside (longer body), TLS 1.3 says application_data.
    const ok =
      last.type === ContentType.alert ? (last.body.length === 2 ? last.body[0] === 2 && last.body[1] === err.alertCode : last.body.length > 2) : last.type === ContentType.application_data;
    if (!ok) throw new FuzzFinding(`${where}: ${err.reason}: the last record sent is not its ${err.alert} alert`);
  }
  if (errors.length > 1) throw new FuzzFinding(`${where}: ${errors.length} errors (fatal errors must stick, one alert)`);
  if (errors.length && conn.phase !== 'closed') throw new FuzzFinding(`${where}: error ${errors[0]!.reason} but the connection is ${conn.phase}`);
  // Received bytes held (the public count): the record reader's input, at most one record (more
  // while waiting for the session store), plus a handshake message spanning records, at most the
  // context's cap plus one record (RecordLayer's `bufferedHandshakeBytes` bound).
  const buffered = conn.bufferedBytes;
  const reader = conn.waitingForSession ? MAX_BUFFERED_WHILE_WAITING + 64 * 1024 : RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_TLS12;
  // The largest message a client may send before the handshake is done is its ClientHello.
  const joiner = Math.min(conn.context.maxHandshakeMessageLength ?? MAX_CLIENT_HELLO_LENGTH, MAX_CLIENT_HELLO_LENGTH) + RECORD_HEADER_LENGTH + MAX_CIPHERTEXT_TLS12;
  const bound = reader + joiner;
  if (conn.phase !== 'closed' && buffered > bound) throw new FuzzFinding(`${where}: ${buffered} bytes buffered (bound ${bound})`);
  // A flight with the certificate is a few KB; each further record in may cost one record out.
  if (outputBytes > 64 * 1024 + 4 * inputBytes) throw new FuzzFinding(`${where}: ${outputBytes} bytes of output for ${inputBytes} in`);
}

const connectionTarget: FuzzTarget = {
  name: 'connection',
  arbitrary() {
    const { h13, h12 } = seedHellos();
    const hellosAsRecords = [...h13, ...h12].map((m) => plainRecord(ContentType.handshake, m, 0x0301));
    const tails = tailRecords();
    const stream = fc.tuple(mutated(hellosAsRecords, 6), fc.array(mutated(tails, 2), { maxLength: 3 })).map(([first, rest]) => concat([first, ...rest]));
    return fc.tuple(fc.nat(PROFILES.length - 1), fc.nat(255), fc.oneof({ arbitrary: stream, weight: 9 }, { arbitrary: fc.uint8Array({ maxLength: 300 }), weight: 1 })).map(([p, s, payload]) => framed(p, s, payload));
  },
  run(input) {
    if (input.length < 2) return;
    const profile = PROFILES[input[0]! % PROFILES.length]!;
    const conn = new ServerConnection(fuzzContext(profile, 1));
    const errors: TlsError[] = [];
    conn.on('error', (e) => errors.push(e));
    const payload = input.subarray(2);
    let out = 0;
    for (const c of chunk(payload, input[1]!)) {
      const errorsBefore = errors.length;
      try {
        conn.receive(c);
      } catch (e) {
        throw new FuzzFinding(`receive threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
      }
      const output = conn.takeOutput();
      out += output.length;
      checkConnection(conn, errors, { output, errorsBefore }, out, payload.length, `connection (${profile})`);
    }
    // What a closed connection does with more bytes: nothing.
    if (conn.phase === 'closed') {
      conn.receive(Uint8Array.of(22, 3, 3, 0, 1, 1));
      if (conn.takeOutput().length) throw new FuzzFinding('output after close');
    }
  },
};

/** The last whole record in `out` (records are written whole). */
function lastRecord(out: Uint8Array): { type: number; body: Uint8Array } | undefined {
  let last: { type: number; body: Uint8Array } | undefined;
  for (let o = 0; o + RECORD_HEADER_LENGTH <= out.length; ) {
    const len = (out[o + 3]! << 8) | out[o + 4]!;
    last = { type: out[o]!, body: out.subarray(o + RECORD_HEADER_LENGTH, o + RECORD_HEADER_LENGTH + len) };
    o += RECORD_HEADER_LENGTH + len;
  }
  return last;
}

// ---- 4/5. the TLS 1.3 and TLS 1.2 state machines: well-framed message sequences ---------------

/** Handshake types a state machine may see (RFC 8446 §4, RFC 5246 §7.4, unknown ones). */
const ALL_TYPES = [0, 1, 2, 3, 4, 5, 6, 8, 11, 12, 13, 14, 15, 16, 20, 22, 24, 25, 99, 254, 255];

const validNextCache = new Map<StateId, Uint8Array[]>();
function validNext(state: StateId): Uint8Array[] {
  let v = validNextCache.get(state);
  if (!v) {
    v = driveTo(state).validNext.map((m) => m.slice());
    validNextCache.set(state, v);
  }
  return v;
}

/** One well-framed message: a valid next message (mutated body), or any type with a plausible body. */
function messageArb(state: StateId): fc.Arbitrary<Uint8Array> {
  const valid = validNext(state);
  const { h13, h12 } = seedHellos();
  const bodies = [...valid, h13[0]!, h12[0]!, Uint8Array.of(24, 0, 0, 1, 1)].map((m) => m.subarray(4));
  const reframe = (m: Uint8Array, body: Uint8Array, type?: number) => writeHandshake(type ?? m[0]!, (w) => w.bytes(body));
  return fc.oneof(
    { arbitrary: fc.constantFrom(...valid), weight: 3 },
    { arbitrary: fc.tuple(fc.constantFrom(...valid), fc.nat(valid.length - 1)).chain(([m]) => mutated([m.subarray(4)], 4).map((b) => reframe(m, b))), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom(...ALL_TYPES), mutated(bodies, 3)).map(([t, b]) => writeHandshake(t, (w) => w.bytes(b))), weight: 3 },
    { arbitrary: fc.tuple(fc.constantFrom(...ALL_TYPES), fc.uint8Array({ maxLength: 48 })).map(([t, b]) => writeHandshake(t, (w) => w.bytes(b))), weight: 2 },
  );
}

function stateMachineTarget(name: string, states: readonly StateId[]): FuzzTarget {
  return {
    name,
    arbitrary() {
      return fc.tuple(fc.nat(states.length - 1), fc.nat(255)).chain(([i, seed]) =>
        fc
          .oneof({ arbitrary: fc.array(messageArb(states[i]!), { minLength: 1, maxLength: 4 }).map(concat), weight: 9 }, { arbitrary: fc.array(messageArb(states[i]!), { minLength: 1, maxLength: 3 }).chain((ms) => mutated([concat(ms)], 3)), weight: 1 })
          .map((payload) => framed(i, seed, payload)),
      );
    },
    run(input) {
      if (input.length < 2) return;
      const state = states[input[0]! % states.length]!;
      const d = driveTo(state);
      const payload = input.subarray(2);
      // Well-framed: the message bytes split into handshake records at seed-chosen boundaries,
      // each sealed as the client in this state would (the records are never the fuzzed part).
      const rng = new SeededRandom(input[1]! + 77);
      const records: Uint8Array[] = [];
      for (let o = 0; o < payload.length; ) {
        const n = Math.min(MAX_PLAINTEXT, input[1]! % 3 === 0 ? payload.length - o : 1 + rng.below(64));
        records.push(d.record(ContentType.handshake, payload.subarray(o, o + n)));
        o += n;
      }
      let out = 0;
      for (const r of records) {
        const errorsBefore = d.errors.length;
        try {
          d.conn.receive(r);
        } catch (e) {
          throw new FuzzFinding(`receive threw in ${state}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
        }
        const output = d.conn.takeOutput();
        out += output.length;
        checkConnection(d.conn, d.errors, { output, errorsBefore }, out, payload.length, `${name} (${state})`);
      }
    },
  };
}

const tls13StatesTarget = stateMachineTarget(
  'tls13-state-machine',
  STATES.filter((s) => s.startsWith('tls13/')),
);
const tls12StatesTarget = stateMachineTarget(
  'tls12-state-machine',
  STATES.filter((s) => s.startsWith('tls12/')),
);

// ---- 6. decodeSession + decodeSessionState ---------------------------------------------------
// A stored session comes back from a store as two layers of untrusted bytes: the cache's blob
// (decodeSession) and, inside it, the handshake's state (decodeSessionState). Both must refuse
// anything malformed cleanly and be canonical.

function seedSessions(): Uint8Array[] {
  const p = createNobleProvider({ random: new SeededRandom(0x5e55) });
  const state = (over: Partial<SessionState>) =>
    encodeSessionState({ version: 0x0304, cipherSuite: 0x1301, secret: p.random(32), extendedMasterSecret: true, serverName: undefined, alpn: undefined, context: new Uint8Array(0), ticketAgeAdd: 0, maxEarlyData: 0, peerCertificates: [], ...over });
  const base = { id: p.random(32), createdAt: 1_700_000_000_000, timeout: 7200 } as const;
  return [
    encodeSession(createSession({ ...base, state: state({}) })),
    encodeSession(createSession({ ...base, singleUse: true, state: state({ serverName: 'example.com', alpn: 'h2', ticketAgeAdd: 0xffffffff, maxEarlyData: 16384, context: p.random(8) }) })),
    encodeSession(createSession({ ...base, id: p.random(1), state: state({ version: 0x0303, cipherSuite: 0xc02b, secret: p.random(48) }) })),
    encodeSession(createSession({ ...base, authTime: base.createdAt - 1000, state: state({ version: 0x0303, cipherSuite: 0xc030, secret: p.random(48), extendedMasterSecret: false, peerCertificates: [p.random(100), p.random(3)], peerVerification: { authorized: true, error: undefined } }) })),
    encodeSession(createSession({ ...base, state: state({ peerCertificates: [p.random(50)], peerVerification: { authorized: false, error: 'CERT_HAS_EXPIRED' } }) })),
  ];
}

const decodeSessionTarget: FuzzTarget = {
  name: 'decode-session',
  arbitrary() {
    return fc.oneof({ arbitrary: mutated(seedSessions(), 6), weight: 9 }, { arbitrary: fc.uint8Array({ maxLength: 200 }), weight: 1 });
  },
  run(blob) {
    let s;
    try {
      s = decodeSession(blob);
    } catch (e) {
      if (e instanceof SessionDecodeError) return;
      throw new FuzzFinding(`decodeSession threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
    }
    // What decodes is canonical: encoding it again gives the same bytes.
    const again = encodeSession(s);
    if (again.length !== blob.length || again.some((b, i) => b !== blob[i])) throw new FuzzFinding('decodeSession accepted a non-canonical blob (re-encoding differs)');
    let state;
    try {
      state = decodeSessionState(s.state);
    } catch (e) {
      throw new FuzzFinding(`decodeSessionState threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
    }
    if (state === undefined) return;
    const stateAgain = encodeSessionState(state);
    if (stateAgain.length !== s.state.length || stateAgain.some((b, i) => b !== s.state[i])) throw new FuzzFinding('decodeSessionState accepted a non-canonical state (re-encoding differs)');
  },
};

/** Every target, in the order `pnpm fuzz` runs them. */
export const TARGETS: readonly FuzzTarget[] = [clientHelloTarget, recordLayerTarget, connectionTarget, tls13StatesTarget, tls12StatesTarget, decodeSessionTarget];
