/**
 * State × message matrix (issue 10): every server state of TLS 1.3 and TLS 1.2, reached by driving a
 * real `ServerConnection` with the test clients, receives every handshake message type (RFC 8446 §4,
 * RFC 5246 §7.4, and unknown ones), ChangeCipherSpec (valid and invalid, before and after the point
 * RFC 8446 §5 allows it), alerts and application data — in clear or sealed under the key a client
 * in that state uses. Each cell names the outcome explicitly, so a wrong alert fails.
 *
 * Outcomes:
 *   an alert name — the server sent that fatal alert and closed;
 * (The first column of each version is before any version is chosen: alerts there follow TLS 1.2's
 * rules, as OpenSSL's, since nothing says the client speaks TLS 1.3 yet.)
 *   C — closed without sending an alert (the peer's error alert, RFC 8446 §6.2);
 *   N — the peer's close_notify mid-handshake: we answer close_notify (RFC 8446 §6.1) and close;
 *   O — accepted: no error, the connection stays up (dropped, delivered, or the state moved on);
 *   H — half-closed: the peer's close_notify after the handshake, our write side stays open;
 *   R — a no_renegotiation warning, the connection stays open (RFC 5746 §4.4 / RFC 5246 §7.2.2).
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription, ContentType } from '@puretls/record-layer';
import { writeHandshake } from '@puretls/handshake-state-machine/internal';
import { STATES, driveTo, plainRecord, type Driven, type StateId } from './fuzz/drive';
import { exchange12, makeContext12, MapGlue12 } from '@puretls/test-support/harness12';
import { TestClient12 } from '@puretls/test-support/tls12-client';

const U = 'unexpected_message';
const D = 'decode_error';
const A = 'bad_record_mac';
const X = 'decrypt_error';
const I = 'illegal_parameter';
const C = 'C';
const N = 'N';
const O = 'O';
const H = 'H';
const R = 'R';
type Outcome = typeof U | typeof D | typeof A | typeof X | typeof I | typeof C | typeof N | typeof O | typeof H | typeof R;

/** What one row injects, given the state's driver. */
type Build = (d: Driven) => Uint8Array;

const FOUR_ZEROS = new Uint8Array(4);
const hs = (type: number, body: Uint8Array = FOUR_ZEROS): Build => (d) => d.record(ContentType.handshake, writeHandshake(type, (w) => w.bytes(body)));
const rec = (type: number, content: number[]): Build => (d) => d.record(type, Uint8Array.from(content));
const clear = (type: number, content: number[] | Uint8Array): Build => () => plainRecord(type, Uint8Array.from(content));
const alert = (level: number, description: number): Build => rec(ContentType.alert, [level, description]);
const W = 1; // warning
const F = 2; // fatal

/** A Finished of the right length with a wrong verify_data (the valid one, one bit flipped). */
const wrongFinished: Build = (d) => {
  const valid = d.validNext.find((m) => m[0] === 20);
  const body = valid ? valid.slice(4) : new Uint8Array(32);
  body[0]! ^= 1;
  return d.record(ContentType.handshake, writeHandshake(20, (w) => w.bytes(body)));
};

/**
 * The table. Columns, in `STATES` order:
 *   TLS 1.3: ExpectClientHello, ExpectClientHello2 (after HRR), ExpectEndOfEarlyData, ExpectFinished, Traffic13
 *   TLS 1.2: ExpectClientHello, ExpectClientKeyExchange, ExpectChangeCipherSpec12 (full), … (resumed),
 *            ExpectFinished12 (full), … (resumed), Traffic12
 * Handshake messages carry a 4-byte zero body unless the row says otherwise.
 */
