/**
 * `puretls serve` as a real process (bundled from source by helpers/cli-process.ts): option
 * errors (exit 2), the generated certificate and its fingerprint, the `listening on` line,
 * --echo, --keylog, JSON logs, several certificates with SNI, and exit 0 on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCli, serveWarnings, UsageError, version, type ServeOptions } from '../src/cli/cli-options';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { useCli } from '@puretls/test-support/cli-process';
import { connectTls, readBytes, within } from '@puretls/test-support/net';

const cli = useCli();
const start = cli.start;
const certs = new CertDir();
let certA: TestCert;
let certB: TestCert;

beforeAll(() => {
  certA = certs.make('p256', 'a.example');
  certB = certs.make('rsa2048', 'b.example');
}, 60_000);
afterAll(() => certs.cleanup());

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

  it('session options: undefined unless given (the context defaults apply)', () => {
    const c = parseCli(['serve']);
    expect(c.kind === 'serve' && c.options).toMatchObject({ tickets: undefined, numTickets: undefined, sessionTimeout: undefined, cacheSize: undefined, cacheMode: undefined, earlyData: undefined });
  });
  it('session options: parsed and normalized', () => {
    const c = parseCli(['serve', '--tickets', 'stateful', '--num-tickets', '4', '--session-timeout', '300', '--cache-size', '0', '--cache-mode', 'no-auto-clear, UPDATE_TIME,updateTime', '--early-data', '16384']);
    expect(c.kind === 'serve' && c.options).toMatchObject({ tickets: 'stateful', numTickets: 4, sessionTimeout: 300, cacheSize: 0, cacheMode: ['noAutoClear', 'updateTime'], earlyData: 16384 });
    for (const t of ['stateless', 'stateful', 'off']) expect(parseCli(['serve', '--tickets', t])).toMatchObject({ options: { tickets: t } });
    expect(parseCli(['serve', '--cache-mode', 'off'])).toMatchObject({ options: { cacheMode: ['off'] } });
    expect(parseCli(['serve', '--early-data', '0'])).toMatchObject({ options: { earlyData: 0 } });
  });
  it.each([
    [['serve', '--tickets', 'maybe'], /--tickets: one of stateless, stateful, off/],
    [['serve', '--tickets', 'Stateful'], /--tickets/],
    [['serve', '--num-tickets', '17'], /--num-tickets: an integer from 0 to 16/],
    [['serve', '--num-tickets', '1.5'], /--num-tickets/],
    [['serve', '--session-timeout', '0'], /--session-timeout: an integer from 1/],
    [['serve', '--session-timeout', '4294967296'], /--session-timeout/],
    [['serve', '--cache-size', 'lots'], /--cache-size/],
    [['serve', '--cache-mode', 'server,bogus'], /--cache-mode: unknown mode "bogus"/],
    [['serve', '--cache-mode', 'off,noAutoClear'], /off cannot be combined/],
    [['serve', '--cache-mode', ','], /--cache-mode: at least one value/],
    [['serve', '--early-data', '1e3'], /--early-data/],
    [['serve', '--early-data', '4294967296'], /--early-data: an integer from 0 to 4294967295/],
  ])('rejects %j with a message', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });
  it('warns about early data without stateful tickets, stateful tickets without a cache', () => {
    const options = (argv: string[]): ServeOptions => {
      const c = parseCli(['serve', ...argv]);
      if (c.kind !== 'serve') throw new Error('not serve');
      return c.options;
    };
    expect(serveWarnings(options([]))).toEqual([]);
    expect(serveWarnings(options(['--tickets', 'stateful', '--early-data', '16384']))).toEqual([]);
    expect(serveWarnings(options(['--early-data', '16384']))).toEqual([expect.stringMatching(/--early-data needs --tickets stateful.*with --tickets stateless/)]);
    expect(serveWarnings(options(['--tickets', 'off', '--early-data', '1']))).toEqual([expect.stringMatching(/with --tickets off/)]);
    expect(serveWarnings(options(['--tickets', 'stateful', '--cache-mode', 'off']))).toEqual([expect.stringMatching(/no tickets are sent/)]);
    expect(serveWarnings(options(['--tickets', 'off', '--num-tickets', '3']))).toEqual([expect.stringMatching(/--num-tickets has no effect/)]);
  });
});

describe('the puretls process', () => {
  it('--help prints the usage and exits 0', async () => {
    const r = await cli.run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: puretls serve');
    for (const o of ['--tickets MODE', '--num-tickets N', '--session-timeout S', '--cache-size N', '--cache-mode LIST', '--early-data BYTES']) expect(r.stdout).toContain(o);
  });

  it.each([
    [['serve', '--port', 'nope'], /--port/],
    [['serve', '--cert', 'x.crt'], /pairs/],
    [['serve', '--bogus'], /bogus/],
    [['serve', '--ciphers', 'NOT_A_SUITE', '--port', '0'], /NOT_A_SUITE/],
    [['serve', '--groups', 'ffdhe2048', '--port', '0'], /ffdhe2048/],
    [['serve', '--cert', '/nonexistent/x.crt', '--key', '/nonexistent/x.key', '--port', '0'], /cannot read/],
    [['serve', '--tickets', 'sometimes', '--port', '0'], /--tickets/],
    [['serve', '--num-tickets', '99', '--port', '0'], /--num-tickets/],
    [['serve', '--session-timeout', '0', '--port', '0'], /--session-timeout/],
    [['serve', '--cache-size', '-1', '--port', '0'], /--cache-size/],
    [['serve', '--cache-mode', 'server,nope', '--port', '0'], /--cache-mode/],
    [['serve', '--early-data', 'lots', '--port', '0'], /--early-data/],
  ])('bad options %j → exit 2 with a message', async (args, message) => {
    const r = await cli.run(args);
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
    expect(JSON.parse(line)).toMatchObject({ level: 'info', msg: 'handshake', protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', group: 'x25519', sni: 'localhost', alpn: 'echo', resumed: false });
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

  it('--early-data with stateless tickets: a warning on stderr, the server still starts', async () => {
    const p = await start(['--early-data', '16384', '--log-level', 'warn']);
    expect(p.stderr()).toMatch(/warn .*--early-data needs --tickets stateful/);
    const client = await connectTls(p.port, { servername: 'localhost' });
    client.destroy();
    expect(await p.stop()).toBe(0);
  }, 30_000);

  it('session options reach the context: --tickets off sends no ticket, handshake log says resumed=false', async () => {
    const p = await start(['--echo', '--tickets', 'off', '--log-format', 'json']);
    let tickets = 0;
    const client = await connectTls(p.port, { servername: 'localhost' }, 10_000, (c) => c.on('session', () => tickets++));
    const got = readBytes(client, 4);
    client.write('ping');
    await got;
    // Tickets would precede the echo; give a straggler a moment anyway.
    await new Promise((r) => setTimeout(r, 200));
    expect(tickets).toBe(0);
    client.end();
    expect(await p.stop()).toBe(0);
  }, 30_000);

  it('a port in use exits 1', async () => {
    const p = await start(['--log-level', 'error']);
    const r = await cli.run(['serve', '--port', String(p.port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/EADDRINUSE/);
    await p.stop();
  }, 30_000);
});
