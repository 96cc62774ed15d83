/**
 * Issue 16.7: record_size_limit (RFC 8449), both versions. Our outgoing protected records fit the
 * client's limit (TLS 1.3: content type and padding included; TLS 1.2: the plaintext), down to 64;
 * a limit above the protocol's is accepted ("A server MUST NOT enforce this restriction") and we
 * still send at most 2^14; our own limit (the `recordSizeLimit` option) is advertised and enforced
 * on the client's protected records with record_overflow, only when negotiated; a value below 64
 * is illegal_parameter; the limit is negotiated afresh in resumption and kept across
 * HelloRetryRequest; max_fragment_length is ignored when both are offered (RFC 8449 §5).
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription, ContentType, MAX_CIPHERTEXT_TLS12, Reader, RecordReader, type TlsRecord } from '@puretls/record-layer';
import { keysFor, readExtensions, type Extension } from '@puretls/handshake-state-machine/internal';
import type { ServerConnection, ServerContext } from '../../src/index';
import { exchange, makeContext } from '@puretls/test-support/harness13';
import { TestClient13, type ClientHelloOptions } from '@puretls/test-support/tls13-client';
import { exchange12, makeContext12 } from '@puretls/test-support/harness12';
import { TestClient12, type ClientHello12Options } from '@puretls/test-support/tls12-client';
import { Sealer } from './wire';

const TAG = 16;
const RSL = 28;

/** Every record in `bytes`. */
function parse(bytes: Uint8Array): TlsRecord[] {
  const r = new RecordReader();
  r.maxFragmentLength = MAX_CIPHERTEXT_TLS12;
  r.push(bytes);
  const out: TlsRecord[] = [];
  for (let rec = r.next(); rec; rec = r.next()) out.push(rec);
  return out;
}

/** A connection whose every output record is kept (raw), besides being fed to the client. */
function capture(conn: ServerConnection, deliver: (b: Uint8Array) => void) {
  const recs: TlsRecord[] = [];
  return {
    recs,
    send(bytes: Uint8Array) {
      conn.receive(bytes);
      const out = conn.takeOutput();
      if (out.length) {
        recs.push(...parse(out.slice()));
        deliver(out);
      }
    },
    /** Server → client application data: write, then collect. */
    write(n: number) {
      conn.write(new Uint8Array(n).fill(0x61));
      const out = conn.takeOutput();
      recs.push(...parse(out.slice()));
      deliver(out);
    },
  };
}

/** TLS 1.3: the inner plaintext length (content ‖ type ‖ padding) of each protected record. */
const inner13 = (recs: TlsRecord[]) => recs.filter((r) => r.type === ContentType.application_data).map((r) => r.fragment.length - TAG);
/** TLS 1.2 AES-GCM: the plaintext length of each protected record (after the CCS). */
const plain12 = (recs: TlsRecord[]) => {
  const ccs = recs.findIndex((r) => r.type === ContentType.change_cipher_spec);
  return recs.slice(ccs + 1).map((r) => r.fragment.length - 8 - TAG);
};

function ee13(client: TestClient13): Extension[] {
  const raw = client.received.find((m) => m.type === 8)!.raw;
  return readExtensions(new Reader(raw.subarray(4), 'EncryptedExtensions'), 'EncryptedExtensions');
}
const rslOf = (exts: readonly Extension[] | Map<number, Uint8Array>): number | undefined => {
  const d = exts instanceof Map ? exts.get(RSL) : exts.find((e) => e.type === RSL)?.data;
  return d === undefined ? undefined : (d[0]! << 8) | d[1]!;
};

function tls13(ctx: ServerContext, opts: ClientHelloOptions) {
  const x = exchange(ctx);
  const c = capture(x.conn, (b) => x.client.receive(b));
  c.send(TestClient13.plaintextRecord(x.client.buildClientHello(opts)));
  c.send(x.client.finish());
  return { x, c };
}
function tls12(ctx: ServerContext, opts: ClientHello12Options) {
  const x = exchange12(ctx);
  const c = capture(x.conn, (b) => x.client.receive(b));
  c.send(TestClient12.plaintextRecord(x.client.buildClientHello(opts)));
  c.send(x.client.finish());
  return { x, c };
}

