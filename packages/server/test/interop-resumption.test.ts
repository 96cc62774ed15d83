/**
 * Session resumption with real clients (issue #5): OpenSSL's `s_client` (`-sess_out`/`-sess_in`,
 * `-early_data`) against `puretls serve --www` processes with stateless and stateful tickets, and
 * Node's own TLS client (`tls.connect({ session })`, an `https.Agent`'s session cache) against
 * `createServer` in process. Every wait is bounded; every port is ephemeral.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSessionState } from '@puretls/handshake-state-machine/internal';
import { decodeSession } from '@puretls/session-cache';
import type { ConnectionSummary } from '../src/cli/www';
import { CertDir } from '@puretls/test-support/certs';
import { bundleCli, runTool, startCli, type CliProcess } from '@puretls/test-support/cli-process';
import { connectTls, once, readBytes, startServer, within, type RunningServer } from '@puretls/test-support/net';

const STATS = 'GET /stats.json HTTP/1.0\r\nHost: localhost\r\n\r\n';
const PAGE = 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n';

let dir: string;
let cleanupBundle: () => void = () => {};
/** `--tickets stateless` (the default mode, named explicitly). */
let stateless: CliProcess;
/** `--tickets stateful --early-data 16384`: single-use tickets that allow 0-RTT. */
let stateful: CliProcess;
/** `--tickets stateless --early-data 16384`: stateless tickets cannot be single use, so they carry no 0-RTT permission. */
let statelessEarly: CliProcess;
/** `--echo --tickets stateful --early-data 16384`. */
let echo: CliProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'puretls-resumption-'));
  const b = await bundleCli();
  cleanupBundle = b.cleanup;
  [stateless, stateful, statelessEarly, echo] = await Promise.all([
    startCli(b.script, ['--www', '--log-level', 'error', '--tickets', 'stateless']),
    startCli(b.script, ['--www', '--log-level', 'error', '--tickets', 'stateful', '--early-data', '16384']),
    startCli(b.script, ['--www', '--log-level', 'warn', '--tickets', 'stateless', '--early-data', '16384']),
    startCli(b.script, ['--echo', '--log-level', 'error', '--tickets', 'stateful', '--early-data', '16384']),
  ]);
}, 60_000);
afterAll(async () => {
  for (const p of [stateless, stateful, statelessEarly, echo]) await p?.stop();
  cleanupBundle();
  rmSync(dir, { recursive: true, force: true });
});

let fileCounter = 0;
/** A fresh path in the temp folder. */
function tmpFile(name: string): string {
  return join(dir, `${++fileCounter}-${name}`);
}

/** `openssl s_client -tls1_3` with `input` on stdin (the server answers HTTP/1.0 and closes). */
function sClient(server: CliProcess, args: string[], input = STATS) {
  return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', '-tls1_3', '-ign_eof', ...args], { input, ms: 20_000 });
}

/** s_client's `New, …`/`Reused, …` line. */
function handshakeLine(out: string): string | undefined {
  return /^(New|Reused), (TLSv1\.3|TLSv1\.2|\(NONE\)).*$/m.exec(out)?.[0];
}

/** The `/stats.json` document in s_client's output. */
function statsOf(out: string): ConnectionSummary {
  const body = /\r\n\r\n(\{[\s\S]*\n\})\n/.exec(out)?.[1];
  if (body === undefined) throw new Error(`no /stats.json body in:\n${out}`);
  return JSON.parse(body) as ConnectionSummary;
}

/** A full handshake that saves the last ticket to a new session file. */
async function newSessionFile(server: CliProcess): Promise<string> {
  const file = tmpFile('session.pem');
  const { out } = await sClient(server, ['-sess_out', file]);
  expect(handshakeLine(out)).toMatch(/^New, TLSv1\.3/);
  expect(statsOf(out)).toMatchObject({ resumed: false, resumption: null, earlyData: 'none' });
  return file;
}

