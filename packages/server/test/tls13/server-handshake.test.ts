/**
 * The TLS 1.3 server against the in-memory test client: the happy paths, and every malformed or
 * out-of-order message we can name, each asserting the alert the RFC names AND our reason.
 */
import { describe, expect, it } from 'vitest';
import { AlertDescription, isTlsError } from '@puretls/record-layer';
import { certificateVerifyContent, writeFinished, writeHandshake, writeKeyUpdate } from '@puretls/handshake-state-machine/internal';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { handshake, helloWith, makeContext } from '@puretls/test-support/harness13';

const X25519 = 0x001d;
const P256 = 0x0017;

describe('TLS 1.3 server: successful handshakes in memory', () => {
  it('completes a handshake and exchanges data both ways', () => {
    const x = handshake();
    expect(x.errors).toEqual([]);
    expect(x.client.serverFinishedOk).toBe(true);
    expect(x.conn.phase).toBe('open');
    expect(x.conn.info).toMatchObject({ version: 0x0304, cipherSuite: 0x1301, group: 'x25519', signatureScheme: 0x0403, serverName: 'localhost' });
    const got: string[] = [];
    x.conn.on('data', (d) => got.push(new TextDecoder().decode(d)));
    x.send(x.client.sendApplicationData(new TextEncoder().encode('ping')));
    expect(got).toEqual(['ping']);
    x.conn.write(new TextEncoder().encode('pong'));
    x.client.receive(x.conn.takeOutput());
    expect(x.client.appData.map((d) => new TextDecoder().decode(d))).toEqual(['pong']);
  });

  it.each([
    ['TLS_AES_128_GCM_SHA256', 0x1301],
    ['TLS_AES_256_GCM_SHA384', 0x1302],
    ['TLS_CHACHA20_POLY1305_SHA256', 0x1303],
  ])('negotiates %s', (_name, code) => {
    const x = handshake(makeContext(), { cipherSuites: [code] });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.cipherSuite).toBe(code);
  });

  it('honours the client order when honorCipherOrder is false', () => {
    const x = handshake(makeContext({ honorCipherOrder: false }), { cipherSuites: [0x1303, 0x1301] });
    expect(x.conn.info?.cipherSuite).toBe(0x1303);
  });

  it.each(['x25519', 'secp256r1', 'secp384r1'] as const)('key exchange over %s', (group) => {
    const x = handshake(makeContext(), { shareGroups: [group] });
    expect(x.errors).toEqual([]);
    expect(x.conn.info?.group).toBe(group);
  });

  it('key exchange over X25519MLKEM768 (draft-ietf-tls-ecdhe-mlkem)', () => {
    const x = handshake(makeContext(), { groups: [0x11ec, X25519], shareGroups: ['X25519MLKEM768', 'x25519'] });
    expect(x.errors).toEqual([]);
    expect(x.client.serverFinishedOk).toBe(true);
    expect(x.conn.info?.group).toBe('X25519MLKEM768');
  });

  it('sends a HelloRetryRequest (no cookie by default) when the client has no share for a usable group, then completes', () => {
    const ctx = makeContext({ groups: ['secp256r1'] });
    const x = helloWith({ shareGroups: ['x25519'] }, ctx);
    expect(x.client.helloRetry).toEqual({ group: P256 });
    x.send(TestClient13.plaintextRecord(x.client.buildClientHello({ random: x.client.clientRandom, shareGroups: ['secp256r1'] }), 22, 0x0303));
    x.send(x.client.finish());
    expect(x.errors).toEqual([]);
    expect(x.conn.info).toMatchObject({ group: 'secp256r1', helloRetry: true });
  });

  it('ignores GREASE and unknown extensions, suites and groups (RFC 8701)', () => {
    const x = handshake(makeContext(), {
      cipherSuites: [0x0a0a, 0x1301],
      groups: [0x1a1a, X25519],
      extra: [
        { type: 0x2a2a, data: new Uint8Array(0) },
        { type: 0xfe0d, data: new Uint8Array([1, 2, 3]) },
      ],
    });
    expect(x.errors).toEqual([]);
  });

  it('negotiates ALPN by server preference', () => {
    const x = handshake(makeContext({ alpnProtocols: ['h2', 'http/1.1'] }), { alpn: ['http/1.1', 'h2'] });
    expect(x.conn.info?.alpnProtocol).toBe('h2');
  });

  it('answers a KeyUpdate with update_requested by updating its own keys', () => {
    const x = handshake();
    x.send(x.client.sendHandshake(writeKeyUpdate(true)));
    // The server's KeyUpdate is the first thing in its output, under the old key.
    expect(x.client.received.at(-1)?.type).toBe(24);
    expect(x.errors).toEqual([]);
  });

  it('closes cleanly: close_notify both ways', () => {
    const x = handshake();
    let clean: boolean | undefined;
    x.conn.on('close', (c) => (clean = c));
    x.send(x.client.sendAlert(AlertDescription.close_notify, 1));
    expect(x.conn.peerClosed).toBe(true);
    x.conn.close();
    x.client.receive(x.conn.takeOutput());
    expect(x.clientAlerts).toEqual([AlertDescription.close_notify]);
    expect(clean).toBe(true);
  });
});

