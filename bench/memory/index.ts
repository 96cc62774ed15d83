/**
 * Memory per idle TLS 1.3 connection: N Node clients (same process) connect to a puretls
 * `createServer` and, in the same run, to Node's own `tls.createServer`, with the same P-256
 * certificate. Each side: gc(), baseline, open N connections (handshake done, one byte echoed so
 * tickets are in), gc(), measure, close. Printed: (heapUsed + external) delta / N and RSS delta / N.
 *
 * Caveats (printed too): the delta includes the N Node *clients* on both sides (the same cost,
 * so the difference between the rows is the servers'); Node's OpenSSL state lives in malloc,
 * which heap+external does not see — compare RSS for it (noisier). Ratios printed, never asserted.
 *
 * Run: `node bench/run.mjs memory [--quick]` (N = 500, or 50 with --quick).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer as createNodeServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { createServer } from '@puretls/server';

const quick = process.argv.includes('--quick');
const N = quick ? 50 : 500;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (node bench/run.mjs memory)');

interface Listening {
  port: number;
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

async function measure(name: string, listen: () => Promise<Listening>): Promise<{ name: string; heapExt: number; rss: number }> {
  const server = await listen();
  // Warm up: one connection, so code and lazily built tables are not counted.
  for (const c of await openClients(server.port, 5)) c.destroy();
  await settle();
  const before = usage();
  const clients = await openClients(server.port, N);
  await settle();
  const after = usage();
  for (const c of clients) c.destroy();
  await server.close();
  return { name, heapExt: (after.heapExt - before.heapExt) / N, rss: (after.rss - before.rss) / N };
}

async function main(): Promise<void> {
  const { key, cert } = makeCert();
  const puretls = await measure('puretls createServer', async () => {
    const s = createServer({ key, cert, handshakeTimeout: 0 }, (sock) => sock.pipe(sock));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return {
      port: (s.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((r) => {
          s.close(() => r());
          s.closeAllConnections();
        }),
    };
  });
  const node = await measure('node tls.createServer', async () => {
    const sockets = new Set<TLSSocket>();
    const s = createNodeServer({ key, cert }, (sock) => {
      sockets.add(sock);
      sock.on('error', () => {});
      sock.pipe(sock);
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return {
      port: (s.address() as AddressInfo).port,
      close: () =>
        new Promise<void>((r) => {
          s.close(() => r());
          for (const x of sockets) x.destroy();
        }),
    };
  });
  const kib = (b: number) => (b / 1024).toFixed(1).padStart(8);
  console.log(`memory_idle_connection_1.3_x25519_ecdsa-p256 (N = ${N}, Node ${process.version}; clients in-process, counted on both rows)`);
  console.log('server                     heap+external/conn   rss/conn');
  for (const r of [puretls, node]) console.log(`${r.name.padEnd(26)} ${kib(r.heapExt)} KiB       ${kib(r.rss)} KiB`);
  console.log(`ratio puretls / node: heap+external ${(puretls.heapExt / node.heapExt).toFixed(2)}x, rss ${(puretls.rss / node.rss).toFixed(2)}x`);
  console.log("note: Node's OpenSSL state is malloc'd (invisible to heap+external); RSS includes it.");
}

await main();
