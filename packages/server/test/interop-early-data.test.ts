/**
 * 0-RTT with a real client (RFC 8446 §4.2.10): `openssl s_client -early_data` is accepted on a
 * single-use stateful ticket, and rejected cleanly — the handshake goes on as 1-RTT — by a server
 * that does not take early data. Two in-process servers share sessions through the get/new-session
 * callbacks (an external store), so the second one can resume the first one's ticket.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@puretls/session-cache';
import { runTool } from '@puretls/test-support/cli-process';
import { CertDir } from '@puretls/test-support/certs';
import { startServer, type RunningServer } from '@puretls/test-support/net';

const certs = new CertDir();
const dir = mkdtempSync(join(tmpdir(), 'puretls-0rtt-'));
const store = new Map<string, Session>();
const key = (id: Uint8Array) => Buffer.from(id).toString('hex');
let issuer: RunningServer;
let refuser: RunningServer;

beforeAll(async () => {
  const c = certs.make('p256');
  const common = { certificates: [{ cert: c.cert, key: c.key }], tickets: 'stateful' as const };
  // The server answers each request line with what it knows about the connection.
  const answer = (s: import('../src/node').PureTlsSocket) =>
    s.on('data', () => s.end(`early=${s.info?.earlyData} resumed=${s.isSessionReused()}\n`));
  issuer = await startServer({ ...common, maxEarlyData: 16384, newSession: (_c, s) => void store.set(key(s.id), s), getSession: (_c, id) => store.get(key(id)) }, answer);
  refuser = await startServer({ ...common, maxEarlyData: 0, getSession: (_c, id) => store.get(key(id)) }, answer);
}, 60_000);
afterAll(async () => {
  await issuer?.close();
  await refuser?.close();
  certs.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
async function ticketFrom(server: RunningServer): Promise<string> {
  const file = join(dir, `sess-${++n}.pem`);
  const { out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-tls1_3', '-sess_out', file, '-ign_eof'], { input: 'x\n', ms: 20_000 });
  expect(out).toMatch(/^New, TLSv1\.3/m);
  const { out: text } = await runTool('openssl', ['sess_id', '-in', file, '-text', '-noout'], { ms: 10_000 });
  expect(text).toMatch(/Max Early Data: 16384$/m);
  return file;
}

function earlyClient(server: RunningServer, sessionFile: string) {
  const early = join(dir, `early-${++n}.txt`);
  writeFileSync(early, 'GET\n');
  return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-tls1_3', '-sess_in', sessionFile, '-early_data', early, '-ign_eof'], { input: 'again\n', ms: 20_000 });
}

describe('openssl s_client -early_data (0-RTT)', () => {
  it('is accepted on a single-use stateful ticket: the request arrives as early data', async () => {
    const { out } = await earlyClient(issuer, await ticketFrom(issuer));
    expect(out).toMatch(/^Early data was accepted$/m);
    expect(out).toMatch(/^Reused, TLSv1\.3/m);
    expect(out).toContain('early=accepted resumed=true');
  }, 60_000);

  it('is rejected cleanly by a server that takes no early data: resumed 1-RTT, the connection works', async () => {
    const { out } = await earlyClient(refuser, await ticketFrom(issuer));
    expect(out).toMatch(/^Early data was rejected$/m);
    expect(out).toMatch(/^Reused, TLSv1\.3/m);
    expect(out).toContain('early=rejected resumed=true');
  }, 60_000);
});
