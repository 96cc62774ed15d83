/**
 * A fleet of two `puretls serve` processes sharing the machine's Redis (issue #8): a session made
 * on A resumes on B — TLS 1.2 session ids, TLS 1.2 tickets, TLS 1.3 stateful tickets (through the
 * store) and TLS 1.3 stateless tickets (through the shared key ring) — checked with
 * `openssl s_client -sess_out` on A and `-sess_in` on B (`Reused`). A stateful ticket is single
 * use across the fleet, also when presented to A and B at the same moment. The CLI is bundled
 * from source (like the server's own CLI tests); ports are ephemeral; every process is killed in
 * afterAll; the test's key prefixes are deleted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { bundleCli, runTool, startCli, type CliProcess } from '@puretls/test-support/cli-process';
import { SHARED_REDIS_URL, adminClient, deletePrefix, keysUnder, uniquePrefix } from './helpers';

const STATS = 'GET /stats.json HTTP/1.0\r\nHost: localhost\r\n\r\n';
const certs = new CertDir();
let cert: TestCert;
let dir: string;
let admin: Redis;
let cleanupBundle: () => void = () => {};
const procs: CliProcess[] = [];
const statelessPrefix = uniquePrefix('fleet-stateless');
const statefulPrefix = uniquePrefix('fleet-stateful');
/** `--tickets stateless --ticket-keys redis`: TLS 1.3 stateless tickets, TLS 1.2 tickets and ids. */
let statelessA: CliProcess;
let statelessB: CliProcess;
/** `--tickets stateful --ticket-keys redis`: single-use TLS 1.3 tickets in Redis (sealed). */
let statefulA: CliProcess;
let statefulB: CliProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'puretls-fleet-'));
  admin = adminClient();
  cert = certs.make('p256', 'localhost');
  const b = await bundleCli();
  cleanupBundle = b.cleanup;
  // The same certificate everywhere: the handshake refuses a session made under another configuration.
  const common = ['--www', '--log-level', 'info', '--cert', cert.certFile, '--key', cert.keyFile, '--ticket-keys', 'redis', '--lookup-timeout', '2000'];
  const store = (prefix: string) => ['--session-store', `${SHARED_REDIS_URL}?prefix=${prefix}`];
  // A first, alone: it creates each shared ring; B joins it.
  statelessA = await startCli(b.script, [...common, ...store(statelessPrefix), '--tickets', 'stateless']);
  procs.push(statelessA);
  statefulA = await startCli(b.script, [...common, ...store(statefulPrefix), '--tickets', 'stateful']);
  procs.push(statefulA);
  statelessB = await startCli(b.script, [...common, ...store(statelessPrefix), '--tickets', 'stateless']);
  procs.push(statelessB);
  statefulB = await startCli(b.script, [...common, ...store(statefulPrefix), '--tickets', 'stateful']);
  procs.push(statefulB);
}, 120_000);

afterAll(async () => {
  for (const p of procs) await p.stop('SIGKILL');
  cleanupBundle();
  certs.cleanup();
  rmSync(dir, { recursive: true, force: true });
  if (admin) {
    await deletePrefix(admin, statelessPrefix);
    await deletePrefix(admin, statefulPrefix);
    admin.disconnect();
  }
}, 30_000);

let fileCounter = 0;
const tmpFile = (name: string) => join(dir, `${++fileCounter}-${name}`);

function sClient(server: CliProcess, args: string[]) {
  return runTool('openssl', ['s_client', '-connect', `127.0.0.1:${server.port}`, '-servername', 'localhost', '-ign_eof', ...args], { input: STATS, ms: 20_000 });
}
function handshakeLine(out: string): string | undefined {
  return /^(New|Reused), (TLSv1\.3|TLSv1\.2|\(NONE\)).*$/m.exec(out)?.[0];
}
interface Stats {
  resumed: boolean;
  resumption: string | null;
  sessionCache?: { stats: { cbHits: number; hits: number } };
}
function statsOf(out: string): Stats {
  const body = /\r\n\r\n(\{[\s\S]*\n\})\n/.exec(out)?.[1];
  if (body === undefined) throw new Error(`no /stats.json body in:\n${out}`);
  return JSON.parse(body) as Stats;
}

