/**
 * Loopback helpers for adapter tests: start a puretls server on an ephemeral port, connect Node
 * TLS clients, collect bytes — every wait bounded by a timeout.
 */
import { connect as netConnect, createServer as createTcpServer, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { afterEach } from 'vitest';
import { bytesToHex, createNodeProvider } from '@puretls/crypto';
import { createServer, type PureTlsServer, type PureTlsServerOptions, type PureTlsSocket } from '@puretls/server/node';
import { within } from './wait';

export { within } from './wait';
// The Node parity harness (one scenario against Node's tls.createServer and ours); reached
// through this subpath until test-support's package.json names it.
export * from './node-parity';

export interface RunningServer {
  readonly server: PureTlsServer;
  readonly port: number;
  /** Server-side TLS sockets, in handshake order. */
  readonly secured: PureTlsSocket[];
  readonly clientErrors: Error[];
  /** The next `secureConnection` socket. */
  nextSecure(ms?: number): Promise<PureTlsSocket>;
  /** The next `tlsClientError`. */
  nextClientError(ms?: number): Promise<Error>;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0; `onSecure` runs for each connection (default: echo). */
export async function startServer(options: PureTlsServerOptions, onSecure: ((s: PureTlsSocket) => void) | null = (s) => s.pipe(s)): Promise<RunningServer> {
  const server = createServer(options);
  const secured: PureTlsSocket[] = [];
  const clientErrors: Error[] = [];
  server.on('secureConnection', (s) => {
    secured.push(s);
    s.on('error', () => {});
    onSecure?.(s);
  });
  server.on('tlsClientError', (e) => clientErrors.push(e));
  await within(5000, 'listen', new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return {
    server,
    port: addr.port,
    secured,
    clientErrors,
    nextSecure: (ms = 10_000) => within(ms, 'secureConnection', new Promise((resolve) => server.once('secureConnection', resolve))),
    nextClientError: (ms = 10_000) => within(ms, 'tlsClientError', new Promise((resolve) => server.once('tlsClientError', (e) => resolve(e)))),
    close: () =>
      within(
        5000,
        'server close',
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
      ),
  };
}

/** A Node TLS 1.3 client connected (handshake done) to 127.0.0.1:port. */
export function connectTls(port: number, options: ConnectionOptions = {}, ms = 10_000, setup?: (s: TLSSocket) => void): Promise<TLSSocket> {
  return within(
    ms,
    'tls.connect',
    new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ...options }, () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
      // Tests that care listen themselves; a reset at teardown must not be an uncaught error.
      s.on('error', () => {});
      setup?.(s);
    }),
  );
}

/** The error a Node TLS client gets (rejects if the handshake succeeds). */
export function connectTlsFailure(port: number, options: ConnectionOptions = {}, ms = 10_000): Promise<Error & { code?: string }> {
  return within(
    ms,
    'tls.connect failure',
    new Promise((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
        s.destroy();
        reject(new Error('handshake unexpectedly succeeded'));
      });
      s.once('error', (e) => {
        s.destroy();
        resolve(e);
      });
      s.on('error', () => {});
    }),
  );
}

/** A raw TCP connection to 127.0.0.1:port. */
export function connectTcp(port: number, ms = 5000): Promise<Socket> {
  return within(
    ms,
    'net.connect',
    new Promise((resolve, reject) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => resolve(s));
      s.once('error', reject);
      s.on('error', () => {});
    }),
  );
}

