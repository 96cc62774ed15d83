/**
 * The same hostile bytes, over TCP, to `puretls` (through the Node adapter: what reaches the wire)
 * and to `openssl s_server` 3.0: each answer is asserted, and where they differ the row says why
 * (the RFC sentence in record-layer/src/alerts.ts). Every refusal is an alert, then the close —
 * no peer is left waiting (issue 16.4). Protected alerts are decrypted by the test clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '@puretls/crypto';
import { AlertDescription, ContentType, type AlertDescriptionName } from '@puretls/record-layer';
import { MAX_CLIENT_HELLO_LENGTH, SUITES, keysFor } from '@puretls/handshake-state-machine/internal';
import { Client12, Client13, Sealer, records, startOpenssl, startPuretls, testCerts, type Peer } from './wire';

const certs = testCerts();
let peers: { puretls: Peer; openssl: Peer };
beforeAll(async () => {
  peers = { puretls: await startPuretls(certs.ecdsa), openssl: await startOpenssl(certs.ecdsa) };
}, 60_000);
afterAll(async () => {
  await peers?.puretls.stop();
  await peers?.openssl.stop();
  certs.dir.cleanup();
});

/**
 * What a server did: sent this fatal alert and closed; closed without one (`closed`: the peer's own
 * error alert ended it, RFC 8446 §6); or carried on (`open`: the handshake completed, a request was answered).
 */
type Outcome = AlertDescriptionName | 'closed' | 'open';
interface Case<C> {
  readonly run: (c: C) => Promise<void>;
  /** puretls's answer, and OpenSSL's when it differs (with the reason in `why`). */
  readonly puretls: Outcome;
  readonly openssl?: Outcome;
  readonly why?: string;
}

const plain = (type: number, body: number[] | Uint8Array) => records(Uint8Array.from(body), 1 << 14, type, 0x0303);
/** A sealer for the client's handshake key (TLS 1.3), from sequence number 0. */
const hsKey = (c: Client13) => new Sealer(c.client.provider, keysFor(c.client.provider, c.client.suite!, c.client.clientHsSecret!));
const hello13 = (c: Client13, o: Parameters<Client13['client']['buildClientHello']>[0] = {}) => c.hello(records(c.client.buildClientHello(o)));
const hello12 = (c: Client12, o: Parameters<Client12['client']['buildClientHello']>[0] = {}) => c.hello(records(c.client.buildClientHello(o)));

