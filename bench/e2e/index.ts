/**
 * bench/e2e: end to end over loopback. The same client load against three server processes with
 * the same application (server.main.ts) and the same ECDSA P-256 certificate: puretls with the
 * `node` provider, puretls with the `noble` provider, and Node's own `tls.createServer` (OpenSSL);
 * for handshakes also `openssl s_server -WWW` as a reference (OpenSSL without Node around it).
 *
 * Handshakes: `openssl s_time -new` (full) and `-reuse` (resumed) for TLS 1.2 and 1.3, `-www /ok`
 * (so the client reads, and TLS 1.3 tickets arrive; every server answers with 2 bytes), `-time T` per round. Around each round the
 * server process's CPU time is read from /proc/<pid>/stat (utime + stime, in clock ticks of
 * `getconf CLK_TCK`): server CPU per connection = ticks / CLK_TCK / connections. Connections per
 * second = connections / wall time of the round. TLS 1.2 resumption is measured twice: with
 * tickets (the servers' default) and by session id (servers started without tickets).
 *
 * Bulk: Node's `tls.connect` (TLS 1.3, TLS_AES_128_GCM_SHA256) downloads and uploads B bytes;
 * MB/s = B / wall time, plus the server's CPU ms per MB. Then the same by write size (1 KiB,
 * 16 KiB, 1 MiB per `write()`: the server's when downloading, the client's when uploading) for
 * AES-128-GCM and ChaCha20-Poly1305: `e2e_bulk-<dir>_1.3_x25519_ecdsa-p256_<aead>_<1k|16k|1m>_…`.
 *
 * Rounds are interleaved: puretls-node, puretls-noble, Node tls, puretls-node, … after a warm-up.
 * Rows: `e2e_<full|resumed>_<1.2|1.3>_x25519_ecdsa-p256[_<kind>]_server_<impl>` (server CPU ms per
 * connection), `…_rate_<impl>` (conn/s), `e2e_bulk-<down|up>_1.3_x25519_ecdsa-p256_aes-128-gcm_
 * <throughput|server>_<impl>`; every puretls row has the Node tls row as its peer. The platform
 * floor of the download: `e2e_bulk-down_…_aes-128-gcm_aead-floor_node`, the node provider's AEAD
 * alone on full records (this process, once per round), peer Node tls's whole server CPU per MB.
 *
 * Run: `node bench/run.mjs e2e [--quick] [--profile]`. Needs `openssl` on PATH and Linux /proc.
 * `--profile` runs the Node-hosted servers with `node --cpu-prof` (open the .cpuprofile files in
 * Chrome DevTools or speedscope) — the numbers of a profiled run are not comparable.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createNodeProvider } from '@puretls/crypto';
import { emit, quick, skip } from '../lib/rows';

const here = dirname(fileURLToPath(import.meta.url));
/** puretls (node provider), puretls (noble provider), Node tls; `openssl s_server` for reference. */
const IMPLS = ['node', 'noble', 'nodetls', 'openssl'] as const;
type Impl = (typeof IMPLS)[number];
/** Bulk transfer runs against the Node-hosted servers only (s_server -www has no bulk mode). */
const BULK_IMPLS = ['node', 'noble', 'nodetls'] as const;
const empty = (): Record<Impl, number[]> => ({ node: [], noble: [], nodetls: [], openssl: [] });
const PEER: Impl = 'nodetls';

const S_TIME_SECONDS = quick ? 1 : 4;
const HS_ROUNDS = quick ? 1 : 3;
const BULK_BYTES = (quick ? 8 : 64) * 1024 * 1024;
const BULK_ROUNDS = quick ? 1 : 5;
/** The write-size matrix (both AEADs, both directions): bytes and rounds per case. */
const MATRIX_BYTES = (quick ? 4 : 16) * 1024 * 1024;
const MATRIX_ROUNDS = quick ? 1 : 3;
const WRITE_SIZES: readonly (readonly [number, string])[] = [
  [1024, '1k'],
  [16384, '16k'],
  [1024 * 1024, '1m'],
];
const HS = 'x25519_ecdsa-p256';

