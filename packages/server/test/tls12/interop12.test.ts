/**
 * OpenSSL's `s_client -tls1_2` and curl `--tlsv1.2 --tls-max 1.2` against an in-process
 * `createServer` (TLS 1.2 and 1.3 enabled) answering a tiny HTTP page: every suite × certificate
 * type, fallback SCSV, refused renegotiation, session-id and ticket resumption with a Map glue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { runTool } from '@puretls/test-support/cli-process';
import { startServer, type RunningServer } from '@puretls/test-support/net';
import type { PureTlsSocket } from '../../src/node/tls-socket';
import { MapGlue12 } from '@puretls/test-support/harness12';

const certs = new CertDir();
const servers: Partial<Record<'p256' | 'p384' | 'rsa2048' | 'ed25519', RunningServer>> = {};
let glue: MapGlue12;
let tmp: string;

/** Answers each HTTP request (up to the blank line) with a page naming version, cipher and resumption. */
function httpPage(s: PureTlsSocket): void {
  let buf = '';
  s.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    let i: number;
    while ((i = buf.indexOf('\r\n\r\n')) >= 0) {
      const head = buf.slice(0, i);
      buf = buf.slice(i + 4);
      const body = `${s.getProtocol()} ${s.getCipher()?.name} resumed=${s.isSessionReused()}\n`;
      s.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      // `Connection: close` unless asked to keep it (the renegotiation test sends two requests).
      if (!/keep-alive/i.test(head)) s.end();
    }
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'puretls-tls12-'));
  glue = new MapGlue12();
  for (const k of ['p256', 'p384', 'rsa2048', 'ed25519'] as const) {
    const c: TestCert = certs.make(k);
    servers[k] = await startServer({ certificates: [{ cert: c.cert, key: c.key }], minVersion: 'TLSv1.2', sessions: glue } as never, httpPage);
  }
}, 60_000);
afterAll(async () => {
  for (const r of Object.values(servers)) await r?.close();
  certs.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const REQUEST = 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n';

function sClient(kind: keyof typeof servers, args: string[], input = REQUEST, holdMs = 500) {
  return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${servers[kind]!.port}`, '-servername', 'localhost', '-ign_eof', ...args], { input, holdMs, ms: 20_000 });
}

describe('openssl s_client -tls1_2 → createServer', { timeout: 30_000 }, () => {
  it.each([
    ['p256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    ['p256', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
    ['p256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
    ['p384', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    ['p384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
    ['p384', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
    ['ed25519', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
    ['ed25519', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
    ['ed25519', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
    ['rsa2048', 'ECDHE-RSA-AES128-GCM-SHA256'],
    ['rsa2048', 'ECDHE-RSA-AES256-GCM-SHA384'],
    ['rsa2048', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ] as const)('%s certificate, -cipher %s', async (kind, suite) => {
    const { out } = await sClient(kind, ['-tls1_2', '-cipher', suite]);
    expect(out).toContain(`New, TLSv1.2, Cipher is ${suite}`);
    expect(out).toMatch(/Extended master secret: yes/);
    expect(out).toMatch(/Secure Renegotiation IS supported/);
    expect(out).toContain(`TLSv1.2 ${suite} resumed=false`);
  });

  it.each([
    ['X25519', /X25519/],
    ['P-256', /prime256v1|P-256/],
    ['P-384', /secp384r1|P-384/],
  ])('-groups %s (RSA certificate: no curve constraint)', async (group, tempKey) => {
    const { out } = await sClient('rsa2048', ['-tls1_2', '-groups', group]);
    expect(/^Server Temp Key: (.*)$/m.exec(out)?.[1]).toMatch(tempKey);
    expect(out).toContain('TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 resumed=false');
  });

  it('-sigalgs RSA-PSS+SHA256 / RSA+SHA256 on the RSA certificate', async () => {
    const pss = await sClient('rsa2048', ['-tls1_2', '-sigalgs', 'rsa_pss_rsae_sha256']);
    expect(pss.out).toMatch(/Peer signature type: RSA-PSS/);
    const pkcs1 = await sClient('rsa2048', ['-tls1_2', '-sigalgs', 'RSA+SHA256']);
    expect(pkcs1.out).toMatch(/Peer signature type: RSA$/m);
    expect(pkcs1.out).toContain('resumed=false');
  });

  it('-fallback_scsv → inappropriate_fallback (TLS 1.3 is enabled)', async () => {
    const { out } = await sClient('p256', ['-tls1_2', '-fallback_scsv'], '');
    expect(out).toMatch(/alert inappropriate fallback/);
  });

  it('the downgrade sentinel is in ServerHello.random (s_client -tls1_2 -msg)', async () => {
    const { out } = await sClient('p256', ['-tls1_2', '-msg']);
    // The ServerHello dump: 02 00 00 LL 03 03 then 32 random bytes ending in 44 4f 57 4e 47 52 44 01.
    const hexDump = out.split('<<< TLS 1.2, Handshake [length')[1] ?? '';
    expect(hexDump.replace(/\s+/g, ' ')).toMatch(/44 4f 57 4e 47 52 44 01/);
  });

  it('renegotiation (R) is refused with a no_renegotiation warning; the server keeps serving', async () => {
    const script = `(printf 'R\\n'; sleep 1; printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: keep-alive\\r\\n\\r\\n'; sleep 1) | openssl s_client -connect 127.0.0.1:${servers.p256!.port} -servername localhost -tls1_2 -msg`;
    const { out } = await runTool('sh', ['-c', script], { ms: 20_000 });
    expect(out).toMatch(/RENEGOTIATING/);
    // RFC 5746 / RFC 5246 §7.2.2: we answer the ClientHello with a warning and stay up …
    expect(out).toMatch(/<<< TLS 1\.2, Alert \[length 0002\], warning no_renegotiation/);
    // … and OpenSSL's client, by its own policy (rec_layer_s3.c: "if application tried to
    // renegotiate it presumably had a good reason"), gives up with handshake_failure. The in-memory
    // test shows the connection going on with a client that accepts the refusal.
    expect(out).toMatch(/>>> TLS 1\.2, Alert \[length 0002\], fatal handshake_failure/);
    const after = await sClient('p256', ['-tls1_2']);
    expect(after.out).toContain('TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 resumed=false');
  }, 30_000);

  it('session-id resumption (-sess_out / -sess_in, -no_ticket)', async () => {
    const sess = join(tmp, 'id.sess');
    const first = await sClient('p256', ['-tls1_2', '-no_ticket', '-sess_out', sess]);
    expect(first.out).toContain('resumed=false');
    const second = await sClient('p256', ['-tls1_2', '-no_ticket', '-sess_in', sess]);
    expect(second.out).toMatch(/^Reused, TLSv1\.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256$/m);
    expect(second.out).toContain('resumed=true');
  });

  it('RFC 5077 ticket resumption (-sess_out / -sess_in)', async () => {
    const sess = join(tmp, 'ticket.sess');
    const first = await sClient('rsa2048', ['-tls1_2', '-sess_out', sess]);
    expect(first.out).toMatch(/TLS session ticket lifetime hint: \d+/);
    const second = await sClient('rsa2048', ['-tls1_2', '-sess_in', sess]);
    expect(second.out).toMatch(/^Reused, TLSv1\.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256$/m);
    expect(second.out).toContain('resumed=true');
  });
});

describe('curl --tlsv1.2 --tls-max 1.2 → createServer', { timeout: 30_000 }, () => {
  it.each(['p256', 'rsa2048'] as const)('%s certificate', async (kind) => {
    const { code, out } = await runTool('curl', ['-sk', '--tlsv1.2', '--tls-max', '1.2', '-w', '\n%{http_code}', `https://127.0.0.1:${servers[kind]!.port}/`]);
    expect(code).toBe(0);
    expect(out).toMatch(/^TLSv1\.2 ECDHE-(ECDSA|RSA)-AES(128|256)-GCM-SHA(256|384) resumed=false$/m);
    expect(out.trim().endsWith('200')).toBe(true);
  });
});
