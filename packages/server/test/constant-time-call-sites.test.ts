/**
 * Secrets in memory (issue #10), the call sites: the client Finished (TLS 1.3 and TLS 1.2), the PSK
 * binder and the HelloRetryRequest cookie are compared with `equalConstantTime` (which reads every
 * byte: secrets.test.ts). Each test sends one wrong value — the right one with one bit flipped — and
 * asserts that exactly that value reached `equalConstantTime`, against the value the server expected,
 * that the comparison answered `false`, and that the handshake failed with the RFC's alert.
 *
 * Observed from outside: `equalConstantTime` is the `@puretls/crypto` export every package imports;
 * this file wraps it (vi.mock) to record each comparison and its answer, and changes nothing else.
 * (The AEAD tag check inside the noble provider is the crypto package's: aead-tag-compare.test.ts.)
 */
import { describe, expect, it, vi } from 'vitest';
import { createNobleProvider } from '@puretls/crypto';
import { ServerConnection, type ServerContext } from '../src/index';
import { exchange, makeContext } from '@puretls/test-support/harness13';
import { exchange12 } from '@puretls/test-support/harness12';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { TestClient12 } from '@puretls/test-support/tls12-client';

interface Comparison {
  readonly a: Uint8Array;
  readonly b: Uint8Array;
  readonly equal: boolean;
}
const comparisons = vi.hoisted((): Comparison[] => []);

vi.mock('@puretls/crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('@puretls/crypto')>();
  return {
    ...real,
    equalConstantTime: (a: Uint8Array, b: Uint8Array): boolean => {
      const equal = real.equalConstantTime(a, b);
      comparisons.push({ a: a.slice(), b: b.slice(), equal });
      return equal;
    },
  };
});

/**
 * The comparisons (made since `from`) of a `length`-byte value with one that differs from it in
 * exactly one bit, `bit` of byte `at`: the wrong value we sent against the right one.
 */
function oneBitOff(from: number, length: number, at: number, bit: number): Comparison[] {
  return comparisons.slice(from).filter(({ a, b }) => {
    if (a.length !== length || b.length !== length) return false;
    for (let i = 0; i < length; i++) if ((a[i]! ^ b[i]!) !== (i === at ? bit : 0)) return false;
    return true;
  });
}

describe('the secret comparisons go through equalConstantTime', () => {
  it('TLS 1.3 client Finished (RFC 8446 §4.4.4): the wrong verify_data is compared, false → decrypt_error BadFinished', () => {
    const x = exchange(makeContext());
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({})));
    const from = comparisons.length;
    x.send(x.client.finish({ corruptFinished: true })); // the last byte's low bit flipped
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['decrypt_error BadFinished']);
    expect(oneBitOff(from, 32, 31, 0x01).map((c) => c.equal)).toEqual([false]);
  });

  it('TLS 1.2 client Finished (RFC 5246 §7.4.9): the wrong verify_data is compared, false → decrypt_error BadFinished', () => {
    const x = exchange12();
    x.send(TestClient12.plaintextRecord(x.client.buildClientHello({})));
    const from = comparisons.length;
    x.send(x.client.finish({ corruptFinished: true })); // the first byte's low bit flipped
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['decrypt_error BadFinished']);
    expect(oneBitOff(from, 12, 0, 0x01).map((c) => c.equal)).toEqual([false]);
  });

  it('TLS 1.3 PSK binder (RFC 8446 §4.2.11): the wrong binder is compared, false → decrypt_error BadBinder', () => {
    const ctx = makeContext();
    const first = exchange(ctx);
    first.send(TestClient13.plaintextRecord(first.client.buildClientHello({})));
    first.send(first.client.finish());
    const ticket = first.client.tickets[0];
    expect(ticket).toBeDefined();
    const x = exchange(ctx);
    const from = comparisons.length;
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ resume: { tickets: [ticket!], corruptBinder: true } }))); // byte 0, bit 0
    expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual(['decrypt_error BadBinder']);
    expect(oneBitOff(from, 32, 0, 0x01).map((c) => c.equal)).toEqual([false]);
  });

  it('HelloRetryRequest cookie (RFC 8446 §4.2.2): the wrong cookie is compared, false → illegal_parameter BadCookie', () => {
    const ctx: ServerContext = makeContext({ groups: ['secp256r1'], hrrCookie: true });
    const conn = new ServerConnection(ctx);
    const client = new TestClient13(createNobleProvider());
    const errors: string[] = [];
    conn.on('error', (e) => errors.push(`${e.alert} ${e.reason}`));
    conn.receive(TestClient13.plaintextRecord(client.buildClientHello({ shareGroups: ['x25519'] })));
    client.receive(conn.takeOutput());
    const cookie = client.helloRetry?.cookie;
    expect(cookie?.length).toBeGreaterThan(0);
    const bad = cookie!.slice();
    bad[bad.length - 1]! ^= 0x80;
    const from = comparisons.length;
    conn.receive(TestClient13.plaintextRecord(client.buildClientHello({ random: client.clientRandom, shareGroups: ['secp256r1'], cookie: bad }), 22, 0x0303));
    expect(errors).toEqual(['illegal_parameter BadCookie']);
    expect(oneBitOff(from, cookie!.length, cookie!.length - 1, 0x80).map((c) => c.equal)).toEqual([false]);
  });
});