if (!existsSync('/proc/self/stat')) skip('needs Linux /proc to read the server process CPU time');
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  skip('openssl CLI not found on PATH (needed for s_time)');
}
/** `--profile`: the Node-hosted servers run with --cpu-prof; profiles go to <results>/profiles/. */
const PROFILE_DIR = process.argv.includes('--profile')
  ? join(process.env['PURETLS_BENCH_RESULTS'] ?? join(here, '..', '..', 'results'), 'profiles', new Date().toISOString().replace(/[:.]/g, '-'))
  : undefined;
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

// ---- certificate and servers -----------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'puretls-e2e-'));
const certFile = join(dir, 'cert.pem');
const keyFile = join(dir, 'key.pem');
writeFileSync(join(dir, 'ok'), 'ok');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });

interface Server {
  readonly impl: Impl;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
}
const children: ChildProcess[] = [];
/** Closes the Node servers' stdin (they exit, writing their CPU profile if any), then kills the rest. */
async function shutdown(): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const timer = setTimeout(() => (c.kill(), resolve()), 5000);
          c.once('exit', () => (clearTimeout(timer), resolve()));
          if (c.stdin) c.stdin.end();
          else c.kill();
        }),
    ),
  );
}
function cleanup(): void {
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
}
process.on('exit', cleanup);

function startServer(impl: Impl, noTickets: boolean): Promise<Server> {
  const child =
    impl === 'openssl'
      ? // -WWW serves GET /ok from the file `ok` (2 bytes, like our servers' answer); its internal
        // session cache serves session ids; -no_ticket for the session-id servers.
        spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-cert', certFile, '-key', keyFile, '-WWW', ...(noTickets ? ['-no_ticket'] : [])], { cwd: dir, stdio: ['ignore', 'pipe', 'ignore'] })
      : spawn(process.execPath, [...(PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', PROFILE_DIR, '--cpu-prof-name', `${impl}${noTickets ? '-no-tickets' : ''}.cpuprofile`] : []), join(here, 'server.main.js'), '--impl', impl, '--cert', certFile, '--key', keyFile, ...(noTickets ? ['--no-tickets'] : [])], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${impl} server did not start within 20 s`)), 20_000);
    child.on('exit', (code) => reject(new Error(`${impl} server exited (${code}) before listening`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /(?:PORT |ACCEPT 127\.0\.0\.1:)(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ impl, port: Number(m[1]), pid: child.pid!, child });
      }
    });
  });
}

/** utime + stime of a process, in ms. */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

// ---- openssl s_time ----------------------------------------------------------------------------

interface STimeRound {
  connections: number;
  reused: number;
  wallS: number;
  serverMs: number;
}

function sTime(server: Server, args: readonly string[], seconds: number): Promise<STimeRound> {
  const c0 = cpuMsOf(server.pid);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile('openssl', ['s_time', '-connect', `127.0.0.1:${server.port}`, '-www', '/ok', '-time', String(seconds), ...args], { maxBuffer: 64 << 20 }, (err, stdout) => {
      const wallS = (performance.now() - t0) / 1000;
      const serverMs = cpuMsOf(server.pid) - c0;
      // "N connections in X real seconds" — the -new or -reuse pass (s_time prints one pass).
      const m = [...stdout.matchAll(/(\d+) connections in [\d.]+ real seconds/g)].at(-1);
      if (err || !m) return reject(new Error(`s_time ${args.join(' ')} against ${server.impl}: ${err?.message ?? 'no result line'}\n${stdout.slice(-300)}`));
      const connections = Number(m[1]);
      // Progress marks: one character per connection, 'r' reused, '*' new (lines of only those).
      const marks = stdout.split('\n').filter((l) => /^[r*]+$/.test(l.trim())).join('');
      resolve({ connections, reused: (marks.match(/r/g) ?? []).length, wallS, serverMs });
    });
  });
}