describe('openssl s_client -sess_out / -sess_in → puretls serve', () => {
  it('--tickets stateless: Reused, TLSv1.3; the page and stats say how; a ticket is reusable', async () => {
    const file = await newSessionFile(stateless);
    for (let i = 0; i < 2; i++) {
      const { out } = await sClient(stateless, ['-sess_in', file]);
      expect(handshakeLine(out)).toMatch(/^Reused, TLSv1\.3, Cipher is TLS_AES_256_GCM_SHA384$/);
      const s = statsOf(out);
      expect(s).toMatchObject({ protocol: 'TLSv1.3', resumed: true, resumption: 'stateless ticket', pskMode: 'psk_dhe_ke', earlyData: 'none', signatureScheme: null });
      expect(s.sessionCache?.tickets).toBe('stateless');
      expect(s.sessionCache?.stats.hits).toBeGreaterThanOrEqual(i + 1);
      expect(s.ticketKeys?.currentKeyName).toMatch(/^[0-9a-f]{32}$/);
    }
    // The HTML page of a reload over the same session.
    const { out } = await sClient(stateless, ['-sess_in', file], PAGE);
    expect(out).toContain('<p>Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384</p>');
    expect(out).toMatch(/<th align="left">Session reused<\/th><td>yes \(stateless ticket\)<\/td>/);
    expect(out).toMatch(/<th align="left">PSK mode<\/th><td>psk_dhe_ke<\/td>/);
  }, 60_000);

  it('--tickets stateful: Reused, TLSv1.3 once; the same ticket again is a full handshake (single use)', async () => {
    const file = await newSessionFile(stateful);
    const before = statsOf((await sClient(stateful, [])).out).sessionCache!.stats;
    const first = await sClient(stateful, ['-sess_in', file]);
    expect(handshakeLine(first.out)).toMatch(/^Reused, TLSv1\.3/);
    const s = statsOf(first.out);
    expect(s).toMatchObject({ resumed: true, resumption: 'stateful ticket', pskMode: 'psk_dhe_ke' });
    expect(s.sessionCache!.stats.hits).toBe(before.hits + 1);

    const second = await sClient(stateful, ['-sess_in', file]);
    expect(handshakeLine(second.out)).toMatch(/^New, TLSv1\.3/);
    const s2 = statsOf(second.out);
    expect(s2).toMatchObject({ resumed: false, resumption: null });
    expect(s2.sessionCache!.stats.misses).toBe(before.misses + 1);
  }, 60_000);

  it('--tickets stateful --early-data 16384: 0-RTT accepted, the request is answered from early data', async () => {
    const file = await newSessionFile(stateful);
    const early = tmpFile('early.txt');
    writeFileSync(early, STATS);
    const { out } = await sClient(stateful, ['-sess_in', file, '-early_data', early], '');
    expect(out).toMatch(/^Early data was accepted$/m);
    expect(handshakeLine(out)).toMatch(/^Reused, TLSv1\.3/);
    expect(statsOf(out)).toMatchObject({
      resumed: true,
      resumption: 'stateful ticket',
      earlyData: 'accepted',
      earlyDataBytes: STATS.length,
      requestInEarlyData: true,
      requests: 1,
    });
  }, 60_000);

  it('--www page after 0-RTT says "0-RTT: accepted"', async () => {
    const file = await newSessionFile(stateful);
    const early = tmpFile('early.txt');
    writeFileSync(early, PAGE);
    const { out } = await sClient(stateful, ['-sess_in', file, '-early_data', early], '');
    expect(out).toMatch(/^Early data was accepted$/m);
    expect(out).toMatch(new RegExp(`<th align="left">0-RTT</th><td>accepted \\(${PAGE.length} bytes\\)</td>`));
    expect(out).toMatch(/<th align="left">This request in 0-RTT data<\/th><td>yes<\/td>/);
  }, 60_000);

  it('--echo --tickets stateful: the 0-RTT bytes are echoed', async () => {
    const file = tmpFile('echo-session.pem');
    // stdin ends once the echo is back: the tickets (sent right after the handshake) came before it.
    const first = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${echo.port}`, '-servername', 'localhost', '-tls1_3', '-sess_out', file], { input: 'hello\n', endWhen: /^hello$/m, ms: 20_000 });
    expect(handshakeLine(first.out)).toMatch(/^New, TLSv1\.3/);
    const early = tmpFile('early-echo.txt');
    writeFileSync(early, 'zero round trip\n');
    const { out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${echo.port}`, '-servername', 'localhost', '-tls1_3', '-sess_in', file, '-early_data', early], { input: 'one round trip\n', endWhen: /^one round trip$/m, ms: 20_000 });
    expect(out).toMatch(/^Early data was accepted$/m);
    expect(out).toMatch(/^zero round trip$/m);
    expect(out).toMatch(/^one round trip$/m);
  }, 60_000);

  it('--tickets stateless --early-data: the server warns; its tickets carry no max_early_data, so no 0-RTT is attempted and the request is answered 1-RTT', async () => {
    expect(statelessEarly.stderr()).toMatch(/--early-data needs --tickets stateful/);
    const file = await newSessionFile(statelessEarly);
    const { out: text } = await runTool('openssl', ['sess_id', '-in', file, '-text', '-noout'], { ms: 10_000 });
    expect(text).toMatch(/Max Early Data: 0$/m);
    const early = tmpFile('early.txt');
    writeFileSync(early, STATS);
    const { out } = await sClient(statelessEarly, ['-sess_in', file, '-early_data', early], STATS);
    expect(out).not.toMatch(/^Early data was accepted$/m);
    expect(handshakeLine(out)).toMatch(/^Reused, TLSv1\.3/);
    expect(statsOf(out)).toMatchObject({ resumed: true, resumption: 'stateless ticket', earlyDataBytes: 0, requestInEarlyData: false });
  }, 60_000);

  it('the servers are still healthy after all that', async () => {
    for (const server of [stateless, stateful, statelessEarly]) {
      const { out } = await sClient(server, []);
      expect(handshakeLine(out)).toMatch(/^New, TLSv1\.3/);
    }
  }, 60_000);
});

