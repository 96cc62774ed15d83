/**
 * `puretls serve` as an operator runs it (a real process): --version and `puretls help`, file
 * errors naming the file, certificate validity warnings, `--www` over node:http / node:http2
 * (curl --http2 / --http1.1, Node's http2.connect, bare-LF heads from openssl s_client, HEAD, 404,
 * ALPN only for spoken protocols), one access line per request, a rate-limited `close` line and a
 * /stats.json counter for each close the server decides, the idle timeout, and the graceful
 * shutdown on SIGTERM/SIGINT (close_notify, in-flight requests finish, deadline, second signal).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect as http2Connect } from 'node:http2';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNobleProvider, createSelfSignedCertificate, generateEcdsaP256Key, privateKeyToPem } from '@puretls/crypto';
import { AlertDescription, ContentType } from '@puretls/record-layer';
import { DEFAULT_CLI_IDLE_TIMEOUT, DEFAULT_SHUTDOWN_TIMEOUT, parseCli } from '../src/cli/cli-options';
import { CertDir } from '@puretls/test-support/certs';
import { runTool, useCli, type CliProcess } from '@puretls/test-support/cli-process';
import { connectRawTls13 } from '@puretls/test-support/raw-tls';
import { connectTcp, connectTls, once, until, within } from '@puretls/test-support/net';

const cli = useCli();
const certs = new CertDir();
const DAY = 86_400_000;

afterAll(() => certs.cleanup());

/** A self-signed certificate for localhost valid in [notBefore, notAfter], written to files. */
function certFiles(name: string, notBefore: Date, notAfter: Date): { certFile: string; keyFile: string } {
  const p = createNobleProvider();
  const key = generateEcdsaP256Key(p);
  const cert = createSelfSignedCertificate(p, { key, commonName: 'localhost', dnsNames: ['localhost'], notBefore, notAfter });
  const certFile = join(certs.dir, `${name}.crt`);
  const keyFile = join(certs.dir, `${name}.key`);
  writeFileSync(certFile, cert.pem);
  writeFileSync(keyFile, privateKeyToPem(key));
  return { certFile, keyFile };
}

/** The lines of the process's stderr whose message (after the level) is `msg`. */
function lines(p: CliProcess, msg: string): string[] {
  return p.stderr().split('\n').filter((l) => new RegExp(`^\\S+ \\w+ +${msg}( |$)`).test(l));
}

async function waitLines(p: CliProcess, msg: string, n: number, ms = 5000): Promise<string[]> {
  await until(`${n} "${msg}" line(s)`, () => lines(p, msg).length >= n, ms);
  return lines(p, msg);
}

async function client(port: number, options: Parameters<typeof connectTls>[1] = {}): Promise<TLSSocket & { got(): string }> {
  const c = await connectTls(port, { servername: 'localhost', ...options });
  let got = '';
  c.on('data', (d: Buffer) => (got += d.toString('latin1')));
  return Object.assign(c, { got: () => got });
}