interface HsScenario {
  readonly name: string;
  readonly args: readonly string[];
  readonly noTickets: boolean;
  readonly resumed: boolean;
}
const SCENARIOS: HsScenario[] = [
  { name: `full_1.3_${HS}`, args: ['-new', '-tls1_3'], noTickets: false, resumed: false },
  { name: `resumed_1.3_${HS}_psk-dhe-ke`, args: ['-reuse', '-tls1_3'], noTickets: false, resumed: true },
  { name: `full_1.2_${HS}`, args: ['-new', '-tls1_2'], noTickets: false, resumed: false },
  { name: `resumed_1.2_${HS}_ticket`, args: ['-reuse', '-tls1_2'], noTickets: false, resumed: true },
  { name: `resumed_1.2_${HS}_session-id`, args: ['-reuse', '-tls1_2'], noTickets: true, resumed: true },
];

// ---- bulk transfer -----------------------------------------------------------------------------

/** TLS 1.3 cipher suites of the bulk rows, by the AEAD token of the row names. */
const BULK_SUITES = { 'aes-128-gcm': 'TLS_AES_128_GCM_SHA256', 'chacha20-poly1305': 'TLS_CHACHA20_POLY1305_SHA256' } as const;
type BulkAead = keyof typeof BULK_SUITES;

/**
 * One bulk transfer of `bytes`: `down`, the server writes `writeSize` bytes per `write()` (16 KiB
 * unless given); `up`, the client writes `writeSize` bytes per `write()` (64 KiB unless given).
 */
function bulk(server: Server, direction: 'down' | 'up', bytes: number, aead: BulkAead = 'aes-128-gcm', writeSize?: number): Promise<{ mbps: number; serverMsPerMb: number }> {
  return new Promise((resolve, reject) => {
    const c0 = cpuMsOf(server.pid);
    let t0 = 0;
    const sock = connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: BULK_SUITES[aead] }, () => {
      t0 = performance.now();
      sock.write(direction === 'down' && writeSize !== undefined ? `down ${bytes} ${writeSize}\n` : `${direction} ${bytes}\n`);
      if (direction === 'up') {
        const chunk = Buffer.alloc(writeSize ?? 65536, 0x62);
        let left = bytes;
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            left -= n;
            if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
              sock.once('drain', pump);
              return;
            }
          }
        };
        pump();
      }
    });
    let got = 0;
    sock.on('data', (c: Buffer) => (got += c.length));
    sock.on('error', reject);
    sock.on('end', () => {
      const s = (performance.now() - t0) / 1000;
      const serverMs = cpuMsOf(server.pid) - c0;
      sock.destroy();
      if (direction === 'down' && got !== bytes) return reject(new Error(`${server.impl}: received ${got} of ${bytes} bytes`));
      if (direction === 'up' && got !== 3) return reject(new Error(`${server.impl}: no "ok" after the upload`));
      resolve({ mbps: bytes / 1e6 / s, serverMsPerMb: serverMs / (bytes / 1e6) });
    });
  });
}

// ---- the AEAD floor of the node provider ---------------------------------------------------------

/** Full TLS 1.3 records' inner plaintext (2^14 content bytes + the content type). */
const FULL_RECORD = 16385;

/**
 * CPU per MB of the node provider's AES-128-GCM alone, in this process: `AeadKey.seal` of full
 * 16 KiB records, which is what Node 20's public crypto API allows per record (one
 * `createCipheriv` per nonce, a fresh output Buffer per `update`), with no TLS framing and no I/O.
 * Beside Node tls's whole server CPU per MB it shows how much of the bulk target is left above the
 * platform: OpenSSL inside Node's tls reuses one cipher context per connection.
 */