describe('TLS 1.3', () => {
  it('the minimal limit (64): every protected record we send carries at most 64 bytes with its content type (63 of content)', () => {
    const { x, c } = tls13(makeContext(), { recordSizeLimit: 64 });
    expect(x.errors).toEqual([]);
    c.write(1000);
    const sizes = inner13(c.recs);
    expect(sizes.length).toBeGreaterThan(20); // EncryptedExtensions … Finished, tickets, data: all fragmented
    expect(Math.max(...sizes)).toBe(64);
    expect(x.client.appData.map((d) => d.length)).toEqual([...Array(15).fill(63), 1000 - 15 * 63]);
  });
  it('we advertise 2^14 + 1 (the protocol limit, content type included) when, and only when, the client offers the extension', () => {
    expect(rslOf(ee13(tls13(makeContext(), { recordSizeLimit: 2 ** 14 + 1 }).x.client))).toBe(2 ** 14 + 1);
    expect(rslOf(ee13(tls13(makeContext(), {}).x.client))).toBeUndefined();
  });
  it('a limit above the protocol maximum is accepted, never enforced; we still send at most 2^14 + 1', () => {
    for (const limit of [2 ** 14 + 2, 0xffff]) {
      const { x, c } = tls13(makeContext(), { recordSizeLimit: limit });
      expect(x.errors).toEqual([]);
      c.write(40_000);
      expect(Math.max(...inner13(c.recs))).toBe(2 ** 14 + 1);
    }
  });
  it('our own limit (recordSizeLimit: 1000) is advertised and enforced: 1000 with the content type passes, 1001 → record_overflow', () => {
    const ctx = makeContext({ recordSizeLimit: 1000 });
    const ok = tls13(ctx, { recordSizeLimit: 2 ** 14 + 1 });
    expect(rslOf(ee13(ok.x.client))).toBe(1000);
    const p = ok.x.client.provider;
    const seal = new Sealer(p, keysFor(p, ok.x.client.suite!, ok.x.client.clientApSecret!));
    ok.c.send(seal.record(ContentType.application_data, new Uint8Array(999)));
    expect(ok.x.errors).toEqual([]);
    // 990 bytes of content, the type and 10 bytes of padding: 1001 — the padding counts (RFC 8449 §4).
    ok.c.send(seal.record(ContentType.application_data, new Uint8Array(990), 10));
    expect(ok.x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['record_overflow PlaintextOverflow']);
    expect(ok.x.clientAlerts.at(-1)).toBe(AlertDescription.record_overflow);
  });
  it('our own limit applies only when negotiated: without the client’s extension, 2^14 is accepted', () => {
    const { x } = tls13(makeContext({ recordSizeLimit: 1000 }), {});
    const p = x.client.provider;
    x.send(new Sealer(p, keysFor(p, x.client.suite!, x.client.clientApSecret!)).record(ContentType.application_data, new Uint8Array(2 ** 14)));
    expect(x.errors).toEqual([]);
  });
  it('kept across HelloRetryRequest: the limit of the (unchanged) second ClientHello applies', () => {
    const x = exchange(makeContext({ groups: ['secp256r1'] }));
    const c = capture(x.conn, (b) => x.client.receive(b));
    c.send(TestClient13.plaintextRecord(x.client.buildClientHello({ shareGroups: ['x25519'], recordSizeLimit: 64 })));
    c.send(TestClient13.plaintextRecord(x.client.buildClientHello({ random: x.client.clientRandom, shareGroups: ['secp256r1'], recordSizeLimit: 64 }), 22, 0x0303));
    c.send(x.client.finish());
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ helloRetry: true });
    expect(Math.max(...inner13(c.recs))).toBe(64);
  });
  it('negotiated afresh in resumption: a new limit applies, a dropped one no longer does', () => {
    const ctx = makeContext();
    const first = tls13(ctx, { recordSizeLimit: 2 ** 14 });
    const tickets = [first.x.client.tickets[0]!];
    const changed = tls13(ctx, { recordSizeLimit: 64, resume: { tickets } });
    expect(changed.x.conn.info).toMatchObject({ resumed: true });
    changed.c.write(500);
    expect(Math.max(...inner13(changed.c.recs))).toBe(64);
    const dropped = tls13(ctx, { resume: { tickets: [first.x.client.tickets[1]!] } });
    expect(dropped.x.conn.info).toMatchObject({ resumed: true });
    expect(rslOf(ee13(dropped.x.client))).toBeUndefined();
    dropped.c.write(20_000);
    expect(Math.max(...inner13(dropped.c.recs))).toBe(2 ** 14 + 1);
  });
  it('a value below 64 → illegal_parameter; an empty or padded extension → decode_error', () => {
    const fail = (ext: Uint8Array) => {
      const x = exchange();
      x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ extra: [{ type: RSL, data: ext }] })));
      return x.errors.map((e) => `${e.alert} ${e.reason}`);
    };
    expect(fail(Uint8Array.of(0, 63))).toEqual(['illegal_parameter BadRecordSizeLimit']);
    expect(fail(new Uint8Array(0))).toEqual(['decode_error Truncated']);
    expect(fail(Uint8Array.of(0, 0x40, 0))).toEqual(['decode_error TrailingData']);
  });
});