const ROWS: readonly [string, Build, readonly Outcome[]][] = [
  //                                                           TLS 1.3: CH  CH2 EOED FIN TRF   TLS 1.2: CH  CKE CCS CCSr FIN FINr TRF
  // ---- RFC 5246 §7.4 / RFC 8446 §4 handshake types -------------------------------------------------------------
  ['hello_request (0)', hs(0), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['client_hello (1), malformed body', hs(1), [D, D, U, U, U, D, U, U, U, U, U, R]],
  ['server_hello (2)', hs(2), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['hello_verify_request (3, DTLS)', hs(3), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['new_session_ticket (4)', hs(4), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['end_of_early_data (5), 4-byte body (longer than its syntax allows: refused from the header)', hs(5), [D, D, D, D, D, D, D, D, D, D, D, D]],
  ['end_of_early_data (5), empty', hs(5, new Uint8Array(0)), [U, U, O, U, U, U, U, U, U, U, U, U]],
  ['hello_retry_request (6, drafts)', hs(6), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['encrypted_extensions (8)', hs(8), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['certificate (11)', hs(11), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['server_key_exchange (12)', hs(12), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['certificate_request (13)', hs(13), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['server_hello_done (14)', hs(14), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['certificate_verify (15)', hs(15), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['client_key_exchange (16), malformed body', hs(16), [U, U, U, U, U, U, D, U, U, U, U, U]],
  ['finished (20), wrong length', hs(20), [U, U, U, D, U, U, U, U, U, D, D, U]],
  ['finished (20), right length, wrong verify_data', wrongFinished, [U, U, U, X, U, U, U, U, U, X, X, U]],
  ['certificate_status (22)', hs(22), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['key_update (24), 4-byte body (longer than its syntax allows: refused from the header)', hs(24), [D, D, D, D, D, D, D, D, D, D, D, D]],
  ['key_update (24), request_update = 2', hs(24, Uint8Array.of(2)), [U, U, U, U, I, U, U, U, U, U, U, U]],
  ['message_hash (254, never on the wire)', hs(254), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['unknown (7)', hs(7), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['unknown (99)', hs(99), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['unknown (255)', hs(255), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['handshake header claiming 2^24-1 bytes', rec(ContentType.handshake, [1, 0xff, 0xff, 0xff]), [D, D, D, D, D, D, D, D, D, D, D, D]],
  ['empty handshake record (RFC 8446 §5.4)', rec(ContentType.handshake, []), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['client_hello in clear', clear(ContentType.handshake, [1, 0, 0, 4, 0, 0, 0, 0]), [D, D, U, U, U, D, U, U, U, A, A, A]],
  // ---- ChangeCipherSpec (RFC 8446 §5: 0x01 in clear dropped after the first ClientHello, until the peer's Finished)
  ['CCS 0x01', rec(ContentType.change_cipher_spec, [1]), [U, O, U, U, U, U, U, O, O, U, U, U]],
  ['CCS 0x01 in clear', clear(ContentType.change_cipher_spec, [1]), [U, O, O, O, U, U, U, O, O, A, A, A]],
  ['CCS 0x02', rec(ContentType.change_cipher_spec, [2]), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['CCS 0x01 0x01', rec(ContentType.change_cipher_spec, [1, 1]), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['CCS empty', rec(ContentType.change_cipher_spec, []), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['CCS 0x02 in clear', clear(ContentType.change_cipher_spec, [2]), [U, U, U, U, U, U, U, U, U, A, A, A]],
  // ---- alerts (RFC 8446 §6, RFC 5246 §7.2) ---------------------------------------------------------------------
  ['warning close_notify', alert(W, 0), [N, N, N, N, H, N, N, N, N, N, N, H]],
  ['fatal close_notify', alert(F, 0), [N, N, N, N, H, N, N, N, N, N, N, H]],
  ['warning user_canceled', alert(W, 90), [O, O, O, O, O, O, O, O, O, O, O, O]],
  ['fatal user_canceled', alert(F, 90), [C, C, C, C, C, C, C, C, C, C, C, C]],
  ['fatal handshake_failure', alert(F, 40), [C, C, C, C, C, C, C, C, C, C, C, C]],
  ['warning unexpected_message (TLS 1.3: error alerts are fatal, §6.2; TLS 1.2: warnings go on, RFC 5246 §7.2)', alert(W, 10), [O, C, C, C, C, O, O, O, O, O, O, O]],
  ['warning unknown alert (255)', alert(W, 255), [O, C, C, C, C, O, O, O, O, O, O, O]],
  ['fatal handshake_failure in clear', clear(ContentType.alert, [2, 40]), [C, C, C, C, U, C, C, C, C, A, A, A]],
  ['alert of 3 bytes', rec(ContentType.alert, [1, 0, 0]), [D, D, D, D, D, D, D, D, D, D, D, D]],
  ['alert of 1 byte', rec(ContentType.alert, [2]), [D, D, D, D, D, D, D, D, D, D, D, D]],
  ['empty alert record (RFC 8446 §5.4)', rec(ContentType.alert, []), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['alert level 3', rec(ContentType.alert, [3, 0]), [D, D, D, D, D, D, D, D, D, D, D, D]],
  // ---- application data and other record types ----------------------------------------------------------------
  ['application data', rec(ContentType.application_data, [1, 2, 3, 4, 5]), [U, U, O, U, O, U, U, U, U, U, U, O]],
  ['empty application data record (premature before the handshake completes, RFC 8446 §6.2)', rec(ContentType.application_data, []), [U, U, O, U, O, U, U, U, U, U, U, O]],
  ['application data in clear', clear(ContentType.application_data, [1, 2, 3, 4, 5]), [U, U, A, A, A, U, U, U, U, A, A, A]],
  ['record type 24 (heartbeat)', clear(24, [1, 0, 0]), [U, U, U, U, U, U, U, U, U, U, U, U]],
  ['record type 99', rec(99, [0]), [U, U, U, U, U, U, U, U, U, U, U, U]],
];

interface Observed {
  outcome: string;
  detail: string;
}

function observe(d: Driven, bytes: Uint8Array): Observed {
  const before = d.alerts().length;
  d.send(bytes);
  const sent = d.alerts().slice(before);
  const detail = `errors [${d.errors.map((e) => `${e.alert} ${e.reason}`).join(', ')}], alerts sent [${sent.map((a) => a.description).join(', ')}], phase ${d.conn.phase}, state ${d.kind()}`;
  const err = d.errors[0];
  if (err) {
    if (d.conn.phase !== 'closed') return { outcome: 'error but not closed', detail };
    if (err.alert === null) {
      if (sent.length === 0) return { outcome: C, detail };
      const closeNotify = sent.length === 1 && sent[0]!.description === AlertDescription.close_notify && err.reason === 'PeerClosed';
      return { outcome: closeNotify ? N : 'closed, yet an alert was sent', detail };
    }
    // The alert the error names is the one on the wire, last, and the only one.
    const last = sent.at(-1);
    if (sent.length !== 1 || last?.description !== AlertDescription[err.alert]) return { outcome: `${err.alert} (not on the wire as such)`, detail };
    return { outcome: err.alert, detail };
  }
  if (d.conn.phase === 'closed') return { outcome: 'closed without error', detail };
  if (d.conn.peerClosed) return { outcome: sent.length === 0 ? H : 'half-closed with output', detail };
  if (sent.length === 1 && sent[0]!.description === AlertDescription.no_renegotiation) return { outcome: R, detail };
  return { outcome: sent.length === 0 ? O : 'alerts without error', detail };
}

describe('state × message matrix', () => {
  it('has one outcome per state in every row, and every state is reachable', () => {
    for (const [name, , outcomes] of ROWS) expect(outcomes.length, name).toBe(STATES.length);
    for (const s of STATES) expect(driveTo(s).kind()).toBe(s.slice(s.indexOf('/') + 1).replace('-resumed', ''));
  });

  describe.each(STATES.map((s, i) => [s, i] as [StateId, number]))('%s', (state, column) => {
    it.each(ROWS.map(([name, build, outcomes]) => ({ name, build, expected: outcomes[column]! })))('$name → $expected', ({ build, expected }) => {
      const d = driveTo(state);
      const got = observe(d, build(d));
      expect(`${got.outcome}`, got.detail).toBe(expected);
    });
  });

  it('the valid next message of each state moves it on (the driver and the fuzz seeds are sound)', () => {
    const next: Partial<Record<StateId, string>> = {
      'tls13/ExpectClientHello': 'ExpectFinished',
      'tls13/ExpectClientHello2': 'ExpectFinished',
      'tls13/ExpectEndOfEarlyData': 'ExpectFinished',
      'tls13/ExpectFinished': 'Traffic13',
      'tls13/Traffic13': 'Traffic13',
      'tls12/ExpectClientHello': 'ExpectClientKeyExchange',
      'tls12/ExpectClientKeyExchange': 'ExpectChangeCipherSpec12',
      'tls12/ExpectFinished12': 'Traffic12',
      'tls12/ExpectFinished12-resumed': 'Traffic12',
      'tls12/Traffic12': 'Traffic12',
    };
    for (const [s, kind] of Object.entries(next) as [StateId, string][]) {
      const d = driveTo(s);
      d.send(d.record(ContentType.handshake, d.validNext[0]!));
      expect({ s, errors: d.errors.map((e) => e.reason), kind: d.kind() }).toEqual({ s, errors: [], kind });
    }
  });

  it('after the peer close_notify in traffic, our close() sends close_notify and the close is clean', () => {
    for (const s of ['tls13/Traffic13', 'tls12/Traffic12'] as const) {
      const d = driveTo(s);
      let clean: boolean | undefined;
      d.conn.on('close', (c) => (clean = c));
      d.send(alert(W, 0)(d));
      expect(d.conn.peerClosed).toBe(true);
      d.conn.close();
      expect(d.conn.phase).toBe('closed');
      expect(clean).toBe(true);
    }
  });

  describe('after our close_notify (RFC 8446 §6.1: "will not send any more messages")', () => {
    /** Traffic state, we closed our side; returns the driver with the close_notify already taken. */
    const closedByUs = (s: 'tls13/Traffic13' | 'tls12/Traffic12'): Driven => {
      const d = driveTo(s);
      d.conn.close();
      expect(d.conn.takeOutput().length).toBeGreaterThan(0);
      return d;
    };
    it('a KeyUpdate asking for ours updates the read key and sends nothing (TLS 1.3)', () => {
      const d = closedByUs('tls13/Traffic13');
      d.conn.receive(d.record(ContentType.handshake, Uint8Array.of(24, 0, 0, 1, 1)));
      expect(d.conn.takeOutput()).toHaveLength(0);
      expect(d.errors).toEqual([]);
      expect(d.conn.phase).toBe('open'); // the peer's half is still open
    });
    it('a renegotiation ClientHello gets no no_renegotiation warning (TLS 1.2)', () => {
      const d = closedByUs('tls12/Traffic12');
      d.conn.receive(d.record(ContentType.handshake, d.validNext[0]!));
      expect(d.conn.takeOutput()).toHaveLength(0);
      expect(d.errors).toEqual([]);
    });
    it.each(['tls13/Traffic13', 'tls12/Traffic12'] as const)('%s: a fatal error closes without sending its alert', (s) => {
      const d = closedByUs(s);
      d.conn.receive(d.record(ContentType.handshake, writeHandshake(2, (w) => w.bytes(FOUR_ZEROS))));
      expect(d.errors.map((e) => e.alert)).toEqual([U]);
      expect(d.conn.phase).toBe('closed');
      expect(d.conn.takeOutput()).toHaveLength(0);
    });
  });

  it.each(['tls13/ExpectEndOfEarlyData', 'tls13/Traffic13', 'tls12/Traffic12'] as const)('%s: accepted application data is delivered', (s) => {
    const d = driveTo(s);
    d.send(d.record(ContentType.application_data, Uint8Array.of(1, 2, 3, 4, 5)));
    expect(d.data).toEqual([Uint8Array.of(1, 2, 3, 4, 5)]);
  });

  describe('AwaitSession (an asynchronous session lookup): it takes no input; what came meanwhile goes to the next state', () => {
    it.each([
      ['warning close_notify', plainRecord(ContentType.alert, Uint8Array.of(1, 0)), 'null PeerClosed'],
      ['fatal handshake_failure', plainRecord(ContentType.alert, Uint8Array.of(2, 40)), 'null AlertReceived'],
      ['CCS 0x01', plainRecord(ContentType.change_cipher_spec, Uint8Array.of(1)), `${U} UnexpectedChangeCipherSpec`],
      ['record type 99', plainRecord(99, Uint8Array.of(1)), `${U} UnknownContentType`],
      ['an empty ClientKeyExchange', plainRecord(ContentType.handshake, Uint8Array.of(16, 0, 0, 1, 0)), `${D} EmptyVector`],
    ] as const)('%s', async (_name, tail, expected) => {
      const glue = new MapGlue12();
      glue.asyncLookups = true;
      const x = exchange12(makeContext12({ sessions: glue }));
      const hello = TestClient12.plaintextRecord(x.client.buildClientHello({ sessionId: new Uint8Array(32).fill(3) }));
      x.conn.receive(Uint8Array.from([...hello, ...tail]));
      expect(x.conn.waitingForSession).toBe(true);
      expect(x.conn.takeOutput()).toHaveLength(0);
      await new Promise((resolve) => x.conn.on('close', resolve));
      expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual([expected]);
    });
  });

  it('after warning user_canceled the handshake still completes (TLS 1.3 ExpectFinished)', () => {
    const d = driveTo('tls13/ExpectFinished');
    d.send(alert(W, 90)(d));
    d.send(d.record(ContentType.handshake, d.validNext[0]!));
    expect(d.errors).toEqual([]);
    expect(d.conn.phase).toBe('open');
  });
});