function aeadFloorMsPerMb(bytes: number): number {
  const aead = createNodeProvider().createAead('aes-128-gcm', new Uint8Array(16).fill(7));
  const nonce = new Uint8Array(12);
  const aad = new Uint8Array([23, 3, 3, 0x40, 0x11]);
  const record = new Uint8Array(FULL_RECORD).fill(0x61);
  const out = new Uint8Array(FULL_RECORD + 16);
  const n = Math.ceil(bytes / FULL_RECORD);
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    nonce[11] = i & 0xff;
    nonce[10] = (i >> 8) & 0xff;
    aead.seal(nonce, aad, record, out);
  }
  const c = process.cpuUsage(c0);
  aead.clean();
  return (c.user + c.system) / 1000 / ((n * FULL_RECORD) / 1e6);
}

// ---- main --------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const servers = new Map<string, Server>();
  for (const noTickets of [false, true]) for (const impl of IMPLS) servers.set(`${impl}/${noTickets}`, await startServer(impl, noTickets));
  const get = (impl: Impl, noTickets: boolean) => servers.get(`${impl}/${noTickets}`)!;
  console.log(`servers up (CLK_TCK ${CLK_TCK}); s_time -time ${S_TIME_SECONDS}, ${HS_ROUNDS} interleaved round(s) per scenario`);

  // Warm-up: JIT and lazily built tables, on every server once.
  for (const s of servers.values()) await sTime(s, ['-new', '-tls1_3'], 1);

  for (const sc of SCENARIOS) {
    const cpu = empty();
    const rate = empty();
    const reusedFrac = empty();
    const conns: Record<Impl, number> = { node: 0, noble: 0, nodetls: 0, openssl: 0 };
    for (let r = 0; r < HS_ROUNDS; r++) {
      for (const impl of IMPLS) {
        const res = await sTime(get(impl, sc.noTickets), sc.args, S_TIME_SECONDS);
        if (res.connections === 0) throw new Error(`${sc.name} ${impl}: no connections`);
        cpu[impl].push(res.serverMs / res.connections);
        rate[impl].push(res.connections / res.wallS);
        reusedFrac[impl].push(res.reused / res.connections);
        conns[impl] += res.connections;
      }
    }
    for (const impl of IMPLS) {
      const reused = Math.min(...reusedFrac[impl]);
      if (sc.resumed && reused < 0.9) console.log(`  WARNING: ${sc.name} ${impl}: only ${(reused * 100).toFixed(0)}% of the connections resumed`);
      const peer = impl === PEER ? undefined : { scenario: `e2e_${sc.name}_server_${PEER}`, samples: cpu[PEER] };
      emit({
        scenario: `e2e_${sc.name}_server_${impl}`,
        metric: 'server process CPU per connection',
        unit: 'ms',
        better: 'lower',
        samples: cpu[impl],
        ...(peer ? { peer } : {}),
        extra: { connections: conns[impl], reusedFraction: Number(reused.toFixed(3)), clkTck: CLK_TCK },
      });
    }
    for (const impl of IMPLS) {
      const peer = impl === PEER ? undefined : { scenario: `e2e_${sc.name}_rate_${PEER}`, samples: rate[PEER] };
      emit({ scenario: `e2e_${sc.name}_rate_${impl}`, metric: 'connections per second (s_time, one client)', unit: 'conn/s', better: 'higher', samples: rate[impl], ...(peer ? { peer } : {}) });
    }
  }

  console.log(`bulk: ${BULK_BYTES / 1048576} MiB per round, ${BULK_ROUNDS} interleaved round(s)`);
  for (const direction of ['down', 'up'] as const) {
    const name = `e2e_bulk-${direction}_1.3_${HS}_aes-128-gcm`;
    const mbps = empty();
    const cpuPerMb = empty();
    const floor: number[] = [];
    for (const impl of BULK_IMPLS) await bulk(get(impl, false), direction, BULK_BYTES); // warm-up: the JIT needs a whole round
    if (direction === 'down') aeadFloorMsPerMb(BULK_BYTES / 4); // warm-up
    for (let r = 0; r < BULK_ROUNDS; r++) {
      for (const impl of BULK_IMPLS) {
        const res = await bulk(get(impl, false), direction, BULK_BYTES);
        mbps[impl].push(res.mbps);
        cpuPerMb[impl].push(res.serverMsPerMb);
      }
      if (direction === 'down') floor.push(aeadFloorMsPerMb(BULK_BYTES));
    }
    if (direction === 'down') {
      emit({
        scenario: `${name}_aead-floor_node`,
        metric: 'node provider AES-128-GCM seal alone (16 KiB records, in process, no I/O), CPU per MB, vs Node tls whole server CPU per MB',
        unit: 'ms/MB',
        better: 'lower',
        samples: floor,
        peer: { scenario: `${name}_server_${PEER}`, samples: cpuPerMb[PEER] },
      });
    }
    for (const impl of BULK_IMPLS) {
      const peer = impl === PEER ? undefined : { scenario: `${name}_throughput_${PEER}`, samples: mbps[PEER] };
      emit({ scenario: `${name}_throughput_${impl}`, metric: `bulk ${direction === 'down' ? 'server → client' : 'client → server'}, wall time`, unit: 'MB/s', better: 'higher', samples: mbps[impl], ...(peer ? { peer } : {}), extra: { bytes: BULK_BYTES } });
    }
    for (const impl of BULK_IMPLS) {
      const peer = impl === PEER ? undefined : { scenario: `${name}_server_${PEER}`, samples: cpuPerMb[PEER] };
      emit({ scenario: `${name}_server_${impl}`, metric: 'server process CPU per MB', unit: 'ms/MB', better: 'lower', samples: cpuPerMb[impl], ...(peer ? { peer } : {}) });
    }
  }

  // Write sizes × AEADs × directions: 1 KiB (small records), 16 KiB (one full record per write),
  // 1 MiB (one write cut into 64 full records); AES-128-GCM and ChaCha20-Poly1305.
  console.log(`bulk by write size: ${MATRIX_BYTES / 1048576} MiB per round, ${MATRIX_ROUNDS} interleaved round(s)`);
  for (const aead of Object.keys(BULK_SUITES) as BulkAead[]) {
    for (const direction of ['down', 'up'] as const) {
      for (const [writeSize, token] of WRITE_SIZES) {
        const name = `e2e_bulk-${direction}_1.3_${HS}_${aead}_${token}`;
        const mbps = empty();
        const cpuPerMb = empty();
        for (const impl of BULK_IMPLS) await bulk(get(impl, false), direction, MATRIX_BYTES / 4, aead, writeSize); // warm-up
        for (let r = 0; r < MATRIX_ROUNDS; r++) {
          for (const impl of BULK_IMPLS) {
            const res = await bulk(get(impl, false), direction, MATRIX_BYTES, aead, writeSize);
            mbps[impl].push(res.mbps);
            cpuPerMb[impl].push(res.serverMsPerMb);
          }
        }
        const what = `bulk ${direction === 'down' ? 'server → client' : 'client → server'}, ${token} writes`;
        for (const impl of BULK_IMPLS) {
          const peer = impl === PEER ? undefined : { scenario: `${name}_throughput_${PEER}`, samples: mbps[PEER] };
          emit({ scenario: `${name}_throughput_${impl}`, metric: `${what}, wall time`, unit: 'MB/s', better: 'higher', samples: mbps[impl], ...(peer ? { peer } : {}), extra: { bytes: MATRIX_BYTES, writeSize } });
        }
        for (const impl of BULK_IMPLS) {
          const peer = impl === PEER ? undefined : { scenario: `${name}_server_${PEER}`, samples: cpuPerMb[PEER] };
          emit({ scenario: `${name}_server_${impl}`, metric: `${what}, server process CPU per MB`, unit: 'ms/MB', better: 'lower', samples: cpuPerMb[impl], ...(peer ? { peer } : {}) });
        }
      }
    }
  }
}

try {
  await main();
  await shutdown();
  if (PROFILE_DIR) console.log(`CPU profiles of the Node-hosted servers: ${PROFILE_DIR}`);
} finally {
  cleanup();
}
process.exit(0);
