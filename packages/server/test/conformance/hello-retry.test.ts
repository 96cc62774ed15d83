/**
 * Issue 16.2: HelloRetryRequest carries no `cookie` unless the server opts in (`hrrCookie`), and is
 * otherwise what RFC 8446 §4.1.4 requires (legacy_session_id_echo, the suite, supported_versions,
 * key_share). The second ClientHello is the first "without modification, except" what §4.1.2
 * lists — checked for every extension, not a chosen few — and carries our cookie exactly when we
 * sent one (§4.2.2).
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription } from '@puretls/record-layer';
import { HELLO_RETRY_REQUEST_RANDOM, readServerHello } from '@puretls/handshake-state-machine/internal';
import { ServerContext } from '../../src/index';
import { ecdsaCertificate, exchange, makeContext, type Exchange } from '@puretls/test-support/harness13';
import { TestClient13, type ClientHelloOptions } from '@puretls/test-support/tls13-client';

const P256 = 0x0017;
const X25519 = 0x001d;

/** A context that has only P-256, so that a client sending an x25519 share gets a HelloRetryRequest. */
const p256Only = (extra: Parameters<typeof makeContext>[0] = {}) => makeContext({ groups: ['secp256r1'], ...extra });

/** ClientHello1 (x25519 share only) and the server's HelloRetryRequest, parsed. */
function retry(ctx: ServerContext, first: ClientHelloOptions = {}): { x: Exchange; hrr: ReturnType<typeof readServerHello> } {
  const x = exchange(ctx);
  x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ shareGroups: ['x25519'], sessionId: new Uint8Array(32).fill(1), ...first })));
  const raw = x.client.received[0]!.raw;
  const hrr = readServerHello(raw.subarray(4));
  expect(hrr.random).toEqual(HELLO_RETRY_REQUEST_RANDOM);
  return { x, hrr };
}

/** ClientHello2 with `second` (the same as the first unless told), and what the server said. */
function secondHello(x: Exchange, second: ClientHelloOptions): string[] {
  x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ random: x.client.clientRandom, sessionId: new Uint8Array(32).fill(1), shareGroups: ['secp256r1'], ...second }), 22, 0x0303));
  return x.errors.map((e) => `${e.alert} ${e.reason}`);
}

describe('HelloRetryRequest, by default', () => {
  it('has exactly key_share and supported_versions (no cookie), echoes the session id, names the suite', () => {
    const { x, hrr } = retry(p256Only());
    expect(hrr.extensions.map((e) => e.type)).toEqual([51, 43]);
    expect(hrr.extensions[0]!.data).toEqual(Uint8Array.of(0, P256));
    expect(hrr.legacySessionIdEcho).toEqual(new Uint8Array(32).fill(1));
    expect(hrr.cipherSuite).toBe(0x1301);
    expect(x.client.helloRetry).toEqual({ group: P256 });
  });
  it('the second ClientHello, without a cookie, completes the handshake', () => {
    const { x } = retry(p256Only());
    expect(secondHello(x, {})).toEqual([]);
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ helloRetry: true, group: 'secp256r1' });
  });
  it('a cookie we did not send → illegal_parameter BadCookie (RFC 8446 §4.1.2: only "if one was provided")', () => {
    const { x } = retry(p256Only());
    expect(secondHello(x, { cookie: Uint8Array.of(1, 2, 3) })).toEqual(['illegal_parameter BadCookie']);
    expect(x.clientAlerts.at(-1)).toBe(AlertDescription.illegal_parameter);
  });
  it('a cookie in ClientHello1 is ignored (as OpenSSL); echoed unchanged in ClientHello2 it is no modification', () => {
    const { x } = retry(p256Only(), { cookie: Uint8Array.of(9, 9) });
    expect(secondHello(x, { cookie: Uint8Array.of(9, 9) })).toEqual([]);
    const again = retry(p256Only(), { cookie: Uint8Array.of(9, 9) });
    expect(secondHello(again.x, {})).toEqual(['illegal_parameter BadCookie']);
  });
});

