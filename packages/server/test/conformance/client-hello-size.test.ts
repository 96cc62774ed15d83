/**
 * Issue 16.1: every ClientHello the wire format allows is read — up to 131,396 bytes (the syntax's
 * maximum and OpenSSL's bound), spread over many records, with a 65 KB padding extension, ~4,000
 * unknown extensions, ~32,000 signature_algorithms or thousands of unknown groups — and one byte
 * more is refused from the message header with decode_error (RFC 8446 §6.2: it cannot conform to
 * the formal syntax). Memory stays bounded by the message. Parse cost: bench/clienthello.
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription } from '@puretls/record-layer';
import { MAX_CLIENT_HELLO_LENGTH, SUITES } from '@puretls/handshake-state-machine/internal';
import { exchange, makeContext } from '@puretls/test-support/harness13';
import { exchange12, makeContext12 } from '@puretls/test-support/harness12';
import type { ClientHelloOptions } from '@puretls/test-support/tls13-client';
import type { ClientHello12Options } from '@puretls/test-support/tls12-client';
import { records } from './wire';

const RECORD = 1 << 14;
/** `n` cipher suite codes we do not implement (no SCSV, none of ours). */
function unknownSuites(n: number): number[] {
  const skip = new Set([...SUITES.map((s) => s.code), 0x00ff, 0x5600]);
  const out: number[] = [];
  for (let c = 0x0100; out.length < n; c++) if (!skip.has(c)) out.push(c);
  return out;
}
const padding = (n: number) => ({ type: 21, data: new Uint8Array(n) });
/** `n` distinct unknown extensions of `size` bytes each. */
const unknownExtensions = (n: number, size = 0) => Array.from({ length: n }, (_, i) => ({ type: 0x7000 + i, data: new Uint8Array(size).fill(i & 0xff) }));

/**
 * The largest TLS 1.2 ClientHello: 32-byte session id, 32,767 cipher suites (ours first), 255
 * compression methods, an extensions block of 65,535 bytes (the client's usual ones and padding).
 */
function maxHello12(build: (o: ClientHello12Options) => Uint8Array): Uint8Array {
  const o: ClientHello12Options = {
    sessionId: new Uint8Array(32).fill(7),
    cipherSuites: [0xc02b, 0xc02f, ...unknownSuites(32767 - 2)],
    compression: Array.from({ length: 255 }, (_, i) => i),
    renegotiationInfo: null, // a renegotiation SCSV would not fit: the suites are full
  };
  const bare = build({ ...o, extra: [padding(0)] });
  return build({ ...o, extra: [padding(MAX_CLIENT_HELLO_LENGTH - (bare.length - 4))] });
}

/** `msg` with one more byte at the end and its header length raised to match (no longer any valid ClientHello). */
function oneByteMore(msg: Uint8Array): Uint8Array {
  const out = new Uint8Array(msg.length + 1);
  out.set(msg);
  const len = msg.length - 4 + 1;
  out.set([len >> 16, (len >> 8) & 0xff, len & 0xff], 1);
  return out;
}