export interface TcpRelay {
  /** Where clients connect (127.0.0.1). */
  readonly port: number;
  /** Connections accepted so far. */
  accepted(): number;
  /** Connections open now. */
  open(): number;
  /**
   * Ends every relayed connection, both sides, and waits until each client-side socket has closed:
   * a client that keeps connections alive (a browser) must open a new one for its next request.
   * Returns how many it ended.
   */
  dropAll(ms?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A byte-for-byte TCP relay 127.0.0.1:(ephemeral) → 127.0.0.1:`targetPort`. The test owns every
 * connection through it, so it can end them all (`dropAll`) whatever the client's connection reuse.
 */
export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let accepted = 0;
  const server = createTcpServer((client) => {
    accepted++;
    const upstream = netConnect({ host: '127.0.0.1', port: targetPort });
    const pair = { client, upstream };
    pairs.add(pair);
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await within(5000, 'relay listen', new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const dropAll = async (ms = 5000): Promise<number> => {
    const now = [...pairs];
    const closed = now.map((p) => (p.client.closed ? Promise.resolve() : new Promise<void>((resolve) => p.client.once('close', () => resolve()))));
    for (const p of now) {
      p.client.destroy();
      p.upstream.destroy();
    }
    await within(ms, 'relayed connections to close', Promise.all(closed));
    return now.length;
  };
  return {
    port: addr.port,
    accepted: () => accepted,
    open: () => pairs.size,
    dropAll,
    close: async () => {
      await dropAll();
      await within(5000, 'relay close', new Promise<void>((resolve) => server.close(() => resolve())));
    },
  };
}

/** Reads `n` bytes from a stream; resolves with their SHA-256 (hex). */
export function readBytes(stream: NodeJS.ReadableStream, n: number, ms = 30_000): Promise<{ sha256: string; length: number }> {
  return within(
    ms,
    `reading ${n} bytes`,
    new Promise((resolve, reject) => {
      const h = HASHER.createHash('sha256');
      let got = 0;
      const onData = (d: Buffer) => {
        const take = Math.min(d.length, n - got);
        h.update(d.subarray(0, take));
        got += take;
        if (got >= n) {
          stream.off('data', onData);
          resolve({ sha256: bytesToHex(h.digest()), length: got });
        }
      };
      stream.on('data', onData);
      stream.once('error', reject);
      stream.once('end', () => {
        if (got < n) reject(new Error(`stream ended after ${got} of ${n} bytes`));
      });
    }),
  );
}

/** Everything a stream produces until it ends. */
export function readAll(stream: NodeJS.ReadableStream, ms = 10_000): Promise<Buffer> {
  return within(
    ms,
    'read to end',
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.once('end', () => resolve(Buffer.concat(chunks)));
      stream.once('error', reject);
    }),
  );
}

/** Hashing for checksums goes through the project's provider (no direct `node:crypto` here). */
const HASHER = createNodeProvider();

export function sha256(b: Uint8Array): string {
  return bytesToHex(HASHER.hash('sha256', b));
}

/** `n` pseudo-random bytes (xorshift32, deterministic per seed): test payloads, not secrets. */
export function payload(n: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Resolves when `emitter` emits `event`. */
export function once(emitter: NodeJS.EventEmitter, event: string, ms = 10_000): Promise<unknown[]> {
  return within(ms, `event ${event}`, new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args))));
}

/** Resolves once `cond()` holds (polled every 10 ms); rejects after `ms` naming `what`. */
export async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  try {
    await within(
      ms,
      what,
      new Promise<void>((resolve) => {
        t = setInterval(() => {
          if (cond()) resolve();
        }, 10);
      }),
    );
  } finally {
    clearInterval(t);
  }
}

/**
 * Writes `data` to `stream` in `chunk`-byte pieces as fast as backpressure allows (resuming on
 * `drain`). `sawBackpressure()`: whether a write returned `false`; `offered()`: bytes handed to
 * `write()` so far.
 */
export function pumpWrites(stream: NodeJS.WritableStream, data: Uint8Array, chunk = 256 << 10): { sawBackpressure(): boolean; offered(): number } {
  let saw = false;
  let off = 0;
  const pump = (): void => {
    while (off < data.length) {
      const ok = stream.write(data.subarray(off, off + chunk));
      off += chunk;
      if (!ok) {
        saw = true;
        stream.once('drain', pump);
        return;
      }
    }
  };
  pump();
  return { sawBackpressure: () => saw, offered: () => Math.min(off, data.length) };
}

/**
 * Per-test servers: `start()` is {@link startServer}; every server started in a test is closed
 * after it (afterEach). Call at the top level of a test file.
 */
export function useServers(): { start: typeof startServer } {
  const running: RunningServer[] = [];
  afterEach(async () => {
    for (const r of running.splice(0)) await r.close();
  });
  return {
    start: async (options, onSecure) => {
      const r = await startServer(options, onSecure);
      running.push(r);
      return r;
    },
  };
}
