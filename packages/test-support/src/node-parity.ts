/**
 * Node parity: one scenario run twice, once against Node's own `tls.createServer` and once against
 * puretls's `createServer`, with the same options, so that a test compares what each did
 * (`expect(r.puretls).toEqual(r.node)`) or asserts a documented difference. Every server a run
 * starts is closed (its connections destroyed) when the run ends; every wait is bounded.
 *
 * The scenario sees both servers through Node's types (`tls.Server`, `tls.TLSSocket`): puretls's
 * `createServer` is meant as a drop-in, so a scenario is written as Node code.
 */
import { connect as netConnect, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { createServer } from '@puretls/server/node';
import { within } from './wait';

export type ServerImpl = 'node' | 'puretls';

/** A server of either kind, listening on 127.0.0.1. */
export interface ParityServer {
  readonly impl: ServerImpl;
  readonly server: tls.Server;
  readonly port: number;
  /** Server-side sockets, in `secureConnection` order. */
  readonly secured: tls.TLSSocket[];
  /** `tlsClientError` errors, in order. */
  readonly clientErrors: (Error & { code?: string })[];
  /** The next `secureConnection` socket. */
  nextSecure(ms?: number): Promise<tls.TLSSocket>;
  /** The next `tlsClientError`. */
  nextClientError(ms?: number): Promise<Error & { code?: string }>;
}

/** What a scenario is given: which implementation runs, and how to make its servers. */
export interface ParityRun {
  readonly impl: ServerImpl;
  /** The implementation's `createServer(options, listener)` (throws what it throws). */
  create(options?: object, listener?: (socket: tls.TLSSocket) => void): tls.Server;
  /** `create`, then listen on 127.0.0.1:0; closed at the end of the run. */
  start(options?: object, listener?: ((socket: tls.TLSSocket) => void) | null): Promise<ParityServer>;
}

/** A comparable summary of an error: its class name, `code`, and whether it is a TypeError/RangeError. */
export interface ErrorShape {
  readonly name: string;
  readonly code: string | undefined;
}

/** An error's comparable shape (`{ name, code }`), or `null` for none. */
export function errorShape(e: unknown): ErrorShape | null {
  if (e === null || e === undefined) return null;
  const err = e as { name?: unknown; code?: unknown; constructor?: { name?: string } };
  return { name: e instanceof TypeError ? 'TypeError' : e instanceof RangeError ? 'RangeError' : 'Error', code: typeof err.code === 'string' ? err.code : undefined };
}

/** Calls `fn`; `null` when it returns, else the thrown error's shape (see {@link errorShape}). */
export function throwsShape(fn: () => unknown): ErrorShape | null {
  try {
    fn();
    return null;
  } catch (e) {
    return errorShape(e);
  }
}

/** The error `fn` throws (or `undefined`). */
export function thrown(fn: () => unknown): (Error & { code?: string }) | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e as Error & { code?: string };
  }
}

function makeServer(impl: ServerImpl, options: object, listener?: (socket: tls.TLSSocket) => void): tls.Server {
  if (impl === 'node') return tls.createServer(options as tls.TlsOptions, listener);
  return createServer(options as never, listener as never) as unknown as tls.Server;
}

/**
 * Runs `scenario` against one implementation; closes what it started afterwards (also when it
 * throws). Bounded by `ms` (default 30 s).
 */
export async function runScenario<T>(impl: ServerImpl, scenario: (run: ParityRun) => Promise<T> | T, ms = 30_000): Promise<T> {
  const started: { server: tls.Server; sockets: Set<Socket> }[] = [];
  const run: ParityRun = {
    impl,
    create: (options = {}, listener) => makeServer(impl, options, listener),
    start: async (options = {}, listener = (s) => s.pipe(s)) => {
      const server = makeServer(impl, options);
      const sockets = new Set<Socket>();
      started.push({ server, sockets });
      server.on('connection', (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      const secured: tls.TLSSocket[] = [];
      const clientErrors: (Error & { code?: string })[] = [];
      server.on('secureConnection', (s: tls.TLSSocket) => {
        secured.push(s);
        s.on('error', () => {});
        listener?.(s);
      });
      server.on('tlsClientError', (e: Error) => clientErrors.push(e));
      await within(5000, `${impl} listen`, new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())));
      const addr = server.address();
      if (!addr || typeof addr === 'string') throw new Error('no address');
      return {
        impl,
        server,
        port: addr.port,
        secured,
        clientErrors,
        nextSecure: (t = 10_000) => within(t, `${impl} secureConnection`, new Promise((resolve) => server.once('secureConnection', resolve))),
        nextClientError: (t = 10_000) => within(t, `${impl} tlsClientError`, new Promise((resolve) => server.once('tlsClientError', (e: Error) => resolve(e)))),
      };
    },
  };
  try {
    return await within(ms, `${impl} scenario`, Promise.resolve().then(() => scenario(run)));
  } finally {
    for (const { server, sockets } of started) {
      for (const s of sockets) s.destroy();
      if (server.listening) await within(5000, `${impl} close`, new Promise<void>((resolve) => server.close(() => resolve())));
    }
  }
}

/** Runs `scenario` against Node's `tls.createServer`, then against puretls's `createServer`. */
export async function onBothServers<T>(scenario: (run: ParityRun) => Promise<T> | T, ms?: number): Promise<{ node: T; puretls: T }> {
  const node = await runScenario('node', scenario, ms);
  const puretls = await runScenario('puretls', scenario, ms);
  return { node, puretls };
}

/** A Node TLS client's outcome: connected (what it negotiated) or failed (the error's code). */
export interface ClientOutcome {
  readonly ok: boolean;
  readonly protocol?: string | null;
  readonly cipher?: string;
  readonly alpn?: string | false;
  readonly code?: string;
}

/**
 * Connects a Node TLS client to 127.0.0.1:`port` and reports the outcome; `ok` once the client's
 * handshake completed (then the client is destroyed), else the error code it got.
 */
export function clientOutcome(port: number, options: tls.ConnectionOptions = {}, ms = 10_000): Promise<ClientOutcome> {
  return within(
    ms,
    'tls.connect',
    new Promise((resolve) => {
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
        resolve({ ok: true, protocol: c.getProtocol(), cipher: c.getCipher().name, alpn: c.alpnProtocol ?? false });
        c.destroy();
      });
      c.on('error', (e: Error & { code?: string }) => {
        resolve({ ok: false, code: e.code });
        c.destroy();
      });
    }),
  );
}

/** Sends raw bytes on a new TCP connection, then (optionally) ends it; returns the socket. */
export function sendRaw(port: number, bytes: Uint8Array, end = false): Socket {
  const s = netConnect({ host: '127.0.0.1', port }, () => {
    s.write(bytes);
    if (end) s.end();
  });
  s.on('error', () => {});
  return s;
}
