/**
 * The clients of the idle-connection measurement of bench/memory, in their own process so that
 * the suite's heap sees the servers' memory alone:
 *
 *   node idle-clients.main.js PORT N
 *
 * Opens N TLS 1.3 connections to 127.0.0.1:PORT (Node's `tls.connect`, batches of 25), each
 * verified by one echoed byte (so the server's tickets have arrived), then sends `ready` on the
 * IPC channel and keeps them open until the channel closes (the suite kills or disconnects it).
 * Exits 1 on a connection error.
 */
import { connect, type TLSSocket } from 'node:tls';

const port = Number(process.argv[2]);
const n = Number(process.argv[3]);
if (!Number.isInteger(port) || !Number.isInteger(n) || n < 1 || !process.send) {
  console.error('usage (forked with IPC): idle-clients.main.js PORT N');
  process.exit(2);
}

function one(): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const c = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' }, () => {
      c.once('data', () => resolve(c));
      c.write('x');
    });
    c.once('error', reject);
  });
}

const open: TLSSocket[] = [];
try {
  for (let i = 0; i < n; i += 25) open.push(...(await Promise.all(Array.from({ length: Math.min(25, n - i) }, one))));
} catch (e) {
  console.error(`idle-clients: ${(e as Error).message}`);
  process.exit(1);
}
process.send('ready');
process.on('disconnect', () => {
  for (const c of open) c.destroy();
  process.exit(0);
});