describe('TLS 1.2', () => {
  it('the minimal limit (64): our Finished and application data records carry at most 64 bytes of plaintext', () => {
    const { x, c } = tls12(makeContext12(), { recordSizeLimit: 64 });
    expect(x.errors).toEqual([]);
    c.write(1000);
    expect(Math.max(...plain12(c.recs))).toBe(64);
    expect(x.client.appData.map((d) => d.length)).toEqual([...Array(15).fill(64), 1000 - 15 * 64]);
  });
  it('we advertise 2^14 (TLS 1.2 counts the plaintext only) when, and only when, the client offers the extension', () => {
    expect(rslOf(tls12(makeContext12(), { recordSizeLimit: 2 ** 14 + 1 }).x.client.serverExtensions)).toBe(2 ** 14);
    expect(rslOf(tls12(makeContext12(), {}).x.client.serverExtensions)).toBeUndefined();
  });
  it('with the SHA-384 PRF suite and ChaCha20-Poly1305 too (neither changes the record sizes)', () => {
    for (const suite of [0xc02c, 0xcca9]) {
      const { x, c } = tls12(makeContext12(), { recordSizeLimit: 64, cipherSuites: [suite] });
      expect(x.errors).toEqual([]);
      expect(x.conn.info?.cipherSuite).toBe(suite);
      c.write(300);
      const explicit = suite === 0xcca9 ? 0 : 8;
      const ccs = c.recs.findIndex((r) => r.type === ContentType.change_cipher_spec);
      expect(Math.max(...c.recs.slice(ccs + 1).map((r) => r.fragment.length - explicit - TAG))).toBe(64);
    }
  });
  it('a limit above 2^14 is accepted, never enforced; we send at most 2^14', () => {
    const { x, c } = tls12(makeContext12(), { recordSizeLimit: 0xffff });
    expect(x.errors).toEqual([]);
    c.write(40_000);
    expect(Math.max(...plain12(c.recs))).toBe(2 ** 14);
  });
  it('our own limit (recordSizeLimit: 1000 → 999 in TLS 1.2) is advertised and enforced with record_overflow', () => {
    const { x } = tls12(makeContext12({ recordSizeLimit: 1000 }), { recordSizeLimit: 2 ** 14 });
    expect(rslOf(x.client.serverExtensions)).toBe(999);
    const seal = new Sealer(x.client.provider, { ...x.client.keys!.client, initialSequenceNumber: 1n }); // the Finished used 0
    x.send(seal.record(ContentType.application_data, new Uint8Array(999)));
    expect(x.errors).toEqual([]);
    x.send(seal.record(ContentType.application_data, new Uint8Array(1000)));
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['record_overflow PlaintextOverflow']);
    expect(x.client.alerts.at(-1)).toEqual({ level: 2, description: AlertDescription.record_overflow });
  });
  it('negotiated afresh in an abbreviated handshake: a new limit applies, a dropped one no longer does', () => {
    const ctx = makeContext12();
    const first = tls12(ctx, { recordSizeLimit: 2 ** 14 });
    const session = first.x.client.session;
    const changed = tls12(ctx, { resume: session, recordSizeLimit: 64 });
    expect(changed.x.conn.info).toMatchObject({ resumed: true });
    expect(rslOf(changed.x.client.serverExtensions)).toBe(2 ** 14);
    changed.c.write(500);
    expect(Math.max(...plain12(changed.c.recs))).toBe(64);
    const dropped = tls12(ctx, { resume: session });
    expect(dropped.x.conn.info).toMatchObject({ resumed: true });
    expect(rslOf(dropped.x.client.serverExtensions)).toBeUndefined();
    dropped.c.write(20_000);
    expect(Math.max(...plain12(dropped.c.recs))).toBe(2 ** 14);
  });
  it('max_fragment_length beside record_size_limit is ignored, even a bad value (RFC 8449 §5); alone, a bad one is illegal_parameter', () => {
    const both = tls12(makeContext12(), { recordSizeLimit: 100, extra: [{ type: 1, data: Uint8Array.of(5) }] });
    expect(both.x.errors).toEqual([]);
    expect(both.x.client.serverExtensions.has(1)).toBe(false);
    both.c.write(300);
    expect(Math.max(...plain12(both.c.recs))).toBe(100);
    const alone = exchange12();
    alone.send(TestClient12.plaintextRecord(alone.client.buildClientHello({ extra: [{ type: 1, data: Uint8Array.of(5) }] })));
    expect(alone.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['illegal_parameter BadMaxFragmentLength']);
  });
  it('a value below 64 → illegal_parameter', () => {
    const x = exchange12();
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({ recordSizeLimit: 63 })));
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['illegal_parameter BadRecordSizeLimit']);
  });
});

describe('the recordSizeLimit option', () => {
  it('is 64..2^14 + 1', () => {
    for (const bad of [63, 2 ** 14 + 2, 1000.5]) expect(() => makeContext({ recordSizeLimit: bad })).toThrow(/options\.recordSizeLimit/);
    expect(() => makeContext({ recordSizeLimit: 64 })).not.toThrow();
  });
});
