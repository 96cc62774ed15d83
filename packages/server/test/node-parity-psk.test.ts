/**
 * Node's `pskCallback` / `pskIdentityHint` (tls.createServer), each scenario against Node's own
 * server and ours with the same options, driven by Node's `tls.connect({ pskCallback })`: TLS 1.3
 * external PSKs and TLS 1.2 ECDHE-PSK-CHACHA20-POLY1305, the identity hint the client sees, an
 * unknown identity, a wrong key, a client without a PSK, a PSK-only server (no certificate), a
 * server with a certificate too, and what the server's callbacks and events see.
 *
 * One documented difference: a wrong TLS 1.3 key (binder) is decrypt_error here (RFC 8446
 * §4.2.11 "MUST abort the handshake with a "decrypt_error" alert"), illegal_parameter from
 * OpenSSL 3.0; both fail the handshake with the server's code ERR_SSL_BINDER_DOES_NOT_VERIFY.
 */
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { useCert } from '@puretls/test-support/certs';
import { onBothServers, within, type ParityServer } from '@puretls/test-support/net';

const p256Cert = useCert('p256');

const KEY = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const PSK12 = 'ECDHE-PSK-CHACHA20-POLY1305';

/** The server's pskCallback: knows "client1" (KEY), "wrong" gets another key; records what it was called with. */
function serverPsk(seen: unknown[]) {
  return (socket: tls.TLSSocket, identity: string) => {
    seen.push([identity, typeof socket?.getProtocol]);
    return identity === 'client1' || identity === 'wrong' ? KEY : null;
  };
}

interface Outcome {
  readonly client: { ok: boolean; code?: string; protocol?: string | null; cipher?: string; hint?: string | null; data?: string };
  readonly server: { secure?: [string | null, string, boolean]; error?: string | undefined; callback: unknown[]; newSessions: number };
}

