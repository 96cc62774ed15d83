/**
 * The strict second-ClientHello rule (every extension but the ones RFC 8446 §4.1.2 lets change is
 * compared byte for byte) against real clients that get a HelloRetryRequest: OpenSSL's s_client,
 * Node's tls (OpenSSL) and gnutls-cli each retry with a ClientHello we accept, and none of them
 * sees a cookie (issue 16.2: off by default).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectTls, useServers } from '@puretls/test-support/net';
import { runTool } from '@puretls/test-support/cli-process';
import { CertDir } from '@puretls/test-support/certs';

const dir = new CertDir();
afterAll(() => dir.cleanup());
const cert = dir.make('p256');
const { start } = useServers();
/** Only P-384: clients that send an X25519 share first get a HelloRetryRequest. */
const options = { certificates: [{ cert: cert.cert, key: cert.key }], groups: ['secp384r1'] } as const;
const REQUEST = 'GET / HTTP/1.0\r\n\r\n';

describe('HelloRetryRequest with real clients', () => {
  it('openssl s_client: retries with a P-384 share; no cookie in the HelloRetryRequest', async () => {
    const s = await start(options, (sock) => sock.once('data', () => sock.end('HTTP/1.0 200 ok\r\n\r\nhrr-ok\n')));
    const { out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${s.port}`, '-servername', 'localhost', '-tls1_3', '-groups', 'X25519:P-384', '-msg', '-ign_eof'], { input: REQUEST, ms: 20_000 });
    expect(out.match(/<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], ServerHello/g)).toHaveLength(2);
    expect(out).toContain('hrr-ok');
    expect(s.secured[0]?.info).toMatchObject({ helloRetry: true, group: 'secp384r1' });
    // s_client -msg prints the HelloRetryRequest bytes: its extensions are key_share (naming
    // secp384r1) and supported_versions only — no cookie.
    const hrr = /<<< TLS 1\.3, Handshake \[length [0-9a-f]+\], ServerHello\n((?: +[0-9a-f]{2}(?: [0-9a-f]{2})*(?: -)?.*\n)+)/.exec(out);
    expect(hrr).not.toBeNull();
    expect(extensionsOf(hexBytes(hrr![1]!))).toEqual([
      [0x0033, '0018'],
      [0x002b, '0304'],
    ]);
  }, 30_000);

  it('Node tls.connect (ecdhCurve X25519:P-384): retries and completes', async () => {
    const s = await start(options, (sock) => sock.once('data', (d) => sock.end(d)));
    const c = await connectTls(s.port, { ecdhCurve: 'X25519:P-384', servername: 'localhost' });
    c.write('ping');
    const echoed = await new Promise<string>((resolve) => c.once('data', (d: Buffer) => resolve(d.toString())));
    expect(echoed).toBe('ping');
    c.destroy();
    expect(s.secured[0]?.info).toMatchObject({ helloRetry: true, group: 'secp384r1' });
  });

  it('gnutls-cli (shares for X25519 and P-256, P-384 listed last): retries and completes', async () => {
    const s = await start(options, (sock) => sock.once('data', () => sock.end('HTTP/1.0 200 ok\r\n\r\nhrr-ok\n')));
    const { out } = await runTool(
      'gnutls-cli',
      ['--insecure', '--port', String(s.port), '--priority', 'NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1', '127.0.0.1'],
      { input: REQUEST, holdMs: 2000, ms: 20_000 },
    );
    expect(out).toContain('hrr-ok');
    expect(s.secured[0]?.info).toMatchObject({ helloRetry: true, group: 'secp384r1' });
  }, 30_000);
});

/** The bytes of an `openssl -msg` hex dump (rows of "xx xx … - xx …"). */
function hexBytes(dump: string): Uint8Array {
  return Uint8Array.from((dump.match(/\b[0-9a-f]{2}\b/g) ?? []).map((h) => parseInt(h, 16)));
}

/** A ServerHello / HelloRetryRequest message's extensions as [type, data hex]. */
function extensionsOf(msg: Uint8Array): [number, string][] {
  let o = 4 + 2 + 32;
  o += 1 + msg[o]! + 2 + 1;
  const end = o + 2 + ((msg[o]! << 8) | msg[o + 1]!);
  const out: [number, string][] = [];
  for (o += 2; o < end; ) {
    const len = (msg[o + 2]! << 8) | msg[o + 3]!;
    out.push([(msg[o]! << 8) | msg[o + 1]!, Buffer.from(msg.subarray(o + 4, o + 4 + len)).toString('hex')]);
    o += 4 + len;
  }
  return out;
}
