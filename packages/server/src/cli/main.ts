/**
 * The `puretls` command (bin/puretls.mjs imports the bundled dist/cli.js): `puretls serve`.
 * Exit codes: 0 after SIGINT/SIGTERM, 1 when the server cannot start (port in use, …),
 * 2 for a bad option (message on stderr).
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
import type { TicketKeyRing } from '@puretls/session-cache';
import type { RedisKeyRing as RedisKeyRingType } from '@puretls/session-store-redis';
import { isTlsError } from '@puretls/record-layer';
import { parseCli, serveWarnings, UsageError, USAGE, type ServeOptions } from './cli-options';
import type { ServerConnection } from '../core/connection';
import type { CertificateOption, ServerContextOptions } from '../core/context';
import { createLogger, type Logger } from './log';
import { createServer, type PureTlsServer } from '../node/node-adapter';
import type { PureTlsSocket } from '../node/tls-socket';
import { describeConnection, serveWww } from './www';

/** How long shutdown may wait for the server to close before exiting anyway. */
const SHUTDOWN_GRACE_MS = 2000;

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
  const certificates = options.certificates.map(({ certFile, keyFile }) => {
    try {
      return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    } catch (e) {
      throw new UsageError(`cannot read ${(e as NodeJS.ErrnoException).path ?? certFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  });
  return { certificates, generated: false };
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
  const { RedisKeyRing, createRedisSessionStore } = await import('@puretls/session-store-redis');
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

  const fleet = options.sessionStore.kind === 'redis' ? await openFleet(options, options.sessionStore.url, provider, log) : undefined;
  let server: PureTlsServer;
  try {
    server = createServer({
      certificates,
      crypto: provider,
      ...(options.ciphers !== undefined ? { cipherSuites: options.ciphers } : {}),
      ...(options.groups !== undefined ? { groups: options.groups } : {}),
      alpnProtocols: options.alpn ?? (options.mode === 'www' ? ['http/1.1'] : []),
      ...(options.minVersion !== undefined ? { minVersion: options.minVersion } : {}),
      ...(options.maxVersion !== undefined ? { maxVersion: options.maxVersion } : {}),
      handshakeTimeout: options.handshakeTimeout,
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

  server.on('connection', (tcp) => log.debug('connection', { remote: `${tcp.remoteAddress}:${tcp.remotePort}` }));
  server.on('tlsClientError', (err, socket) => onClientError(log, err, socket));
  server.on('secureConnection', (socket) => {
    const s = describeConnection(socket);
    const remote = `${s.remoteAddress}:${s.remotePort}`;
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
    if (options.mode === 'echo') socket.pipe(socket);
    else serveWww(socket, { onRequest: (r) => log.debug('request', { remote, method: r.method, path: r.path, status: r.status }) });
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.debug('stopping', { signal });
      const timer = setTimeout(() => resolve(0), SHUTDOWN_GRACE_MS);
      server.close(() => {
        clearTimeout(timer);
        keylog?.end();
        void (fleet?.close() ?? Promise.resolve()).finally(() => resolve(0));
      });
      server.closeAllConnections();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
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

function onClientError(log: Logger, err: Error, socket: PureTlsSocket): void {
  const remote = `${socket.remoteAddress}:${socket.remotePort}`;
  if (isTlsError(err)) log.info('handshake failed', { remote, reason: err.reason, alert: err.alert ?? undefined, error: err.message });
  else log.debug('handshake failed', { remote, error: err.message, code: (err as NodeJS.ErrnoException).code });
}

/** The CLI: returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const cmd = parseCli(argv);
    if (cmd.kind === 'help') {
      process.stdout.write(USAGE);
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
