/**
 * The `puretls` command (bin/puretls.mjs imports the bundled dist/cli.js): `puretls serve`.
 * Exit codes: 0 after SIGINT/SIGTERM (once the connections were drained), 1 when the server
 * cannot start (port in use, …) or a second signal cut the drain short, 2 for a bad option
 * (message on stderr).
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import {
  createNobleProvider,
  createNodeProvider,
  createSelfSignedCertificate,
  generateEcdsaP256Key,
  parseCertificateChain,
  privateKeyToPem,
  type CryptoProvider,
} from '@puretls/crypto';
import { createRateLimiter, type TicketKeyRing } from '@puretls/session-cache';
import type { RedisKeyRing as RedisKeyRingType } from '@puretls/session-store-redis';
import { alertName, isTlsError } from '@puretls/record-layer';
import { parseCli, serveWarnings, UsageError, USAGE, type ServeOptions } from './cli-options';
import type { ServerConnection } from '../core/connection';
import type { CertificateOption, ServerContextOptions } from '../core/context';
import { serverCloseReason, type ServerClose } from '../lifecycle/close-stats';
import { CLOSE_GRACE_MS } from '../lifecycle/lifecycle';
import { createLogger, type LogFields, type Logger, type LogLevel } from './log';
import { createServer, type PureTlsServer } from '../node/node-adapter';
import type { PureTlsSocket } from '../node/tls-socket';
import { WwwServer, type WwwRequestLog } from './www';
import { describeConnection } from './www-page';
import { loadRedisStore } from './load-redis-store';

/** After the drain deadline, how much longer shutdown waits for the last closes before exiting anyway. */
const EXIT_GRACE_MS = CLOSE_GRACE_MS + 1000;
/** Access lines show at most this much of a request target. */
const MAX_LOGGED_PATH = 256;

/** SHA-256 fingerprint in OpenSSL's form (`AB:CD:…`). */
function fingerprint(provider: CryptoProvider, der: Uint8Array): string {
  return Array.from(provider.hash('sha256', der), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
}

function loadCertificates(options: ServeOptions, provider: CryptoProvider): { certificates: CertificateOption[]; generated: boolean } {
  if (options.certificates.length === 0) {
    const key = generateEcdsaP256Key(provider);
    const cert = createSelfSignedCertificate(provider, { key, commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] });
    return { certificates: [{ cert: cert.pem, key: privateKeyToPem(key) }], generated: true };
  }
  const certificates = options.certificates.map(({ certFile, keyFile }) => ({ cert: readText('--cert', certFile), key: readText('--key', keyFile) }));
  return { certificates, generated: false };
}