describe('the command', () => {
  it('--version prints the package version; `puretls help` and --help print the usage', async () => {
    const v = await cli.run(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^puretls \d+\.\d+\.\d+\n$/);
    for (const args of [['help'], ['--help'], ['help', 'serve']]) {
      const h = await cli.run(args);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain('usage: puretls serve');
      for (const o of ['--idle-timeout MS', '--shutdown-timeout MS', '--version']) expect(h.stdout).toContain(o);
    }
  });

  it('--key DIR / --cert DIR: exit 2 naming the option and the path that could not be read', async () => {
    const dir = join(certs.dir, 'a-directory');
    mkdirSync(dir, { recursive: true });
    const good = certFiles('good', new Date(Date.now() - DAY), new Date(Date.now() + DAY));
    const key = await cli.run(['serve', '--cert', good.certFile, '--key', dir, '--port', '0']);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain(`--key: cannot read ${dir}: EISDIR`);
    const cert = await cli.run(['serve', '--cert', dir, '--key', good.keyFile, '--port', '0']);
    expect(cert.code).toBe(2);
    expect(cert.stderr).toContain(`--cert: cannot read ${dir}: EISDIR`);
  });

  it('an expired or not yet valid certificate: the server starts, with a warning line', async () => {
    const expired = certFiles('expired', new Date(Date.now() - 3 * DAY), new Date(Date.now() - DAY));
    const future = certFiles('future', new Date(Date.now() + DAY), new Date(Date.now() + 3 * DAY));
    const p = await cli.start(['--cert', expired.certFile, '--key', expired.keyFile, '--cert', future.certFile, '--key', future.keyFile, '--log-level', 'warn']);
    expect(p.stderr()).toMatch(/ warn +certificate 1 \(CN=localhost\) expired on \d{4}-\d\d-\d\dT[\d:.]+Z: clients will reject it/);
    expect(p.stderr()).toMatch(/ warn +certificate 2 \(CN=localhost\) is not valid before \d{4}-/);
    expect(await p.stop()).toBe(0);
  }, 30_000);

  it('defaults and checks of the new options', () => {
    expect(parseCli(['serve'])).toMatchObject({ options: { idleTimeout: DEFAULT_CLI_IDLE_TIMEOUT, shutdownTimeout: DEFAULT_SHUTDOWN_TIMEOUT } });
    expect(parseCli(['serve', '--idle-timeout', '0', '--shutdown-timeout', '250'])).toMatchObject({ options: { idleTimeout: 0, shutdownTimeout: 250 } });
    expect(() => parseCli(['serve', '--idle-timeout', '-1'])).toThrow(/--idle-timeout/);
    expect(() => parseCli(['serve', '--shutdown-timeout', 'soon'])).toThrow(/--shutdown-timeout/);
  });

  it('--www --alpn with a protocol --www does not speak: exit 2 at start; --echo may offer any', async () => {
    const r = await cli.run(['serve', '--alpn', 'h2,spdy/3', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--alpn: --www does not speak "spdy\/3" \(it speaks h2, http\/1\.1\)/);
    expect(parseCli(['serve', '--echo', '--alpn', 'spdy/3'])).toMatchObject({ options: { alpn: ['spdy/3'] } });
  });
});

describe('--www over node:http and node:http2', () => {
  let p: CliProcess;
  beforeAll(async () => {
    p = await cli.start(['--alpn', 'h2,http/1.1', '--log-level', 'info']);
  }, 30_000);
  afterAll(async () => {
    await p.stop();
  });

  const url = (path: string) => `https://localhost:${p.port}${path}`;
  const curl = (args: string[]) => runTool('curl', ['-sk', '--resolve', `localhost:${p.port}:127.0.0.1`, ...args]);

  it('curl --http2 speaks HTTP/2 (ALPN h2), curl --http1.1 HTTP/1.1; the page says which', async () => {
    const h2 = await curl(['--http2', '-w', '\n%{http_version} %{http_code}', url('/stats.json')]);
    expect(h2.out.trim().endsWith('2 200')).toBe(true);
    expect(JSON.parse(h2.out.slice(0, h2.out.lastIndexOf('\n')))).toMatchObject({ alpn: 'h2', httpVersion: '2.0', protocol: 'TLSv1.3' });
    const h1 = await curl(['--http1.1', '-w', '\n%{http_version} %{http_code}', url('/stats.json')]);
    expect(h1.out.trim().endsWith('1.1 200')).toBe(true);
    expect(JSON.parse(h1.out.slice(0, h1.out.lastIndexOf('\n')))).toMatchObject({ alpn: 'http/1.1', httpVersion: '1.1' });
  });

  it('HTTP/2 and HTTP/1.1 keep-alive: two URLs, one connection each (requests 1 and 2)', async () => {
    for (const v of ['--http2', '--http1.1']) {
      const r = await curl([v, url('/stats.json'), url('/stats.json')]);
      const docs = r.out.trim().split(/\n(?=\{)/).map((d) => JSON.parse(d) as { requests: number; remotePort: number });
      expect(docs.map((d) => d.requests)).toEqual([1, 2]);
      expect(docs[1]!.remotePort).toBe(docs[0]!.remotePort);
    }
  });

  it('HEAD and 404, over both', async () => {
    for (const v of ['--http2', '--http1.1']) {
      const head = await curl([v, '-I', url('/')]);
      expect(head.out).toMatch(/^HTTP\/(2|1\.1) 200/m);
      expect(head.out).toMatch(/content-length: \d+/i);
      const missing = await curl([v, '-o', '/dev/null', '-w', '%{http_code}', url('/no/such/page')]);
      expect(missing.out).toBe('404');
    }
  });

  it('Node\u2019s http2.connect', async () => {
    const session = http2Connect(`https://127.0.0.1:${p.port}`, { rejectUnauthorized: false, servername: 'localhost' });
    session.on('error', () => {});
    try {
      const body = await within(
        10_000,
        'http2 request',
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = session.request({ ':path': '/stats.json' });
          let status = 0;
          let text = '';
          req.on('response', (h) => (status = Number(h[':status'])));
          req.on('data', (d: Buffer) => (text += d.toString()));
          req.on('end', () => resolve({ status, body: text }));
          req.on('error', reject);
          req.end();
        }),
      );
      expect(body.status).toBe(200);
      expect(JSON.parse(body.body)).toMatchObject({ alpn: 'h2', httpVersion: '2.0' });
    } finally {
      session.close();
    }
  });

  it('a bare-LF request head (GET / HTTP/1.0\\n\\n from openssl s_client) is answered', async () => {
    const { out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${p.port}`, '-servername', 'localhost', '-alpn', 'http/1.1', '-ign_eof', '-quiet'], { input: 'GET /stats.json HTTP/1.0\n\n', ms: 20_000 });
    expect(out).toMatch(/HTTP\/1\.1 200 OK/);
    expect(out).toContain('"httpVersion": "1.0"');
  });

  it('one access line per request at info: method, path, status, protocol, resumed', async () => {
    const before = lines(p, 'request').length;
    await curl(['--http2', '-o', '/dev/null', url('/stats.json?from=test')]);
    await curl(['--http1.1', '-o', '/dev/null', url('/missing')]);
    const all = await waitLines(p, 'request', before + 2);
    const mine = all.slice(before);
    expect(mine[0]).toMatch(/ info +request remote=127\.0\.0\.1:\d+ method=GET path="\/stats\.json\?from=test" status=200 protocol=HTTP\/2\.0 tls=TLSv1\.3 resumed=false/);
    expect(mine[1]).toMatch(/ info +request .*method=GET path=\/missing status=404 protocol=HTTP\/1\.1 .*resumed=false/);
  });
});

describe('closes the server decides: a close line (rate-limited) and /stats.json', () => {
  it('handshake timeouts: one close line per reason per interval, every one counted', async () => {
    // Long enough for curl's own (first, cold) handshake below, even on a loaded machine.
    const p = await cli.start(['--handshake-timeout', '3000', '--log-level', 'info']);
    const silent = await Promise.all([connectTcp(p.port), connectTcp(p.port), connectTcp(p.port)]);
    await Promise.all(silent.map((s) => within(10_000, 'timed out', once(s, 'close', 10_000))));
    const close = await waitLines(p, 'close', 1);
    expect(close).toHaveLength(1);
    expect(close[0]).toMatch(/ info +close remote=127\.0\.0\.1:\d+ phase=handshake reason=HandshakeTimeout error="TLS handshake timeout"/);
    const { out } = await runTool('curl', ['-sk', '--resolve', `localhost:${p.port}:127.0.0.1`, `https://localhost:${p.port}/stats.json`]);
    expect(JSON.parse(out)).toMatchObject({ server: { closedByServer: { HandshakeTimeout: 3 }, handshakeFailures: 3 } });
    expect(await p.stop()).toBe(0);
  }, 30_000);

  it('a flood after the handshake (empty records): the alert, a close line naming the reason', async () => {
    const p = await cli.start(['--echo', '--log-level', 'info']);
    const t = await connectRawTls13(p.port);
    for (let i = 0; i < 40; i++) t.send(ContentType.application_data, new Uint8Array(0));
    await within(5000, 'closed', t.closed);
    expect(t.alerts).toContain(AlertDescription.unexpected_message);
    const [line] = await waitLines(p, 'close', 1);
    expect(line).toMatch(/ info +close remote=\S+ phase=open reason=TooManyEmptyRecords alert=unexpected_message /);
    expect(await p.stop()).toBe(0);
  }, 30_000);

  it('--idle-timeout: an idle connection gets close_notify and a close line (IdleTimeout)', async () => {
    const p = await cli.start(['--echo', '--idle-timeout', '300', '--log-level', 'info']);
    const t = await connectRawTls13(p.port);
    await within(5000, 'closed by the server', t.closed);
    expect(t.alerts).toEqual([AlertDescription.close_notify]);
    const [line] = await waitLines(p, 'close', 1);
    expect(line).toMatch(/ info +close remote=\S+ phase=open reason=IdleTimeout error=/);
    expect(await p.stop()).toBe(0);
  }, 30_000);
});

describe('graceful shutdown (SIGTERM / SIGINT)', () => {
  it('an idle connection gets close_notify (not a bare FIN), new connections are refused, exit 0', async () => {
    const p = await cli.start(['--log-level', 'info']);
    const t = await connectRawTls13(p.port);
    const exited = p.stop('SIGTERM', 15_000);
    await within(5000, 'closed by the server', t.closed);
    expect(t.alerts).toEqual([AlertDescription.close_notify]);
    expect(await exited).toBe(0);
    await expect(connectTcp(p.port, 2000)).rejects.toThrow(/ECONNREFUSED/);
    expect(lines(p, 'stopping')[0]).toMatch(/ info +stopping signal=SIGTERM open=1 deadlineMs=10000/);
    expect(lines(p, 'stopped')[0]).toMatch(/closedByServer="\{\\"Shutdown\\":1\}"/);
  }, 30_000);

  it('a request in flight is answered (Connection: close) before close_notify; SIGINT works the same', async () => {
    const p = await cli.start(['--log-level', 'info']);
    const c = await client(p.port);
    const ended = once(c, 'end', 10_000);
    // Half a request: the connection is busy when the signal comes (a loopback write reaches the
    // server well within the wait; were it late, the drain would close the connection as idle).
    c.write('GET /stats.json HTTP/1.1\r\nHost: localhost\r\n');
    await new Promise((r) => setTimeout(r, 500));
    const exited = p.stop('SIGINT', 15_000);
    await waitLines(p, 'stopping', 1);
    c.write('\r\n');
    await ended;
    expect(c.got()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(c.got()).toMatch(/\r\nConnection: close\r\n/i);
    expect(await exited).toBe(0);
  }, 30_000);

  it('--shutdown-timeout: a connection still busy at the deadline is closed (ShutdownTimeout), exit 0', async () => {
    const p = await cli.start(['--shutdown-timeout', '300', '--log-level', 'info']);
    const c = await client(p.port);
    const ended = once(c, 'end', 10_000);
    c.write('GET / HTTP/1.1\r\nHost: localhost\r\n');
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    expect(await p.stop('SIGTERM', 15_000)).toBe(0);
    await ended;
    expect(Date.now() - started).toBeLessThan(8000);
    expect(lines(p, 'close').join('\n')).toMatch(/reason=ShutdownTimeout/);
  }, 30_000);

  it('a second signal exits at once (code 1) while connections still drain', async () => {
    const p = await cli.start(['--shutdown-timeout', '60000', '--log-level', 'info']);
    const c = await client(p.port);
    c.write('GET / HTTP/1.1\r\nHost: localhost\r\n');
    await new Promise((r) => setTimeout(r, 500));
    p.proc.kill('SIGTERM');
    await waitLines(p, 'stopping', 1);
    const started = Date.now();
    expect(await p.stop('SIGTERM', 15_000)).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(lines(p, 'exiting now')[0]).toMatch(/ warn +exiting now signal=SIGTERM open=1/);
    c.destroy();
  }, 30_000);
});
