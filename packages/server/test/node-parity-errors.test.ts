/**
 * Error codes as Node reports them: `tlsClientError` for malformed or refused ClientHellos and for
 * alerts the client sends, a socket's `'error'` after the handshake, and what the Node client gets
 * from each server. Every scenario runs against Node's own server and ours; codes must be equal.
 */
import { spawn } from 'node:child_process';
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { requireTool } from '@puretls/test-support/tools';
import { clientOutcome, onBothServers, sendRaw, within } from '@puretls/test-support/net';

const certs = new CertDir();
let p256: TestCert;
let other: TestCert;

beforeAll(() => {
  requireTool('openssl', ['version'], 'openssl');
  p256 = certs.make('p256');
  other = certs.make('p256', 'other');
}, 60_000);
afterAll(() => certs.cleanup());

/** A ClientHello record header claiming more than is sent. */
const TRUNCATED = Buffer.from([22, 3, 1, 0, 100, 1, 0, 0, 96, 3, 3]);

describe('tlsClientError: the code Node gives', () => {
  it.each([
    ['a plaintext HTTP request', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), false],
    ['a plaintext POST', Buffer.from('POST / HTTP/1.1\r\nHost: x\r\n\r\n'), false],
    ['an HTTP proxy CONNECT', Buffer.from('CONNECT x:443 HTTP/1.1\r\n\r\n'), false],
    ['garbage', Buffer.alloc(64, 0x42), false],
    ['a truncated ClientHello, then FIN', TRUNCATED, true],
    ['nothing, then FIN', Buffer.alloc(0), true],
    ['a handshake message claiming 2^24-1 bytes', Buffer.from([22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff]), false],
    ['a ServerHello instead of a ClientHello', Buffer.from([22, 3, 1, 0, 6, 2, 0, 0, 2, 3, 3]), false],
    ['a Finished first', Buffer.from([22, 3, 1, 0, 8, 20, 0, 0, 4, 0, 0, 0, 0]), false],
  ])('%s', async (_what, bytes, end) => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256.key, cert: p256.cert });
      const err = s.nextClientError();
      const raw = sendRaw(s.port, bytes, end);
      const e = await err;
      raw.destroy();
      return { code: e.code, hangUp: e.message === 'socket hang up' };
    });
    expect(r.puretls).toEqual(r.node);
  });

  it.each([
    ['a TLS 1.2 client, a TLS 1.3-only server', { minVersion: 'TLSv1.3' }, { maxVersion: 'TLSv1.2' }],
    ['a TLS 1.3-only client, a TLS 1.2-only server', { maxVersion: 'TLSv1.2' }, { minVersion: 'TLSv1.3' }],
    ['no shared TLS 1.3 suite', { ciphers: 'TLS_AES_256_GCM_SHA384' }, { ciphers: 'TLS_AES_128_GCM_SHA256' }],
    ['no shared TLS 1.2 suite', { ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384', maxVersion: 'TLSv1.2' }, { ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256', maxVersion: 'TLSv1.2' }],
    ['no common ALPN protocol', { ALPNProtocols: ['h2'] }, { ALPNProtocols: ['x'] }],
    ['no certificate at all', {}, {}],
  ] as [string, Record<string, unknown>, tls.ConnectionOptions][])('%s: the server\u2019s code and the client\u2019s', async (_what, serverOptions, clientOptions) => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start('key' in serverOptions || Object.keys(serverOptions).length === 0 ? serverOptions : { key: p256.key, cert: p256.cert, ...serverOptions });
      const err = s.nextClientError();
      const client = await clientOutcome(s.port, clientOptions);
      return { client: client.code, server: (await err).code };
    });
    expect(r.puretls).toEqual(r.node);
  });

  it.each(['-tls1_3', '-tls1_2'])('an alert from the client (openssl s_client %s rejects the certificate): ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', async (version) => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256.key, cert: p256.cert });
      const err = s.nextClientError();
      await sClient(s.port, [version, '-verify_return_error', '-CAfile', other.certFile, '-servername', 'localhost']);
      return (await err).code;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toBe('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
  });
});

describe('after the handshake: the socket\u2019s error', () => {
  it('a record whose tag does not verify', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256.key, cert: p256.cert }, null);
      const relay = await corruptingRelay(s.port);
      const secure = s.nextSecure();
      const c = await within(
        10_000,
        'connect',
        new Promise<tls.TLSSocket>((resolve) => {
          const x = tls.connect({ host: '127.0.0.1', port: relay.port, rejectUnauthorized: false }, () => resolve(x));
          x.on('error', () => {});
        }),
      );
      const x = await secure;
      const error = within(10_000, 'socket error', new Promise<Error & { code?: string }>((resolve) => x.on('error', resolve)));
      relay.corruptNext();
      c.write('tampered');
      const e = await error;
      c.destroy();
      relay.close();
      return e.code;
    });
    expect(r.puretls).toEqual(r.node);
  });
});

function sClient(port: number, args: string[]): Promise<void> {
  return within(
    20_000,
    'openssl s_client',
    new Promise((resolve) => {
      const p = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { stdio: ['pipe', 'ignore', 'ignore'] });
      p.stdin.end();
      p.on('close', () => resolve());
    }),
  );
}

/** A relay that can flip one bit of the next client → server chunk (the last byte: inside the tag). */
async function corruptingRelay(port: number): Promise<{ port: number; corruptNext(): void; close(): void }> {
  let corrupt = false;
  const sockets: Socket[] = [];
  const server = createNetServer((client) => {
    const upstream = netConnect({ host: '127.0.0.1', port });
    sockets.push(client, upstream);
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.on('data', (d: Buffer) => {
      if (corrupt) {
        corrupt = false;
        d = Buffer.from(d);
        d[d.length - 1]! ^= 1;
      }
      upstream.write(d);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  return {
    port: (server.address() as { port: number }).port,
    corruptNext: () => (corrupt = true),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
