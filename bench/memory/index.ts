/**
 * Memory per idle TLS 1.3 connection: N Node clients connect to a puretls `createServer` and, in
 * the same run, to Node's own `tls.createServer`, with the same P-256 certificate. Each side:
 * warm-up (N connections, closed), wait until the server has no connection left, gc(), baseline,
 * open N connections (handshake done, one byte echoed so tickets are in), gc(), measure, close.
 * Printed: (heapUsed + external) delta / N and RSS delta / N. Measured twice: with the clients in
 * a child process (idle-clients.main.ts: the server alone), and with them in this process (counted
 * on both sides, the same cost: how the first runs measured).
 *
 * Caveat (printed too): Node's OpenSSL state lives in malloc, which heap+external does not see —
 * compare RSS for it (noisier). Ratios printed, never asserted.
 *
 * Per cached session: in-memory handshakes (no sockets) on one `ServerContext`, the heap growth
 * (heapUsed + arrayBuffers) divided by the sessions the cache gained: TLS 1.2 session ids and
 * TLS 1.3 stateful tickets.
 *
 * Rows: `memory_idle-connection_1.3_x25519_ecdsa-p256[-with-clients]_<heap|rss>_<puretls|nodetls>`
 * (KiB per connection; rounds alternate puretls, Node) and `memory_cached-session_<…>_heap_puretls` (B).
 *
 * Run: `node bench/run.mjs memory [--quick]` (N = 500, or 50 with --quick).
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, createServer as createNodeServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createNodeProvider } from '@puretls/crypto';
import { ServerConnection, ServerContext } from '@puretls/server';
import { createServer } from '@puretls/server/node';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { TestClient12 } from '@puretls/test-support/tls12-client';
import { emit } from '../lib/rows';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const N = quick ? 50 : 500;
const ROUNDS = quick ? 1 : 3;
const clientProvider = createNodeProvider();
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (node bench/run.mjs memory)');

interface Listening {
  port: number;
  /** Open connections (`server.getConnections`). */
  connections(): Promise<number>;
  close(): Promise<void>;
}

function makeCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'puretls-mem-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-days', '2', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'k'), 'utf8'), cert: readFileSync(join(dir, 'c'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setTimeout(r, 20));
    gc!();
  }
}

function usage(): { heapExt: number; rss: number } {
  const m = process.memoryUsage();
  return { heapExt: m.heapUsed + m.external, rss: m.rss };
}

async function openClients(port: number, n: number): Promise<TLSSocket[]> {
  const out: TLSSocket[] = [];
  // Batches of 25 keep the accept queue short; every connection is verified by an echoed byte.
  for (let i = 0; i < n; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, () =>
        new Promise<TLSSocket>((resolve, reject) => {
          const c = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, () => {
            c.once('data', () => resolve(c));
            c.write('x');
          });
          c.once('error', reject);
        }),
      ),
    );
    out.push(...batch);
  }
  return out;
}

