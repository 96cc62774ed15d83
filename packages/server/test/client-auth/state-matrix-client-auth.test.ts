/**
 * State × message matrix for the client-authentication states (the main matrix,
 * `state-matrix.test.ts`, covers the others): ExpectCertificate and ExpectCertificateVerify
 * (TLS 1.3, under the client handshake key), ExpectCertificate12 and ExpectCertificateVerify12
 * (TLS 1.2, in clear), each reached with the test clients against a context with `requestCert`
 * (rejectUnauthorized), each given every handshake type, ChangeCipherSpec, alerts and
 * application data. Each cell names its outcome: an alert name (sent, then closed), C (closed on
 * the peer's alert), N (the peer's close_notify answered), O (the connection goes on).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createNobleProvider } from '@puretls/crypto';
import { AlertDescription, type TlsError } from '@puretls/record-layer';
import { writeCertificate12, writeCertificate13, writeHandshake } from '@puretls/handshake-state-machine/internal';
import { ServerConnection, ServerContext } from '../../src/index';
import { ClientPki } from '@puretls/test-support/client-pki';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { TestClient12 } from '@puretls/test-support/tls12-client';

const pki = new ClientPki();
afterAll(() => pki.close());

const STATES = ['ExpectCertificate', 'ExpectCertificateVerify', 'ExpectCertificate12', 'ExpectCertificateVerify12'] as const;
type State = (typeof STATES)[number];

/** A connection in `state`, and how a client there sends a record of a content type. */
interface Driven {
  readonly conn: ServerConnection;
  readonly errors: TlsError[];
  readonly tls13: boolean;
  /** Alerts the client received since it was driven there. */
  alerts(): number[];
  handshake(raw: Uint8Array): void;
  alert(level: 1 | 2, description: number): void;
  applicationData(data: Uint8Array): void;
  /** A record in clear whatever the keys (TLS 1.3's compatibility CCS). */
  clear(type: number, content: Uint8Array): void;
}

function driveTo(state: State): Driven {
  const server = pki.server();
  const ctx = new ServerContext({ certificates: [{ cert: server.chainPem, key: server.keyPem }], requestCert: true, ca: pki.caPem });
  const conn = new ServerConnection(ctx);
  const errors: TlsError[] = [];
  conn.on('error', (e) => errors.push(e));
  const tls13 = state === 'ExpectCertificate' || state === 'ExpectCertificateVerify';
  const p = createNobleProvider();
  const c13 = new TestClient13(p);
  const c12 = new TestClient12(p);
  const feed = (b: Uint8Array) => {
    conn.receive(b);
    const out = conn.takeOutput();
    if (out.length) (tls13 ? c13 : c12).receive(out);
  };
  const alerts = () => (tls13 ? c13.alerts : c12.alerts.map((a) => a.description));
  const f = pki.client('p256');
  if (tls13) {
    feed(TestClient13.plaintextRecord(c13.buildClientHello()));
    c13.useHandshakeWriteKey();
    if (state === 'ExpectCertificateVerify') feed(c13.sendHandshake(writeCertificate13({ requestContext: new Uint8Array(0), entries: f.chain.map((certData) => ({ certData, extensions: [] })) })));
  } else {
    feed(TestClient12.plaintextRecord(c12.buildClientHello()));
    if (state === 'ExpectCertificateVerify12') {
      feed(TestClient12.plaintextRecord(writeCertificate12(f.chain), 22, 0x0303));
      feed(TestClient12.plaintextRecord(c12.clientKeyExchange(), 22, 0x0303));
    }
  }
  expect(errors, `driving to ${state}`).toEqual([]);
  const before = alerts().length;
  const plain = (type: number, content: Uint8Array) => feed(TestClient13.plaintextRecord(content, type, 0x0303));
  return {
    conn,
    errors,
    tls13,
    alerts: () => alerts().slice(before),
    handshake: (raw) => (tls13 ? feed(c13.sendHandshake(raw)) : plain(22, raw)),
    alert: (level, d) => (tls13 ? feed(c13.sendAlert(d, level)) : plain(21, Uint8Array.of(level, d))),
    applicationData: (data) => (tls13 ? feed(c13.sendApplicationData(data)) : plain(23, data)),
    clear: plain,
  };
}

const U = 'unexpected_message';
const D = 'decode_error';
const I = 'illegal_parameter';
const C = 'C';
const N = 'N';
const O = 'O';
type Inject = (d: Driven) => void;
const hs = (type: number, body: number[] = [0, 0, 0, 0]): Inject => (d) => d.handshake(writeHandshake(type, (w) => w.bytes(Uint8Array.from(body))));
/** A message whose body differs between the versions (TLS 1.3's Certificate has a context and entry extensions). */
const byVersion = (type: number, body13: number[], body12: number[]): Inject => (d) => hs(type, d.tls13 ? body13 : body12)(d);