/** A file's text. @throws UsageError naming the option and the file (Node's EISDIR carries no path). */
function readText(option: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${option}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Warnings for certificates outside their validity period now (the server starts all the same). */
function validityWarnings(certificates: readonly CertificateOption[], now: number): string[] {
  const warnings: string[] = [];
  for (const [i, c] of certificates.entries()) {
    const leaf = parseCertificateChain(c.cert)[0]!;
    const name = `certificate ${i + 1} (CN=${leaf.subjectCommonName ?? ''})`;
    if (now > leaf.notAfter) warnings.push(`${name} expired on ${new Date(leaf.notAfter).toISOString()}: clients will reject it`);
    else if (now < leaf.notBefore) warnings.push(`${name} is not valid before ${new Date(leaf.notBefore).toISOString()}: clients will reject it`);
  }
  return warnings;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The context options of `--session-store redis://…` / `--ticket-keys redis`, and how to let go of Redis. */
interface Fleet {
  readonly options: Pick<ServerContextOptions, 'newSession' | 'removeSession' | 'getSession' | 'takeSession'> & { readonly ticketKeys?: TicketKeyRing };
  close(): Promise<void>;
}

/**
 * Connects to the fleet's Redis (loaded only when asked for: `memory` needs no Redis client).
 * Joining the shared ticket key ring waits a few seconds at most; without Redis the server starts
 * anyway (full handshakes until Redis answers).
 */
async function openFleet(options: ServeOptions, url: string, provider: CryptoProvider, log: Logger): Promise<Fleet> {
  const { RedisKeyRing, createRedisSessionStore } = await loadRedisStore();
  const logger = { warn: (message: string, e?: unknown) => log.warn(message, e instanceof Error ? { error: e.message } : {}) };
  let ring: RedisKeyRingType | undefined;
  try {
    ring = options.ticketKeys === 'redis' ? await RedisKeyRing.connect({ url, provider, logger }) : undefined;
    // Stateless TLS 1.3 tickets carry their session: only stateful ones are worth storing.
    const store = createRedisSessionStore<ServerConnection>({ url, logger, ...(ring ? { keyRing: ring.ring } : {}) });
    const joined = ring ? (ring.joined ? 'joined' : 'not joined yet') : undefined;
    log.info('session store', { redis: store.client.options.host + ':' + String(store.client.options.port), prefix: store.prefix, ticketKeys: joined ? `shared (${joined})` : 'local' });
    return {
      options: {
        newSession: store.newSession,
        removeSession: store.removeSession,
        getSession: store.getSession,
        takeSession: store.takeSession,
        ...(ring ? { ticketKeys: ring.ring } : {}),
      },
      close: async () => {
        await store.close();
        await ring?.close();
      },
    };
  } catch (e) {
    await ring?.close();
    if (e instanceof RangeError || e instanceof TypeError) throw new UsageError(`--session-store: ${e.message}`);
    throw e;
  }
}

/** Runs `puretls serve`; resolves with the exit code once the server stopped. */
async function serve(options: ServeOptions): Promise<number> {
  const log = createLogger({ level: options.logLevel, format: options.logFormat });
  const provider = options.crypto === 'node' ? createNodeProvider() : createNobleProvider();
  const { certificates, generated } = loadCertificates(options, provider);

  for (const w of serveWarnings(options)) log.warn(w);
  for (const w of validityWarnings(certificates, Date.now())) log.warn(w);

  const fleet = options.sessionStore.kind === 'redis' ? await openFleet(options, options.sessionStore.url, provider, log) : undefined;
  let server: PureTlsServer;
  try {
    server = createServer({
      certificates,
      crypto: provider,
      ...(options.ciphers !== undefined ? { ciphers: options.ciphers } : {}),
      ...(options.groups !== undefined ? { groups: options.groups } : {}),
      alpnProtocols: options.alpn ?? (options.mode === 'www' ? ['http/1.1'] : []),
      ...(options.minVersion !== undefined ? { minVersion: options.minVersion } : {}),
      ...(options.maxVersion !== undefined ? { maxVersion: options.maxVersion } : {}),
      handshakeTimeout: options.handshakeTimeout,
      idleTimeout: options.idleTimeout,
      keyLog: options.keylogFile !== undefined,
      ...(options.tickets !== undefined ? { tickets: options.tickets } : {}),
      ...(options.numTickets !== undefined ? { numTickets: options.numTickets } : {}),
      ...(options.sessionTimeout !== undefined ? { sessionTimeout: options.sessionTimeout } : {}),
      ...(options.cacheSize !== undefined ? { sessionCacheSize: options.cacheSize } : {}),
      ...(options.cacheMode !== undefined ? { sessionCacheMode: options.cacheMode } : {}),
      ...(options.earlyData !== undefined ? { maxEarlyData: options.earlyData } : {}),
      ...(options.lookupTimeout !== undefined ? { lookupTimeoutMs: options.lookupTimeout } : {}),
      ...(fleet?.options ?? {}),
    });
  } catch (e) {
    await fleet?.close();
    // Options the context rejected (unknown suite, unusable key, …) are usage errors.
    throw new UsageError((e as Error).message);
  }

  for (const [i, c] of certificates.entries()) {
    const leaf = parseCertificateChain(c.cert)[0]!;
    const what = generated ? 'generated self-signed certificate' : `certificate ${i + 1}`;
    process.stdout.write(`${what}: CN=${leaf.subjectCommonName ?? ''} SHA256 Fingerprint=${fingerprint(provider, leaf.der)}\n`);
  }

  let keylog: WriteStream | undefined;
  if (options.keylogFile !== undefined) {
    keylog = createWriteStream(options.keylogFile, { flags: 'a', mode: 0o600 });
    keylog.on('error', (e) => log.error('keylog file', { error: e.message }));
    server.on('keylog', (line) => keylog!.write(line));
  }

  const report = closeReporter(log);
  server.on('connection', (tcp) => log.debug('connection', { remote: `${tcp.remoteAddress}:${tcp.remotePort}` }));
  server.on('closedByServer', (close, socket) => report.close(close, socket));
  server.on('tlsClientError', (err, socket) => report.clientError(err, socket));
  const www = options.mode === 'www' ? new WwwServer({ onRequest: (r) => logRequest(log, r), serverStats: () => server.stats }) : undefined;
  server.on('secureConnection', (socket) => {
    const s = describeConnection(socket);
    const remote = remoteOf(socket);
    log.info('handshake', {
      remote,
      protocol: s.protocol,
      cipher: s.cipher,
      group: s.group,
      sni: s.sni ?? '-',
      alpn: s.alpn ?? '-',
      resumed: s.resumed,
      resumption: s.resumption ?? undefined,
      earlyData: s.earlyData === 'none' ? undefined : s.earlyData,
    });
    socket.on('error', (e) => log.debug('connection error', { remote, error: e.message }));
    socket.on('close', () => log.debug('closed', { remote }));
    if (www) www.serve(socket);
    else socket.pipe(socket);
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        // A second signal: the operator does not want to wait.
        log.warn('exiting now', { signal, open: server.connectionCount });
        resolve(1);
        return;
      }
      stopping = true;
      log.info('stopping', { signal, open: server.connectionCount, deadlineMs: options.shutdownTimeout });
      // Stop accepting; idle connections get close_notify now, busy ones once done or at the deadline.
      www?.shutdown();
      const timer = setTimeout(() => resolve(0), options.shutdownTimeout + EXIT_GRACE_MS);
      server.close({ drain: options.shutdownTimeout }, () => {
        clearTimeout(timer);
        log.info('stopped', { closedByServer: JSON.stringify(server.stats.closedByServer) });
        keylog?.end();
        void (fleet?.close() ?? Promise.resolve()).finally(() => resolve(0));
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    server.on('error', (e) => {
      process.stderr.write(`puretls: cannot listen on ${options.host}:${options.port}: ${e.message}\n`);
      resolve(1);
    });
    server.listen(options.port, options.host, () => {
      const a = server.address();
      const port = typeof a === 'object' && a !== null ? a.port : options.port;
      process.stdout.write(`listening on https://${urlHost(options.host)}:${port}\n`);
    });
  });
}

function remoteOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress}:${socket.remotePort}`;
}

/**
 * The log lines of connections that end badly, rate-limited per reason (one line per reason per
 * 10 s; the next says how many were left out: `suppressed=N`), since a peer can cause them in a loop:
 * - `close` (info; error for `Internal`, our bug): every close the server decided.
 * - `handshake failed` (info): the client ended the handshake with an alert; (debug) EOF, reset.
 */
function closeReporter(log: Logger): { close(c: ServerClose, socket: PureTlsSocket): void; clientError(err: Error, socket: PureTlsSocket): void } {
  const admit = createRateLimiter(() => Date.now());
  const limited = (kind: string, level: LogLevel, msg: string, fields: LogFields): void => {
    if (!log.enabled(level)) return;
    const suppressed = admit(kind);
    if (suppressed === undefined) return;
    log[level](msg, { ...fields, suppressed: suppressed > 0 ? suppressed : undefined });
  };
  return {
    close: (c, socket) =>
      limited(`close ${c.reason}`, c.reason === 'Internal' ? 'error' : 'info', 'close', {
        remote: remoteOf(socket),
        phase: c.phase,
        reason: c.reason,
        alert: c.alert ?? undefined,
        error: c.error.message,
      }),
    clientError: (err, socket) => {
      // A close of the server's was logged by `close`.
      if (serverCloseReason(err) !== undefined) return;
      if (isTlsError(err) && err.reason === 'AlertReceived') {
        const alert = err.peerAlert !== undefined ? alertName(err.peerAlert) : undefined;
        limited(`peer alert ${alert}`, 'info', 'handshake failed', { remote: remoteOf(socket), reason: err.reason, peerAlert: alert });
        return;
      }
      const code = (err as NodeJS.ErrnoException).code;
      limited(`peer ${code ?? err.name}`, 'debug', 'handshake failed', { remote: remoteOf(socket), error: err.message, code });
    },
  };
}

/** The `--www` access line: one per request. */
function logRequest(log: Logger, r: WwwRequestLog): void {
  const socket = r.socket as PureTlsSocket;
  log.info('request', {
    remote: remoteOf(socket),
    method: r.method,
    path: r.path.length > MAX_LOGGED_PATH ? r.path.slice(0, MAX_LOGGED_PATH) + '…' : r.path,
    status: r.status,
    protocol: `HTTP/${r.httpVersion}`,
    tls: typeof socket.getProtocol === 'function' ? (socket.getProtocol() ?? undefined) : undefined,
    resumed: typeof socket.isSessionReused === 'function' ? socket.isSessionReused() : undefined,
  });
}

/** `name version` of this package, read from its package.json (two levels above this module). */
function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
    return `puretls ${pkg.version ?? 'unknown'}`;
  } catch {
    return 'puretls (version unknown)';
  }
}

/** The CLI: returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const cmd = parseCli(argv);
    if (cmd.kind === 'help') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (cmd.kind === 'version') {
      process.stdout.write(version() + '\n');
      return 0;
    }
    return await serve(cmd.options);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`puretls: ${e.message}\n(see puretls --help)\n`);
      return 2;
    }
    process.stderr.write(`puretls: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  () => process.exit(1),
);