/** N idle clients in a child process (idle-clients.main.ts); `close()` ends them. */
async function openClientsElsewhere(port: number, n: number): Promise<{ close(): Promise<void> }> {
  const child = fork(join(here, 'idle-clients.main.js'), [String(port), String(n)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`idle-clients exited with ${code} before its connections were up`)));
  });
  child.removeAllListeners('exit');
  return {
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/**
 * Waits until the server has no connection left (the warm-up's closes reach it asynchronously):
 * otherwise the baseline would hold N server connections that the measured phase frees. At most
 * 500 polls of 20 ms.
 */
async function drained(server: Listening): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await server.connections()) === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the server still has ${await server.connections()} connections 10 s after its clients closed`);
}

async function measure(name: string, listen: () => Promise<Listening>, clientsHere: boolean): Promise<{ name: string; heapExt: number; rss: number }> {
  const server = await listen();
  // Warm up with as many connections as are measured, closed again: V8 compiles (and optimises)
  // the connection paths only after hundreds of runs, and that code, like lazily built tables, is
  // not memory *per connection*. With 5 warm-up connections the JIT's code space grew during the
  // measured phase and was counted (~4 KiB per connection on the puretls side, N = 300).
  if (clientsHere) for (const c of await openClients(server.port, N)) c.destroy();
  else await (await openClientsElsewhere(server.port, N)).close();
  await drained(server);
  await settle();
  const before = usage();
  let close: () => Promise<void>;
  if (clientsHere) {
    const clients = await openClients(server.port, N);
    close = async () => {
      for (const c of clients) c.destroy();
    };
  } else {
    close = (await openClientsElsewhere(server.port, N)).close;
  }
  await settle();
  const after = usage();
  await close();
  await server.close();
  return { name, heapExt: (after.heapExt - before.heapExt) / N, rss: (after.rss - before.rss) / N };
}

async function listenPuretls(key: string, cert: string): Promise<Listening> {
  const s = createServer({ key, cert, handshakeTimeout: 0 }, (sock) => sock.pipe(sock));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    connections: () => new Promise((r, j) => s.getConnections((err, n) => (err ? j(err) : r(n)))),
    close: () =>
      new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      }),
  };
}

async function listenNode(key: string, cert: string): Promise<Listening> {
  const sockets = new Set<TLSSocket>();
  const s = createNodeServer({ key, cert }, (sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.pipe(sock);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    connections: () => new Promise((r, j) => s.getConnections((err, n) => (err ? j(err) : r(n)))),
    close: () =>
      new Promise<void>((r) => {
        s.close(() => r());
        for (const x of sockets) x.destroy();
      }),
  };
}

/**
 * Heap bytes per cached session: `n` in-memory handshakes on one `ServerContext` (no sockets),
 * connections dropped, then (heapUsed + arrayBuffers) growth / sessions in the cache.
 */
async function perCachedSession(kind: '1.2 session id' | '1.3 stateful ticket', n: number): Promise<number> {
  const ctx = new ServerContext({ certificates: [certificate()], groups: ['x25519'], ...(kind === '1.3 stateful ticket' ? { tickets: 'stateful' as const } : {}), sessionCacheSize: 0 });
  const one = () => {
    const conn = new ServerConnection(ctx);
    if (kind === '1.2 session id') {
      const client = new TestClient12(clientProvider);
      conn.receive(TestClient12.plaintextRecord(client.buildClientHello({ cipherSuites: [0xc02b], groups: [0x001d, 0x0017] })));
      client.receive(conn.takeOutput());
      conn.receive(client.finish());
      client.receive(conn.takeOutput());
    } else {
      const client = new TestClient13(clientProvider);
      conn.receive(TestClient13.plaintextRecord(client.buildClientHello({ shareGroups: ['x25519'] })));
      client.receive(conn.takeOutput());
      conn.receive(client.finish());
      client.receive(conn.takeOutput());
    }
    if (conn.phase !== 'open') throw new Error(`${kind}: handshake failed (${conn.phase})`);
  };
  for (let i = 0; i < 5; i++) one(); // warm-up
  await settle();
  const before = ctx.sessionCache.size;
  const h0 = heapAb();
  for (let i = 0; i < n; i++) one();
  await settle();
  const sessions = ctx.sessionCache.size - before;
  if (sessions < n) throw new Error(`${kind}: ${sessions} sessions cached after ${n} handshakes`);
  return (heapAb() - h0) / sessions;
}

function heapAb(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

let certMemo: { key: string; cert: string } | undefined;
function certificate(): { key: string; cert: string } {
  return (certMemo ??= makeCert());
}

async function main(): Promise<void> {
  const { key, cert } = certificate();
  const name = 'memory_idle-connection_1.3_x25519_ecdsa-p256';
  for (const clientsHere of [false, true]) {
    const pure = { heapExt: [] as number[], rss: [] as number[] };
    const node = { heapExt: [] as number[], rss: [] as number[] };
    for (let r = 0; r < ROUNDS; r++) {
      const p = await measure('puretls createServer', () => listenPuretls(key, cert), clientsHere);
      const o = await measure('node tls.createServer', () => listenNode(key, cert), clientsHere);
      pure.heapExt.push(p.heapExt / 1024);
      pure.rss.push(p.rss / 1024);
      node.heapExt.push(o.heapExt / 1024);
      node.rss.push(o.rss / 1024);
    }
    // `…_heap_…` / `…_rss_…`: the server alone (clients in another process); `…-with-clients_…`: the
    // N Node clients in this process too, counted on both sides (the measure of the first runs).
    const [tag, who] = clientsHere ? ['-with-clients', 'server + N Node clients in this process'] : ['', 'the server alone (clients in another process)'];
    console.log(`idle TLS 1.3 connections: N = ${N} per round, ${ROUNDS} round(s); ${who}`);
    emit({ scenario: `${name}${tag}_heap_puretls`, metric: `heap + external per idle connection, ${who}`, unit: 'KiB', better: 'lower', samples: pure.heapExt, peer: { scenario: `${name}${tag}_heap_nodetls`, samples: node.heapExt }, extra: { connections: N } });
    emit({ scenario: `${name}${tag}_heap_nodetls`, metric: `heap + external per idle connection, ${who} (OpenSSL's malloc not seen)`, unit: 'KiB', better: 'lower', samples: node.heapExt });
    emit({ scenario: `${name}${tag}_rss_puretls`, metric: `RSS per idle connection, ${who}`, unit: 'KiB', better: 'lower', samples: pure.rss, peer: { scenario: `${name}${tag}_rss_nodetls`, samples: node.rss }, extra: { connections: N } });
    emit({ scenario: `${name}${tag}_rss_nodetls`, metric: `RSS per idle connection, ${who}`, unit: 'KiB', better: 'lower', samples: node.rss });
  }

  const n = quick ? 300 : 3000;
  for (const [kind, token] of [['1.2 session id', '1.2_x25519_ecdsa-p256_session-id'], ['1.3 stateful ticket', '1.3_x25519_ecdsa-p256_stateful']] as const) {
    const xs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) xs.push(await perCachedSession(kind, n));
    emit({ scenario: `memory_cached-session_${token}_heap_puretls`, metric: `heap bytes per cached session (${kind}, in the session cache)`, unit: 'B', better: 'lower', samples: xs, extra: { sessionsPerRound: n } });
  }
  console.log("note: Node's OpenSSL state is malloc'd (invisible to heap+external); RSS includes it.");
}

await main();