describe('Node tls.connect({ session }) → createServer (in process)', () => {
  const certs = new CertDir();
  afterAll(() => certs.cleanup());

  /** Connects, echoes a few bytes, takes the first ticket's `session` event, ends cleanly. */
  async function firstSession(port: number): Promise<Buffer> {
    let gotSession: (s: Buffer) => void = () => {};
    const session = new Promise<Buffer>((resolve) => (gotSession = resolve));
    const client = await connectTls(port, { servername: 'localhost' }, 10_000, (c) => c.on('session', (s: Buffer) => gotSession(s)));
    expect(client.isSessionReused()).toBe(false);
    const echoed = readBytes(client, 5);
    client.write('hello');
    await echoed;
    const s = await within(5000, 'the client session event', session);
    await endCleanly(client);
    return s;
  }

  /** `end()` (close_notify), then wait for the close: an unclean end would invalidate the sessions (spec §5). */
  async function endCleanly(client: TLSSocket): Promise<void> {
    const closed = once(client, 'close', 5000);
    client.end();
    client.resume();
    await closed;
  }

  /** Connects with `session`; what both sides said about resumption (read before the close: Node's answers go with the socket). */
  async function resumeWith(server: RunningServer, session: Buffer) {
    const secure = server.nextSecure();
    const client = await connectTls(server.port, { servername: 'localhost', session });
    const s = await secure;
    const r = { clientReused: client.isSessionReused(), serverReused: s.isSessionReused(), serverSession: s.getSession(), singleUse: s.info?.resumedSession?.singleUse };
    await endCleanly(client);
    return r;
  }

  it.each(['stateless', 'stateful'] as const)('--tickets %s: isSessionReused() on both sides; getSession() is the encoded session', async (tickets) => {
    const cert = certs.make('p256', 'localhost');
    const server = await startServer({ certificates: [{ cert: cert.cert, key: cert.key }], tickets });
    try {
      const full = server.nextSecure();
      const session = await firstSession(server.port);
      const fullSocket = await full;
      expect(fullSocket.isSessionReused()).toBe(false);
      // Node's getSession() after a full handshake: the session of its last ticket (see node-parity-session-info.test.ts).
      expect(decodeSessionState(decodeSession(new Uint8Array(fullSocket.getSession()!)).state)).toMatchObject({ version: 0x0304, serverName: 'localhost' });

      const r = await resumeWith(server, session);
      expect(r.clientReused).toBe(true);
      expect(r.serverReused).toBe(true);
      expect(r.singleUse).toBe(tickets === 'stateful');
      const decoded = decodeSession(new Uint8Array(r.serverSession!));
      expect(decoded.id.length).toBe(32);
      expect(decoded.singleUse).toBe(tickets === 'stateful');
      expect(decodeSessionState(decoded.state)).toMatchObject({ version: 0x0304, cipherSuite: 0x1302, serverName: 'localhost' });
      expect(server.server.context.sessionStats.hits).toBe(1);

      // Single use: the same ticket again is a full handshake when stateful, a resumption when stateless.
      const again = await resumeWith(server, session);
      expect(again.clientReused).toBe(tickets === 'stateless');
      expect(again.serverReused).toBe(tickets === 'stateless');
    } finally {
      await server.close();
    }
  }, 30_000);

  it('an https.Agent reloading the --www page resumes its cached session', async () => {
    const cert = certs.make('p256', 'localhost');
    const { serveWww } = await import('../src/cli/www');
    const server = await startServer({ certificates: [{ cert: cert.cert, key: cert.key }], alpnProtocols: ['http/1.1'] }, (s) => serveWww(s));
    const agent = new Agent({ keepAlive: false, maxCachedSessions: 10 });
    const fetchStats = () =>
      within(
        10_000,
        'GET /stats.json',
        new Promise<ConnectionSummary>((resolve, reject) => {
          const req = httpsGet({ host: '127.0.0.1', port: server.port, path: '/stats.json', servername: 'localhost', rejectUnauthorized: false, agent, minVersion: 'TLSv1.3' }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (body += d));
            res.on('end', () => resolve(JSON.parse(body) as ConnectionSummary));
            res.on('error', reject);
          });
          req.on('error', reject);
        }),
      );
    try {
      expect(await fetchStats()).toMatchObject({ resumed: false, requests: 1 });
      // The agent caches the session from the client's `session` event (the ticket precedes the response).
      const second = await fetchStats();
      expect(second).toMatchObject({ resumed: true, resumption: 'stateless ticket', pskMode: 'psk_dhe_ke' });
      expect(second.sessionCache?.stats.hits).toBe(1);
    } finally {
      agent.destroy();
      await server.close();
    }
  }, 30_000);
});