const CASES13: Record<string, Case<Client13>> = {
  'a zero-length alert record in clear after the server flight': { run: async (c) => (await hello13(c), c.wire.send(plain(21, []))), puretls: 'unexpected_message' },
  'a zero-length alert record under the handshake key, padded': { run: async (c) => (await hello13(c), c.wire.send(hsKey(c).record(21, new Uint8Array(0), 20))), puretls: 'unexpected_message' },
  'a zero-length handshake record under the handshake key': { run: async (c) => (await hello13(c), c.wire.send(hsKey(c).record(22, new Uint8Array(0)))), puretls: 'unexpected_message' },
  'zero-length application data interleaved with the handshake': { run: async (c) => (await hello13(c), c.wire.send(hsKey(c).record(23, new Uint8Array(0)))), puretls: 'unexpected_message' },
  'zero-length application data with padding during the handshake': { run: async (c) => (await hello13(c), c.wire.send(hsKey(c).record(23, new Uint8Array(0), 30))), puretls: 'unexpected_message' },
  'five user_canceled warnings in a row': {
    run: async (c) => {
      await hello13(c);
      const s = hsKey(c);
      c.wire.send(...Array.from({ length: 5 }, () => s.record(21, Uint8Array.of(1, 90))));
    },
    puretls: 'unexpected_message',
  },
  'a warning-level error alert (RFC 8446 §6.2: fatal "regardless of the AlertLevel"): closed, nothing sent': {
    run: async (c) => (await hello13(c), c.wire.send(hsKey(c).record(21, Uint8Array.of(1, 43)))),
    puretls: 'closed',
  },
  'an x25519 share of 31 bytes': { run: async (c) => hello13(c, { rawShares: [{ group: 0x1d, keyExchange: new Uint8Array(31).fill(7) }] }), puretls: 'illegal_parameter' },
  'an x25519 share of 33 bytes': { run: async (c) => hello13(c, { rawShares: [{ group: 0x1d, keyExchange: new Uint8Array(33).fill(7) }] }), puretls: 'illegal_parameter' },
  'a P-256 share of 64 bytes': { run: async (c) => hello13(c, { groups: [0x17], rawShares: [{ group: 0x17, keyExchange: new Uint8Array(64).fill(4) }] }), puretls: 'illegal_parameter' },
  'only unknown groups and key shares': { run: async (c) => hello13(c, { groups: [0x1234, 0x2345], rawShares: [{ group: 0x1234, keyExchange: new Uint8Array(10).fill(7) }] }), puretls: 'handshake_failure' },
  'only unknown groups, no key share': { run: async (c) => hello13(c, { groups: [0x1234, 0x2345], rawShares: [] }), puretls: 'handshake_failure' },
  'a Certificate the server never asked for (a 64 KiB header)': { run: async (c) => (await hello13(c), c.wire.send(hsKey(c).record(22, Uint8Array.of(11, 1, 0, 0, 0, 0)))), puretls: 'unexpected_message' },
  'legacy_version 0x0301 beside supported_versions (RFC 8446 §4.2.1: not used)': { run: async (c) => hello13(c, { legacyVersion: 0x0301 }), puretls: 'open' },
  'a ChangeCipherSpec of 0x02': {
    run: async (c) => (await hello13(c), c.wire.send(plain(20, [2]))),
    puretls: 'unexpected_message',
    openssl: 'illegal_parameter',
    why: 'RFC 8446 §5 names unexpected_message for "any other change_cipher_spec value"',
  },
  'a handshake header claiming 2^24-1 bytes': {
    run: async (c) => c.wire.send(records(Uint8Array.of(1, 0xff, 0xff, 0xff, ...new Uint8Array(100)))),
    puretls: 'decode_error',
    openssl: 'illegal_parameter',
    why: 'RFC 8446 §6.2: no ClientHello that long conforms to the formal syntax (decode_error); illegal_parameter is for errors that do',
  },
  'a host name with a BEL character': {
    run: async (c) => hello13(c, { serverName: null, extra: [{ type: 0, data: Uint8Array.of(0, 7, 0, 0, 4, 0x61, 7, 0x62, 0x63) }] }),
    puretls: 'illegal_parameter',
    openssl: 'open',
    why: 'RFC 6066 §3: HostName is a DNS host name in ASCII; OpenSSL refuses only NUL (with unrecognized_name)',
  },
  'record_size_limit 63': {
    run: async (c) => hello13(c, { recordSizeLimit: 63 }),
    puretls: 'illegal_parameter',
    openssl: 'open',
    why: 'RFC 8449 §4 ("MUST treat receipt of a smaller value as a fatal error"); OpenSSL 3.0 lacks the extension',
  },
  '10,000 zero-length handshake records after the handshake': {
    run: async (c) => {
      await hello13(c);
      await c.finish();
      const s = new Sealer(c.client.provider, keysFor(c.client.provider, c.client.suite!, c.client.clientApSecret!));
      c.wire.send(concatBytes(...Array.from({ length: 10_000 }, () => s.record(22, new Uint8Array(0)))));
    },
    puretls: 'unexpected_message', // at the first (RFC 8446 §5.4); OpenSSL after 32 (MAX_EMPTY_RECORDS)
  },
};

/** The largest TLS 1.2 ClientHello (131,396 bytes), or one byte more (header length patched). */
function maxHello12(c: Client12, extra = 0): Uint8Array {
  const skip = new Set([...SUITES.map((s) => s.code), 0x00ff, 0x5600]);
  const suites: number[] = [0xc02b];
  for (let x = 0x0100; suites.length < 32767; x++) if (!skip.has(x)) suites.push(x);
  const o = { sessionId: new Uint8Array(32).fill(7), cipherSuites: suites, compression: Array.from({ length: 255 }, (_, i) => i), renegotiationInfo: null };
  const bare = c.client.buildClientHello({ ...o, extra: [{ type: 21, data: new Uint8Array(0) }] });
  const msg = c.client.buildClientHello({ ...o, extra: [{ type: 21, data: new Uint8Array(MAX_CLIENT_HELLO_LENGTH - (bare.length - 4)) }] });
  if (extra === 0) return msg;
  const out = concatBytes(msg, new Uint8Array(extra));
  const len = out.length - 4;
  out.set([len >> 16, (len >> 8) & 0xff, len & 0xff], 1);
  return out;
}