//                                                      1.3: CERT     CV   1.2: CERT12            CV12
const ROWS: readonly [string, Inject, readonly string[]][] = [
  ['hello_request (0)', hs(0), [U, U, U, U]],
  ['client_hello (1), malformed body', hs(1), [U, U, U, U]],
  ['server_hello (2)', hs(2), [U, U, U, U]],
  ['new_session_ticket (4)', hs(4), [U, U, U, U]],
  ['end_of_early_data (5), empty', hs(5, []), [U, U, U, U]],
  ['encrypted_extensions (8)', hs(8), [U, U, U, U]],
  // RFC 8446 §4.4.2.4 / RFC 5246 §7.4.6: an empty Certificate, refused under rejectUnauthorized.
  ['certificate (11), empty list', byVersion(11, [0, 0, 0, 0], [0, 0, 0]), ['certificate_required', U, 'handshake_failure', U]],
  ['certificate (11), malformed', hs(11, [1, 2, 3]), [D, U, D, U]],
  ['certificate (11), a certificate that is not DER', byVersion(11, [0, 0, 0, 8, 0, 0, 3, 1, 2, 3, 0, 0], [0, 0, 6, 0, 0, 3, 1, 2, 3]), [D, U, D, U]],
  ['server_key_exchange (12)', hs(12), [U, U, U, U]],
  ['certificate_request (13)', hs(13), [U, U, U, U]],
  ['server_hello_done (14)', hs(14), [U, U, U, U]],
  // A CertificateVerify with algorithm 0x0000 and an empty signature: decodes, not a scheme we offered.
  ['certificate_verify (15), scheme 0', hs(15), [U, I, U, I]],
  ['certificate_verify (15), truncated', hs(15, [4, 3, 0]), [U, D, U, D]],
  ['client_key_exchange (16), malformed body', hs(16), [U, U, U, U]],
  ['finished (20), wrong length', hs(20), [U, U, U, U]],
  ['key_update (24), update_not_requested', hs(24, [0]), [U, U, U, U]],
  ['unknown (99)', hs(99), [U, U, U, U]],
  ['handshake header claiming 2^24-1 bytes', (d) => d.handshake(Uint8Array.of(11, 0xff, 0xff, 0xff)), [D, D, D, D]],
  // RFC 8446 §5: the compatibility CCS (in clear) is dropped until the peer's Finished; TLS 1.2:
  // RFC 5246 §7.4.8 the CertificateVerify (and §7.4.7 the ClientKeyExchange) come first.
  ['ChangeCipherSpec 0x01 in clear', (d) => d.clear(20, Uint8Array.of(1)), [O, O, U, U]],
  ['warning close_notify', (d) => d.alert(1, 0), [N, N, N, N]],
  ['warning user_canceled', (d) => d.alert(1, 90), [O, O, O, O]],
  ['fatal handshake_failure', (d) => d.alert(2, 40), [C, C, C, C]],
  ['warning unexpected_message (TLS 1.3: fatal, §6.2; TLS 1.2 goes on, RFC 5246 §7.2)', (d) => d.alert(1, 10), [C, C, O, O]],
  ['application data', (d) => d.applicationData(Uint8Array.of(1, 2, 3)), [U, U, U, U]],
];

function outcome(d: Driven): { outcome: string; detail: string } {
  const sent = d.alerts();
  const detail = `errors [${d.errors.map((e) => `${e.alert} ${e.reason}`).join(', ')}], alerts [${sent.join(', ')}], phase ${d.conn.phase}`;
  const e = d.errors[0];
  if (!e) return { outcome: d.conn.phase === 'handshaking' && sent.length === 0 ? O : 'no error, yet not going on', detail };
  if (d.conn.phase !== 'closed') return { outcome: 'error but not closed', detail };
  if (e.alert === null) {
    if (sent.length === 0) return { outcome: C, detail };
    return { outcome: sent.length === 1 && sent[0] === AlertDescription.close_notify && e.reason === 'PeerClosed' ? N : 'closed, yet an alert was sent', detail };
  }
  return { outcome: sent.length === 1 && sent[0] === AlertDescription[e.alert] ? e.alert : `${e.alert} (not on the wire as such)`, detail };
}

describe('client-authentication state × message matrix', () => {
  describe.each(STATES.map((s, i) => [s, i] as [State, number]))('%s', (state, column) => {
    it.each(ROWS.map(([name, inject, outcomes]) => ({ name, inject, expected: outcomes[column]! })))('$name → $expected', ({ inject, expected }) => {
      const d = driveTo(state);
      inject(d);
      const got = outcome(d);
      expect(got.outcome, got.detail).toBe(expected);
    });
  });
});