/** A full handshake on `server` that saves the session to a new file. */
async function newSession(server: CliProcess, version: string[]): Promise<string> {
  const file = tmpFile('session.pem');
  const { out } = await sClient(server, [...version, '-sess_out', file]);
  expect(handshakeLine(out)).toMatch(/^New, /);
  return file;
}

describe('two puretls serve processes, one Redis: made on A, resumed on B', () => {
  it('both servers joined the shared rings and said so', () => {
    for (const p of [statelessA, statelessB, statefulA, statefulB]) {
      expect(p.stderr()).toMatch(/session store .*ticketKeys="shared \(joined\)"/);
      expect(p.stderr()).not.toMatch(/unsealed/);
    }
  });

  it('TLS 1.3 stateless ticket (the shared key ring)', async () => {
    const file = await newSession(statelessA, ['-tls1_3']);
    const { out } = await sClient(statelessB, ['-tls1_3', '-sess_in', file]);
    expect(handshakeLine(out)).toMatch(/^Reused, TLSv1\.3/);
    expect(statsOf(out)).toMatchObject({ resumed: true, resumption: 'stateless ticket' });
  }, 60_000);

  it('TLS 1.2 ticket (RFC 5077, the shared key ring)', async () => {
    const file = await newSession(statelessA, ['-tls1_2']);
    const { out } = await sClient(statelessB, ['-tls1_2', '-sess_in', file]);
    expect(handshakeLine(out)).toMatch(/^Reused, TLSv1\.2/);
    expect(statsOf(out)).toMatchObject({ resumed: true });
  }, 60_000);

  it('TLS 1.2 session id (the store: SET on A, GET on B)', async () => {
    const file = await newSession(statelessA, ['-tls1_2', '-no_ticket']);
    const before = statsOf((await sClient(statelessB, ['-tls1_2'])).out).sessionCache!.stats.cbHits;
    const { out } = await sClient(statelessB, ['-tls1_2', '-no_ticket', '-sess_in', file]);
    expect(handshakeLine(out)).toMatch(/^Reused, TLSv1\.2/);
    expect(statsOf(out).sessionCache!.stats.cbHits).toBe(before + 1);
  }, 60_000);

  it('TLS 1.3 stateful ticket (the store, sealed); then single use: the same ticket on A is a full handshake', async () => {
    const file = await newSession(statefulA, ['-tls1_3']);
    const { out } = await sClient(statefulB, ['-tls1_3', '-sess_in', file]);
    expect(handshakeLine(out)).toMatch(/^Reused, TLSv1\.3/);
    expect(statsOf(out)).toMatchObject({ resumed: true, resumption: 'stateful ticket' });
    // A still holds it in its own cache, but B took it from Redis (GETDEL): A refuses it.
    const again = await sClient(statefulA, ['-tls1_3', '-sess_in', file]);
    expect(handshakeLine(again.out)).toMatch(/^New, TLSv1\.3/);
  }, 60_000);

  it('single use across servers: one stateful ticket presented to A and B at the same moment is accepted by exactly one', async () => {
    for (let round = 0; round < 3; round++) {
      const file = await newSession(statefulA, ['-tls1_3']);
      const [a, b] = await Promise.all([sClient(statefulA, ['-tls1_3', '-sess_in', file]), sClient(statefulB, ['-tls1_3', '-sess_in', file])]);
      const lines = [handshakeLine(a.out), handshakeLine(b.out)];
      expect(lines.filter((l) => l?.startsWith('Reused'))).toHaveLength(1);
      expect(lines.filter((l) => l?.startsWith('New'))).toHaveLength(1);
    }
  }, 120_000);

  it('stateless mode stores no TLS 1.3 sessions in Redis; stored values hold no session secret in the clear', async () => {
    const keys = await keysUnder(admin, `${statelessPrefix}s:`);
    // Only the one TLS 1.2 session id made above is stored: stateless TLS 1.3 tickets and TLS 1.2
    // tickets carry their session (the cache tells the store `stateless`; TLS 1.2 ticket users get no id).
    expect(keys).toHaveLength(1);
    for (const k of keys) {
      const v = (await admin.getBuffer(k))!;
      expect(v.length).toBeGreaterThan(28); // key name(16) ‖ nonce(12) ‖ sealed session ‖ tag
    }
    expect(await admin.exists(`${statelessPrefix}ticket-keys`)).toBe(1);
  });
});