const CASES12: Record<string, Case<Client12>> = {
  'no signature_algorithms (SHA-1 only, RFC 5246 §7.4.1.4.1)': { run: async (c) => hello12(c, { sigAlgs: null }), puretls: 'handshake_failure' },
  'TLS_FALLBACK_SCSV with legacy_version 0x0304 and no supported_versions': { run: async (c) => hello12(c, { legacyVersion: 0x0304, fallbackScsv: true }), puretls: 'inappropriate_fallback' },
  'TLS_FALLBACK_SCSV with legacy_version 0x0303': { run: async (c) => hello12(c, { fallbackScsv: true }), puretls: 'inappropriate_fallback' },
  'four warning alerts after the ClientHello: the handshake goes on': {
    run: async (c) => {
      const w = plain(21, [1, 43]);
      c.wire.send(records(c.client.buildClientHello()), w, w, w, w);
    },
    puretls: 'open',
  },
  'five warning alerts after the ClientHello (CVE-2016-8610)': {
    run: async (c) => {
      const w = plain(21, [1, 43]);
      c.wire.send(records(c.client.buildClientHello()), w, w, w, w, w);
    },
    puretls: 'unexpected_message',
  },
  'zero-length application data before the ChangeCipherSpec': { run: async (c) => (await hello12(c), c.wire.send(plain(23, []))), puretls: 'unexpected_message' },
  'a zero-length alert record': { run: async (c) => (await hello12(c), c.wire.send(plain(21, []))), puretls: 'unexpected_message' },
  'a ChangeCipherSpec of 0x01 0x01': { run: async (c) => (await hello12(c), c.wire.send(plain(20, [1, 1]))), puretls: 'unexpected_message' },
  'an alert record of 3 bytes': {
    run: async (c) => (await hello12(c), c.wire.send(plain(21, [1, 0, 0]))),
    puretls: 'decode_error',
    openssl: 'unexpected_message',
    why: 'RFC 8446 §5.1 ("exactly one message") names no alert: a message of the wrong length is decode_error (RFC 8446 §6.2)',
  },
  'a zero-length ChangeCipherSpec record': {
    run: async (c) => (await hello12(c), c.wire.send(plain(20, []))),
    puretls: 'unexpected_message',
    openssl: 'open',
    why: 'RFC 5246 §6.2.1 forbids it; OpenSSL drops it as an empty record',
  },
  'the largest ClientHello (131,396 bytes in 9 records)': { run: async (c) => c.hello(records(maxHello12(c))), puretls: 'open' },
  'one byte more': {
    run: async (c) => c.wire.send(records(maxHello12(c, 1))),
    puretls: 'decode_error',
    openssl: 'illegal_parameter',
    why: 'as for a header claiming 2^24-1: beyond the syntax is decode_error (RFC 8446 §6.2)',
  },
  '10,000 zero-length handshake records after the handshake': {
    run: async (c) => {
      await hello12(c);
      await c.finish();
      const s = new Sealer(c.client.provider, { ...c.client.keys!.client, initialSequenceNumber: 1n });
      c.wire.send(concatBytes(...Array.from({ length: 10_000 }, () => s.record(22, new Uint8Array(0)))));
    },
    puretls: 'unexpected_message',
  },
};

/**
 * Judges one peer: an expected alert must arrive (fatal, last) and the connection close — bounded,
 * so a peer left waiting fails; `open` must let the handshake complete and an HTTP request be answered.
 */
async function judge(expected: Outcome, fatal: () => number[], closed: () => Promise<void>, request: () => Promise<void>, answered: () => boolean): Promise<string> {
  if (expected === 'open') {
    await request();
    return answered() && fatal().length === 0 ? 'open' : `not answered (alerts ${fatal().join(',')})`;
  }
  await closed();
  const last = fatal().at(-1);
  return last === undefined ? 'closed' : (Object.entries(AlertDescription).find(([, v]) => v === last)?.[0] ?? `alert ${last}`);
}

describe('TLS 1.3: puretls and openssl s_server on the same bytes', () => {
  it.each(Object.entries(CASES13))('%s', async (_name, k) => {
    for (const who of ['puretls', 'openssl'] as const) {
      const expected = who === 'openssl' ? (k.openssl ?? k.puretls) : k.puretls;
      const c = await Client13.connect(peers[who].port);
      try {
        await k.run(c);
        const fatal = () => c.client.alerts.filter((a) => a !== AlertDescription.close_notify);
        const got = await judge(expected, fatal, async () => (await c.wire.closed(10_000), c.pump()), () => c.request(), () => c.client.appData.length > 0);
        expect(got, who).toBe(expected);
      } finally {
        c.wire.destroy();
      }
    }
  }, 60_000);
});

describe('TLS 1.2: puretls and openssl s_server on the same bytes', () => {
  it.each(Object.entries(CASES12))('%s', async (_name, k) => {
    for (const who of ['puretls', 'openssl'] as const) {
      const expected = who === 'openssl' ? (k.openssl ?? k.puretls) : k.puretls;
      const c = await Client12.connect(peers[who].port);
      try {
        await k.run(c);
        const fatal = () => c.client.alerts.filter((a) => a.level === 2).map((a) => a.description);
        const got = await judge(expected, fatal, async () => (await c.wire.closed(10_000), c.pump()), () => c.request(), () => c.client.appData.length > 0);
        expect(got, who).toBe(expected);
      } finally {
        c.wire.destroy();
      }
    }
  }, 60_000);
});
