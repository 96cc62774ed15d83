/**
 * OpenSSL's `s_client -psk HEX -psk_identity ID` against `createServer({ pskCallback })`, on both
 * crypto providers: TLS 1.3 external PSKs (OpenSSL's client makes a SHA-256 PSK, "ext binder"), TLS 1.2 `-cipher ECDHE-PSK-CHACHA20-POLY1305` (the identity hint it prints), a
 * wrong key, an unknown identity, and a client without a PSK on a server without a certificate.
 */
import { describe, expect, it } from 'vitest';
import { requireTool } from '@puretls/test-support/tools';
import { runTool } from '@puretls/test-support/cli-process';
import { useServers } from '@puretls/test-support/net';
import type { PureTlsServerOptions } from '../src/node';

const KEY_HEX = '0123456789abcdef0123456789abcdef';
const KEY = Buffer.from(KEY_HEX, 'hex');
const { start } = useServers();

/** A PSK-only server (no certificate) answering "hello\n"; `seen` collects the identities asked. */
async function pskServer(crypto: 'noble' | 'node', seen: string[], extra: Record<string, unknown> = {}) {
  return start(
    {
      crypto,
      pskCallback: (_socket: unknown, identity: string) => {
        seen.push(identity);
        return identity === 'client1' ? KEY : null;
      },
      ...extra,
    } as PureTlsServerOptions,
    (s) => s.end('hello\n'),
  );
}

function sClient(port: number, args: string[]) {
  requireTool('openssl', ['version'], 'openssl');
  return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', ...args], { input: '', holdMs: 300, ms: 20_000 });
}

describe.each(['noble', 'node'] as const)('openssl s_client -psk, %s provider', (crypto) => {
  it('TLS 1.3: the external PSK handshake (no certificate sent), data from the server', async () => {
    const seen: string[] = [];
    const s = await pskServer(crypto, seen);
    const { out } = await sClient(s.port, ['-tls1_3', '-psk', KEY_HEX, '-psk_identity', 'client1']);
    // Node's default TLS 1.3 order (AES-256-GCM, ChaCha20, AES-128-GCM) and no certificate: the
    // first SHA-256 suite (OpenSSL's rule, as Node's own server picks it). "Reused": s->hit.
    expect(out).toMatch(/^Reused, TLSv1\.3, Cipher is TLS_CHACHA20_POLY1305_SHA256$/m);
    expect(out).toContain('no peer certificate available');
    expect(out).toContain('hello');
    expect(seen).toEqual(['client1']);
  });

  it('TLS 1.2 ECDHE-PSK-CHACHA20-POLY1305: the handshake, the identity hint s_client prints', async () => {
    const seen: string[] = [];
    const s = await pskServer(crypto, seen, { ciphers: 'ECDHE-PSK-CHACHA20-POLY1305', pskIdentityHint: 'hint-1' });
    const { out } = await sClient(s.port, ['-tls1_2', '-cipher', 'ECDHE-PSK-CHACHA20-POLY1305', '-psk', KEY_HEX, '-psk_identity', 'client1']);
    expect(out).toMatch(/^New, TLSv1\.2, Cipher is ECDHE-PSK-CHACHA20-POLY1305$/m);
    expect(out).toContain('PSK identity hint: hint-1');
    expect(out).toContain('hello');
    expect(seen).toEqual(['client1']);
  });
});

describe('refusals s_client reports', () => {
  it('TLS 1.3, a wrong key: the binder does not verify → decrypt_error alert', async () => {
    const s = await pskServer('noble', []);
    const { out } = await sClient(s.port, ['-tls1_3', '-psk', 'ff'.repeat(16), '-psk_identity', 'client1']);
    expect(out).toMatch(/alert decrypt error/);
  });

  it('TLS 1.2, an unknown identity → unknown psk identity alert', async () => {
    const s = await pskServer('noble', [], { ciphers: 'ECDHE-PSK-CHACHA20-POLY1305' });
    const { out } = await sClient(s.port, ['-tls1_2', '-cipher', 'ECDHE-PSK-CHACHA20-POLY1305', '-psk', KEY_HEX, '-psk_identity', 'nobody']);
    expect(out).toMatch(/alert unknown psk identity/);
  });

  it('a client without a PSK on a server without a certificate → handshake failure alert, as OpenSSL s_server', async () => {
    const s = await pskServer('noble', []);
    const { out } = await sClient(s.port, ['-tls1_3']);
    expect(out).toMatch(/alert handshake failure/);
  });
});
