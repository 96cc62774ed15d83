/**
 * `puretls serve` as a real process (bundled from source by helpers/cli-process.ts): option
 * errors (exit 2), the generated certificate and its fingerprint, the `listening on` line,
 * --echo, --keylog, JSON logs, several certificates with SNI, and exit 0 on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli, UsageError, version } from '../src/cli-options';
import { CertDir, type TestCert } from './helpers/certs';
import { bundleCli, runCli, startCli, type CliProcess } from './helpers/cli-process';
import { connectTls, readBytes, within } from './helpers/net';

let script: string;
let cleanupBundle: () => void = () => {};
const certs = new CertDir();
let certA: TestCert;
let certB: TestCert;
const procs: CliProcess[] = [];

beforeAll(async () => {
  ({ script, cleanup: cleanupBundle } = await bundleCli());
  certA = certs.make('p256', 'a.example');
  certB = certs.make('rsa2048', 'b.example');
}, 60_000);
afterAll(async () => {
  for (const p of procs) await p.stop('SIGKILL');
  cleanupBundle();
  certs.cleanup();
});

async function start(args: string[]): Promise<CliProcess> {
  const p = await startCli(script, args);
  procs.push(p);
  return p;
}

describe('option parsing (in process)', () => {
  it('defaults', () => {
    const c = parseCli(['serve']);
    expect(c).toMatchObject({ kind: 'serve', options: { host: '127.0.0.1', port: 8443, mode: 'www', crypto: 'noble', logLevel: 'info', logFormat: 'text', certificates: [] } });
  });
  it('pairs --cert/--key in order and parses lists and versions', () => {
    const c = parseCli(['serve', '--cert', 'a.crt', '--key', 'a.key', '--cert', 'b.crt', '--key', 'b.key', '--alpn', 'h2,http/1.1', '--min-version', '1.3', '--max-version', 'TLSv1.3', '--echo']);
    expect(c.kind === 'serve' && c.options).toMatchObject({
      certificates: [
        { certFile: 'a.crt', keyFile: 'a.key' },
        { certFile: 'b.crt', keyFile: 'b.key' },
      ],
      alpn: ['h2', 'http/1.1'],
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      mode: 'echo',
    });
    expect(['1.2', 'TLSv1.2', 'tls1_2', 'v1.2'].map((v) => version('--v', v))).toEqual(['TLSv1.2', 'TLSv1.2', 'TLSv1.2', 'TLSv1.2']);
  });
  it.each([
    [['serve', '--port', 'x']],
    [['serve', '--port', '70000']],
    [['serve', '--cert', 'a.crt']],
    [['serve', '--www', '--echo']],
    [['serve', '--crypto', 'openssl']],
    [['serve', '--log-level', 'trace']],
    [['serve', '--min-version', '1.1']],
    [['serve', '--bogus']],
    [['frobnicate']],
    [[]],
  ])('rejects %j', (argv) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
  });
});

describe('the puretls process', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await runCli(script, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: puretls serve');
  });

  it.each([
    [['serve', '--port', 'nope'], /--port/],
    [['serve', '--cert', 'x.crt'], /pairs/],
    [['serve', '--bogus'], /bogus/],
    [['serve', '--ciphers', 'NOT_A_SUITE', '--port', '0'], /NOT_A_SUITE/],
    [['serve', '--groups', 'ffdhe2048', '--port', '0'], /ffdhe2048/],
    [['serve', '--cert', '/nonexistent/x.crt', '--key', '/nonexistent/x.key', '--port', '0'], /cannot read/],
  ])('bad options %j → exit 2 with a message', async (args, message) => {
    const r = await runCli(script, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toContain('listening on');
  });

  it('generates a localhost certificate, prints its fingerprint and one listening line; SIGTERM exits 0', async () => {
    const p = await start(['--log-level', 'error']);
    const fp = /SHA256 Fingerprint=([0-9A-F:]{95})$/m.exec(p.stdout());
    expect(fp).not.toBeNull();
    const client = await connectTls(p.port, { servername: 'localhost' });
    const cert = client.getPeerCertificate();
    expect(cert.fingerprint256).toBe(fp![1]);
    expect(cert.subject.CN).toBe('localhost');
    expect(cert.subjectaltname).toContain('DNS:localhost');
    expect(cert.subjectaltname).toContain('IP Address:127.0.0.1');
    expect(cert.subjectaltname).toMatch(/IP Address:0:0:0:0:0:0:0:1|IP Address:::1/);
    expect(p.stdout().match(/^listening on /gm)).toHaveLength(1);
    expect(p.stdout()).toContain(`listening on https://127.0.0.1:${p.port}\n`);
    // An open connection must not keep the process from exiting.
    expect(await p.stop('SIGTERM')).toBe(0);
    client.destroy();
  }, 30_000);

  it('SIGINT exits 0', async () => {
    const p = await start([]);
    expect(await p.stop('SIGINT')).toBe(0);
  });

  it('--echo echoes; info logs one JSON line per handshake; --keylog appends NSS lines', async () => {
    const keylog = join(certs.dir, 'keys.log');
    const p = await start(['--echo', '--log-format', 'json', '--keylog', keylog, '--alpn', 'echo', '--crypto', 'node']);
    const client = await connectTls(p.port, { servername: 'localhost', ALPNProtocols: ['echo'] });
    const data = Buffer.from('hello echo '.repeat(1000));
    const got = readBytes(client, data.length);
    client.write(data);
    expect((await got).length).toBe(data.length);
    client.end();
    await within(5000, 'log line', (async () => {
      while (!p.stderr().includes('"msg":"handshake"')) await new Promise((r) => setTimeout(r, 20));
    })());
    const line = p.stderr().split('\n').find((l) => l.includes('"msg":"handshake"'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 'info', msg: 'handshake', protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', group: 'x25519', sni: 'localhost', alpn: 'echo', resumed: false });
    expect(await p.stop()).toBe(0);
    const lines = readFileSync(keylog, 'utf8').trim().split('\n');
    expect(lines.map((l) => l.split(' ')[0])).toEqual(expect.arrayContaining(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_TRAFFIC_SECRET_0']));
  }, 30_000);

  it('several --cert/--key pairs: SNI chooses', async () => {
    const p = await start(['--cert', certA.certFile, '--key', certA.keyFile, '--cert', certB.certFile, '--key', certB.keyFile, '--log-level', 'warn']);
    expect(p.stdout().match(/Fingerprint=/g)).toHaveLength(2);
    for (const name of ['a.example', 'b.example']) {
      const client = await connectTls(p.port, { servername: name });
      expect(client.getPeerCertificate().subject.CN).toBe(name);
      client.destroy();
    }
    expect(await p.stop()).toBe(0);
  }, 30_000);

  it('a port in use exits 1', async () => {
    const p = await start(['--log-level', 'error']);
    const r = await runCli(script, ['serve', '--port', String(p.port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EADDRINUSE/);
    await p.stop();
  }, 30_000);
});