describe('the largest ClientHello the syntax allows (131,396 bytes) completes a handshake', () => {
  it('TLS 1.2: 131,396 bytes over 9 records; the message is built as the syntax maximum', () => {
    const x = exchange12();
    const msg = maxHello12((o) => x.client.buildClientHello(o));
    expect(msg.length - 4).toBe(MAX_CLIENT_HELLO_LENGTH);
    expect(MAX_CLIENT_HELLO_LENGTH).toBe(131_396);
    const wire = records(msg, RECORD);
    expect(Math.ceil(msg.length / RECORD)).toBe(9);
    // Eight records: the message is partial, the server holds no more than it received.
    const firstEight = wire.subarray(0, 8 * (RECORD + 5));
    x.conn.receive(firstEight);
    expect(x.errors).toEqual([]);
    expect(x.conn.bufferedBytes).toBeLessThanOrEqual(8 * RECORD);
    x.send(wire.subarray(8 * (RECORD + 5)));
    expect(x.errors).toEqual([]);
    expect(x.client.received.map((m) => m.type)).toEqual([2, 11, 12, 14]);
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
    expect(x.conn.phase).toBe('open');
    expect(x.conn.info).toMatchObject({ version: 0x0303, cipherSuite: 0xc02b });
  });

  it('TLS 1.3: the largest TLS 1.3 ClientHello (one compression method: 131,142 bytes) over 9 records', () => {
    const x = exchange();
    const o: ClientHelloOptions = { sessionId: new Uint8Array(32).fill(7), cipherSuites: [0x1301, ...unknownSuites(32766)] };
    const bare = x.client.buildClientHello({ ...o, extra: [padding(0)] });
    const msg = x.client.buildClientHello({ ...o, extra: [padding(MAX_CLIENT_HELLO_LENGTH - 254 - (bare.length - 4))] });
    expect(msg.length - 4).toBe(131_142);
    x.send(records(msg, RECORD));
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
    expect(x.conn.phase).toBe('open');
  });

  it('one byte more: decode_error (MessageTooLarge) from the header, before the body is buffered', () => {
    const x = exchange12();
    const msg = oneByteMore(maxHello12((o) => x.client.buildClientHello(o)));
    expect(msg.length - 4).toBe(MAX_CLIENT_HELLO_LENGTH + 1);
    x.send(records(msg, RECORD).subarray(0, RECORD + 5)); // the first record only
    expect(x.errors.map((e) => `${e.alert} ${e.reason} ${e.code}`)).toEqual(['decode_error MessageTooLarge ERR_TLS_MESSAGE_TOO_LARGE']);
    expect(x.client.alerts).toEqual([{ level: 2, description: AlertDescription.decode_error }]);
    expect(x.conn.phase).toBe('closed');
  });

  it('a header claiming 2^24-1 bytes: decode_error at once, in either version', () => {
    for (const v of [0x0301, 0x0303]) {
      const x = exchange12();
      x.send(records(Uint8Array.of(1, 0xff, 0xff, 0xff), RECORD, 22, v));
      expect(x.errors.map((e) => e.reason)).toEqual(['MessageTooLarge']);
      expect(x.client.alerts).toEqual([{ level: 2, description: AlertDescription.decode_error }]);
    }
  });
});

describe('the shapes real clients and test suites send are served, in both versions', () => {
  const many: [string, Partial<ClientHelloOptions & ClientHello12Options>][] = [
    ['a 16 KB padding extension', { extra: [padding(16 * 1024)] }],
    ['a 65 KB padding extension', { extra: [padding(65_000)] }],
    ['4,000 unknown extensions', { extra: unknownExtensions(4000) }],
    ['16,000 unknown empty extensions (as many as fit)', { extra: unknownExtensions(16_000) }],
    ['32,000 signature_algorithms, ours last', { sigAlgs: [...Array.from({ length: 32_000 }, (_, i) => 0x0900 + i), 0x0403] }],
    ['16,000 unknown groups, x25519 last', { groups: [...Array.from({ length: 16_000 }, (_, i) => 0x0200 + i), 0x001d, 0x0017] }],
  ];
  it.each(many)('TLS 1.3: %s', (_name, opts) => {
    const x = exchange();
    x.send(records(x.client.buildClientHello(opts as ClientHelloOptions), 512));
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
    expect(x.conn.phase).toBe('open');
  });
  it.each(many)('TLS 1.2: %s', (_name, opts) => {
    const x = exchange12(makeContext12());
    x.send(records(x.client.buildClientHello(opts as ClientHello12Options), 512));
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
    expect(x.conn.phase).toBe('open');
  });
  it('a ClientHello in 1-byte records (the header split too) is read', () => {
    const x = exchange(makeContext());
    x.send(records(x.client.buildClientHello({ extra: unknownExtensions(50) }), 1));
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
  });
  it('a duplicate among thousands of extensions is still found: illegal_parameter', () => {
    const x = exchange();
    const ext = unknownExtensions(4000);
    x.send(records(x.client.buildClientHello({ extra: [...ext, ext[1234]!] }), RECORD));
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['illegal_parameter DuplicateExtension']);
  });
});
