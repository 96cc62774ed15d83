/**
 * TLS → TCP in the Node adapter (tls-socket.ts `flush`): writes made in one turn of the event loop
 * reach TCP together, `end()` sends the last data with the close_notify in one write, and large
 * writes still flow with backpressure. Counts TCP write calls on the server's socket (`write` and
 * the vectored `_writev` path): no timing involved.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PureTlsSocket } from '../src/node/tls-socket';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { connectTls, readAll, sha256, payload, useServers, within, type RunningServer } from '@puretls/test-support/net';

const certs = new CertDir();
let p256: TestCert;
const servers = useServers();
beforeAll(() => {
  p256 = certs.make('p256');
}, 60_000);
afterAll(() => certs.cleanup());

/** Counts the syscall-level writes TCP is asked for (one per `_write`, one per `_writev`). */
function countWrites(tcp: Socket): { readonly count: number } {
  const counter = { count: 0 };
  const t = tcp as Socket & { _write: (...a: unknown[]) => unknown; _writev: (...a: unknown[]) => unknown };
  const w = t._write.bind(t);
  const wv = t._writev.bind(t);
  t._write = (...a: unknown[]) => (counter.count++, w(...a));
  t._writev = (...a: unknown[]) => (counter.count++, wv(...a));
  return counter;
}

async function serve(onSecure: (s: PureTlsSocket) => void): Promise<{ r: RunningServer; writes: () => number }> {
  const r = await servers.start({ certificates: [{ cert: p256.cert, key: p256.key }] }, onSecure);
  let counter: { readonly count: number } | undefined;
  r.server.on('connection', (tcp) => (counter = countWrites(tcp)));
  return { r, writes: () => counter?.count ?? -1 };
}

describe('write coalescing', () => {
  it('three writes and end() in one turn: one TCP write after the handshake, all bytes arrive', async () => {
    let atSecure = -1;
    let writes: () => number = () => -1;
    const served = await serve((s) => {
      atSecure = writes();
      s.write('alpha ');
      s.write('beta ');
      s.end('gamma');
    });
    writes = served.writes;
    const client = await connectTls(served.r.port, { servername: 'localhost' });
    const got = await readAll(client);
    expect(got.toString()).toBe('alpha beta gamma');
    // After the handshake's own writes: the three records and the close_notify in one write.
    expect(atSecure).toBeGreaterThan(0);
    expect(writes() - atSecure).toBe(1);
  });

  it('4 MiB in 16 KiB writes with backpressure arrive intact, in far fewer TCP writes than records', async () => {
    const data = payload(4 << 20);
    let writes: () => number = () => -1;
    let atSecure = -1;
    const served = await serve((s) => {
      atSecure = writes();
      let off = 0;
      const pump = (): void => {
        while (off < data.length) {
          const chunk = data.subarray(off, off + 16384);
          off += chunk.length;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
        s.end();
      };
      pump();
    });
    writes = served.writes;
    const client = await connectTls(served.r.port, { servername: 'localhost' });
    const got = await within(60_000, 'download', readAll(client, 60_000));
    expect(got.length).toBe(data.length);
    expect(sha256(got)).toBe(sha256(data));
    // 256 records of 16 KiB: coalesced up to 64 KiB per write while TCP keeps up.
    expect(writes() - atSecure).toBeLessThan(256);
  });
});
