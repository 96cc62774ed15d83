/**
 * Real clients against `createServer` in TLS 1.2: Node's `tls.connect({ maxVersion: 'TLSv1.2' })`
 * for every suite × certificate type, groups, ALPN, resumption through a Map glue, keylog.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TLSSocket } from 'node:tls';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { connectTls, readBytes, startServer, type RunningServer } from '@puretls/test-support/net';
import type { PureTlsSocket } from '../../src/node/tls-socket';
import { MapGlue12 } from '@puretls/test-support/harness12';

const certs = new CertDir();
const c: Record<'p256' | 'p384' | 'rsa2048' | 'ed25519', TestCert> = {} as never;
const running: RunningServer[] = [];

beforeAll(() => {
  for (const k of ['p256', 'p384', 'rsa2048', 'ed25519'] as const) c[k] = certs.make(k);
}, 60_000);
afterAll(() => certs.cleanup());
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

async function serve(options: Record<string, unknown> = {}, onSecure?: ((s: PureTlsSocket) => void) | null): Promise<RunningServer> {
  const r = await startServer({ certificates: [{ cert: c.p256.cert, key: c.p256.key }], minVersion: 'TLSv1.2', ...options } as never, onSecure);
  running.push(r);
  return r;
}

async function echo(client: TLSSocket, text: string): Promise<void> {
  const got = readBytes(client, text.length);
  client.write(text);
  await got;
}

const TLS12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;

describe('Node tls.connect (TLS 1.2) → createServer', () => {
  it.each([
    ['p256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    ['p256', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
    ['p256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
    ['p384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
    ['ed25519', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    ['rsa2048', 'ECDHE-RSA-AES128-GCM-SHA256'],
    ['rsa2048', 'ECDHE-RSA-AES256-GCM-SHA384'],
    ['rsa2048', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ] as const)('%s certificate, %s', async (kind, suite) => {
    const r = await serve({ certificates: [{ cert: c[kind].cert, key: c[kind].key }] });
    const secure = r.nextSecure();
    const client = await connectTls(r.port, { ...TLS12, ciphers: suite, servername: 'localhost' });
    const s = await secure;
    expect(client.getProtocol()).toBe('TLSv1.2');
    expect(client.getCipher().name).toBe(suite);
    expect(s.getProtocol()).toBe('TLSv1.2');
    expect(s.getCipher()?.name).toBe(suite);
    expect(s.info?.version).toBe(0x0303);
    await echo(client, 'hello over TLS 1.2');
    client.end();
  });

  it.each([
    ['X25519', 'x25519', 'X25519'],
    ['P-256', 'secp256r1', 'prime256v1'],
    ['P-384', 'secp384r1', 'secp384r1'],
  ] as const)('group %s (RSA certificate)', async (curve, group, nodeName) => {
    const r = await serve({ certificates: [{ cert: c.rsa2048.cert, key: c.rsa2048.key }] });
    const secure = r.nextSecure();
    const client = await connectTls(r.port, { ...TLS12, ecdhCurve: curve });
    const s = await secure;
    expect(s.info?.group).toBe(group);
    expect(client.getEphemeralKeyInfo()).toMatchObject({ name: nodeName });
    await echo(client, 'group');
    client.end();
  });

  it('ALPN and SNI', async () => {
    const r = await serve({ alpnProtocols: ['h2', 'http/1.1'] });
    const secure = r.nextSecure();
    const client = await connectTls(r.port, { ...TLS12, ALPNProtocols: ['http/1.1'], servername: 'localhost' });
    const s = await secure;
    expect(client.alpnProtocol).toBe('http/1.1');
    expect(s.alpnProtocol).toBe('http/1.1');
    expect(s.servername).toBe('localhost');
    client.end();
  });

  it('keylog: the CLIENT_RANDOM line equals the client’s', async () => {
    const r = await serve({ keyLog: true });
    const serverLines: string[] = [];
    r.server.on('keylog', (line) => serverLines.push(line.toString('latin1').trim()));
    const clientLines: string[] = [];
    const client = await connectTls(r.port, TLS12, 10_000, (s) => s.on('keylog', (l: Buffer) => clientLines.push(l.toString('latin1').trim())));
    await echo(client, 'keylog');
    expect(serverLines).toHaveLength(1);
    expect(serverLines[0]).toMatch(/^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$/);
    expect(clientLines).toContain(serverLines[0]);
    client.end();
  });

  it.each([
    ['ticket', true],
    ['session id', false],
  ] as const)('resumption with a %s (Map glue as `sessions`)', async (_what, tickets) => {
    const glue = new MapGlue12();
    glue.tickets = tickets;
    const r = await serve({ sessions: glue });
    const first = await connectTls(r.port, { ...TLS12, servername: 'localhost' });
    const session = await new Promise<Buffer>((resolve) => {
      if (first.getSession()) resolve(first.getSession()!);
      first.once('session', resolve);
    });
    await echo(first, 'one');
    first.end();
    const secure = r.nextSecure();
    const second = await connectTls(r.port, { ...TLS12, servername: 'localhost', session });
    const s = await secure;
    expect(second.isSessionReused()).toBe(true);
    expect(s.isSessionReused()).toBe(true);
    expect(s.info?.resumed).toBe(true);
    await echo(second, 'two');
    second.end();
    expect(glue.events).toContain(tickets ? 'open hit' : 'lookup hit');
  });
});