/** A Node client with a PSK (its key for "wrong" differs from the server's) against `s`. */
async function connect(s: ParityServer, seen: unknown[], newSessions: () => number, identity: string | undefined, options: tls.ConnectionOptions = {}): Promise<Outcome> {
  let hint: string | null | undefined;
  const client = await within(
    10_000,
    'psk client',
    new Promise<Outcome['client']>((resolve) => {
      const c = tls.connect({
        host: '127.0.0.1',
        port: s.port,
        checkServerIdentity: () => undefined,
        rejectUnauthorized: false,
        ...(identity !== undefined
          ? {
              pskCallback: (h: string | null) => {
                hint = h;
                return { psk: identity === 'wrong' ? Buffer.alloc(16, 1) : KEY, identity };
              },
            }
          : {}),
        ...options,
      });
      let data = '';
      c.on('data', (d) => (data += String(d)));
      c.on('end', () => resolve({ ok: true, protocol: c.getProtocol(), cipher: c.getCipher().name, hint, data }));
      c.on('error', (e: Error & { code?: string }) => {
        resolve({ ok: false, code: e.code, hint });
        c.destroy();
      });
    }),
  );
  // Either the server's secureConnection or its tlsClientError has happened by the time the client knows.
  await within(5000, 'server outcome', (async () => {
    for (let i = 0; i < 100 && s.secured.length === 0 && s.clientErrors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  })());
  const sock = s.secured[0];
  return {
    client,
    server: {
      ...(sock ? { secure: [sock.getProtocol(), sock.getCipher().name, sock.isSessionReused()] as [string | null, string, boolean] } : {}),
      ...(s.clientErrors[0] ? { error: s.clientErrors[0].code } : {}),
      callback: seen,
      newSessions: newSessions(),
    },
  };
}

/** One scenario on both servers: `serverOptions` (with the pskCallback) and a client offering `identity`. */
function both(serverOptions: Record<string, unknown>, identity: string | undefined, clientOptions: tls.ConnectionOptions = {}) {
  return onBothServers(async ({ start }) => {
    const seen: unknown[] = [];
    let newSessions = 0;
    const s = await start({ pskCallback: serverPsk(seen), ...serverOptions }, (sock) => sock.end('hi'));
    s.server.on('newSession', (_id: Buffer, _data: Buffer, cb: () => void) => {
      newSessions++;
      cb();
    });
    return connect(s, seen, () => newSessions, identity, clientOptions);
  });
}

describe('TLS 1.3 external PSKs (pskCallback), PSK-only server', () => {
  it('a known identity: the handshake, the suite (SHA-256 preferred without a certificate), no hint, the callback, reused, one ticket', async () => {
    const r = await both({}, 'client1');
    expect(r.puretls).toEqual(r.node);
    expect(r.node.client).toMatchObject({ ok: true, protocol: 'TLSv1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256', hint: null, data: 'hi' });
    expect(r.node.server).toMatchObject({ secure: ['TLSv1.3', 'TLS_CHACHA20_POLY1305_SHA256', true], callback: [['client1', 'function']], newSessions: 1 });
  });

  it('an unknown identity: a full handshake without a certificate → handshake_failure on both', async () => {
    const r = await both({}, 'nobody');
    expect(r.puretls).toEqual(r.node);
    expect(r.node.client).toMatchObject({ ok: false, code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE' });
  });

  it('only a SHA-384 suite offered: the PSK does not fit → handshake_failure on both', async () => {
    const r = await both({}, 'client1', { ciphers: 'TLS_AES_256_GCM_SHA384' });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.client.code).toBe('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
  });

  it('a client without a PSK: handshake_failure on both (no certificate to fall back on)', async () => {
    const r = await both({}, undefined);
    expect(r.puretls).toEqual(r.node);
    expect(r.node.client.code).toBe('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
  });

  it('a wrong key: the binder fails on both; the alert differs as documented (decrypt_error vs OpenSSL\u2019s illegal_parameter)', async () => {
    const r = await both({}, 'wrong');
    expect(r.puretls.server).toEqual(r.node.server);
    expect(r.node.server.error).toBe('ERR_SSL_BINDER_DOES_NOT_VERIFY');
    expect(r.node.client.code).toBe('ERR_SSL_SSLV3_ALERT_ILLEGAL_PARAMETER');
    expect(r.puretls.client.code).toBe('ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR');
  });
});

describe('TLS 1.3, a server with a certificate and a pskCallback', () => {
  it('the server suite order stands (AES-256 first): the SHA-256 PSK is not used, a certificate handshake', async () => {
    const r = await both({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, 'client1');
    // (A full handshake's tickets are the session tests' subject; only the handshake is compared here.)
    expect([r.puretls.client, r.puretls.server.secure, r.puretls.server.callback]).toEqual([r.node.client, r.node.server.secure, r.node.server.callback]);
    expect(r.node.server.secure).toEqual(['TLSv1.3', 'TLS_AES_256_GCM_SHA384', false]);
  });

  it('a client offering only SHA-256 suites: the PSK handshake', async () => {
    const r = await both({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, 'client1', { ciphers: 'TLS_AES_128_GCM_SHA256' });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.server.secure).toEqual(['TLSv1.3', 'TLS_AES_128_GCM_SHA256', true]);
  });
});

describe('TLS 1.2 ECDHE-PSK-CHACHA20-POLY1305', () => {
  const server = { ciphers: PSK12, pskIdentityHint: 'hint-1' };
  const client: tls.ConnectionOptions = { maxVersion: 'TLSv1.2', ciphers: PSK12 };

  it('a known identity: the handshake, the hint the client sees, not reused, no newSession (ticket)', async () => {
    const r = await both(server, 'client1', client);
    expect(r.puretls).toEqual(r.node);
    expect(r.node.client).toMatchObject({ ok: true, protocol: 'TLSv1.2', cipher: PSK12, hint: 'hint-1', data: 'hi' });
    expect(r.node.server).toMatchObject({ secure: ['TLSv1.2', PSK12, false], newSessions: 0 });
  });

  it('an unknown identity: unknown_psk_identity, the server\u2019s ERR_SSL_PSK_IDENTITY_NOT_FOUND', async () => {
    const r = await both(server, 'nobody', client);
    expect(r.puretls).toEqual(r.node);
    expect(r.node.client.code).toBe('ERR_SSL_TLSV1_ALERT_UNKNOWN_PSK_IDENTITY');
    expect(r.node.server.error).toBe('ERR_SSL_PSK_IDENTITY_NOT_FOUND');
  });

  it('a wrong key: the Finished does not decrypt → bad_record_mac on both', async () => {
    const r = await both(server, 'wrong', client);
    expect(r.puretls).toEqual(r.node);
    expect(r.node.client.code).toBe('ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC');
  });

  it('the default ciphers have no PSK suite (Node: !PSK): no shared cipher', async () => {
    const r = await both({ pskIdentityHint: 'hint-1' }, 'client1', client);
    expect(r.puretls).toEqual(r.node);
    expect(r.node.server.error).toBe('ERR_SSL_NO_SHARED_CIPHER');
  });

  it('a client without a PSK suite: no shared cipher on both', async () => {
    const r = await both(server, undefined, { maxVersion: 'TLSv1.2' });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.client.code).toBe('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
  });

  it('beside a certificate suite, the server order picks the PSK suite when listed first', async () => {
    const r = await both({ key: p256Cert.cert.key, cert: p256Cert.cert.cert, ciphers: `${PSK12}:ECDHE-ECDSA-AES128-GCM-SHA256` }, 'client1', { maxVersion: 'TLSv1.2', ciphers: `ECDHE-ECDSA-AES128-GCM-SHA256:${PSK12}` });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.server.secure).toEqual(['TLSv1.2', PSK12, false]);
  });
});

describe('the options', () => {
  it('pskCallback must be a function, pskIdentityHint a string: ERR_INVALID_ARG_TYPE on both', async () => {
    const r = await onBothServers(({ create }) => {
      const shape = (f: () => unknown) => {
        try {
          f();
          return null;
        } catch (e) {
          return (e as { code?: string }).code;
        }
      };
      return [shape(() => create({ pskCallback: 'x' })), shape(() => create({ pskCallback: () => null, pskIdentityHint: 42 }))];
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual(['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_TYPE']);
  });
});