describe('HelloRetryRequest with hrrCookie (opt-in)', () => {
  it('true: a 32-byte cookie between key_share and supported_versions (RFC 8448 §5 order); echoing it completes', () => {
    const { x, hrr } = retry(p256Only({ hrrCookie: true }));
    expect(hrr.extensions.map((e) => e.type)).toEqual([51, 44, 43]);
    const cookie = x.client.helloRetry!.cookie!;
    expect(cookie).toHaveLength(32);
    expect(secondHello(x, { cookie })).toEqual([]);
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
  });
  it('a function supplies the bytes; a missing or different cookie → illegal_parameter BadCookie', () => {
    const ctx = p256Only({ hrrCookie: () => Uint8Array.of(1, 2, 3, 4) });
    expect(retry(ctx).x.client.helloRetry!.cookie).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(secondHello(retry(ctx).x, {})).toEqual(['illegal_parameter BadCookie']);
    expect(secondHello(retry(ctx).x, { cookie: Uint8Array.of(1, 2, 3, 5) })).toEqual(['illegal_parameter BadCookie']);
    expect(secondHello(retry(ctx).x, { cookie: Uint8Array.of(1, 2, 3, 4) })).toEqual([]);
  });
  it('options are checked: anything but a boolean or a function is refused; the old makeHrrCookie is refused by name', () => {
    const base = { certificates: [ecdsaCertificate()] };
    expect(() => new ServerContext({ ...base, hrrCookie: 'yes' as never })).toThrow(/options\.hrrCookie/);
    expect(() => new ServerContext({ ...base, makeHrrCookie: () => Uint8Array.of(1) } as never)).toThrow(/options\.makeHrrCookie: no longer supported/);
  });
});

describe('the second ClientHello is the first without modification, except … (RFC 8446 §4.1.2)', () => {
  const changedBy: [string, ClientHelloOptions, ClientHelloOptions][] = [
    ['record_size_limit modified', { recordSizeLimit: 2 ** 14 + 1 }, { recordSizeLimit: 2 ** 14 }],
    ['record_size_limit removed', { recordSizeLimit: 2 ** 14 + 1 }, { recordSizeLimit: undefined }],
    ['record_size_limit added', {}, { recordSizeLimit: 2 ** 14 + 1 }],
    ['ALPN changed', { alpn: ['h2'] }, { alpn: ['http/1.1'] }],
    ['server_name changed', {}, { serverName: 'other.example' }],
    ['signature_algorithms reordered', { sigAlgs: [0x0403, 0x0804] }, { sigAlgs: [0x0804, 0x0403] }],
    ['supported_groups changed', { groups: [X25519, P256] }, { groups: [P256] }],
    ['an unknown extension added', {}, { extra: [{ type: 0x7777, data: new Uint8Array(0) }] }],
    ['an unknown extension changed', { extra: [{ type: 0x7777, data: Uint8Array.of(1) }] }, { extra: [{ type: 0x7777, data: Uint8Array.of(2) }] }],
    ['psk_key_exchange_modes changed', { pskModes: [1] }, { pskModes: [0, 1] }],
    ['cipher_suites changed', { cipherSuites: [0x1301, 0x1302] }, { cipherSuites: [0x1301] }],
    ['legacy_session_id changed', {}, { sessionId: new Uint8Array(32).fill(2) }],
  ];
  it.each(changedBy)('%s → illegal_parameter SecondClientHelloChanged', (_name, first, second) => {
    const { x } = retry(p256Only({ alpnProtocols: ['h2', 'http/1.1'] }), first);
    expect(secondHello(x, { ...first, ...second })).toEqual(['illegal_parameter SecondClientHelloChanged']);
  });
  it('padding may change; the same extensions in the same order complete', () => {
    const { x } = retry(p256Only(), { extra: [{ type: 21, data: new Uint8Array(10) }], recordSizeLimit: 1000 });
    expect(secondHello(x, { extra: [{ type: 21, data: new Uint8Array(300) }], recordSizeLimit: 1000 })).toEqual([]);
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
  });
  it('early_data in the second ClientHello → illegal_parameter (RFC 8446 §4.2.10); a share for another group → HrrKeyShareNotFixed', () => {
    expect(secondHello(retry(p256Only()).x, { extra: [{ type: 42, data: new Uint8Array(0) }] })).toEqual(['illegal_parameter SecondClientHelloChanged']);
    expect(secondHello(retry(p256Only()).x, { shareGroups: ['x25519'] })).toEqual(['illegal_parameter HrrKeyShareNotFixed']);
  });
});
