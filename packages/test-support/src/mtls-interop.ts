/**
 * Client-certificate interop: the same `{ requestCert, rejectUnauthorized, ca }` server as puretls
 * (`createServer`, either crypto provider) and as Node's own `tls.createServer`, what each server
 * saw of every connection (Node's socket accessors, or the `tlsClientError`), and the real clients
 * that present certificates: `openssl s_client`, Node `tls.connect`, curl, gnutls-cli. Every wait
 * is bounded.
 */
import { connect as netConnect, createServer as createTcpServer, type Socket } from 'node:net';
import * as tls from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { createServer as createPureServer, type PureTlsServerOptions, type SniCallback } from '@puretls/server/node';
import { type ServerContext } from '@puretls/server';
import type { ChainFixture } from './client-pki';
import { runTool } from './cli-process';
import { within } from './net';

/** Which server: puretls with one of its providers, or Node's. */
export type ServerKind = 'puretls-noble' | 'puretls-node' | 'node';

/** What a server saw of one connection. */
export type ServerOutcome =
  | {
      readonly kind: 'secure';
      readonly protocol: string | null;
      readonly reused: boolean;
      readonly authorized: boolean;
      readonly authorizationError: string | null;
      /** `getPeerCertificate(true)` */
      readonly detailed: PeerCertificate | Record<string, never>;
      /** `getPeerCertificate()` */
      readonly plain: PeerCertificate | Record<string, never>;
      /** `getPeerX509Certificate()?.fingerprint256` */
      readonly x509Fingerprint: string | undefined;
    }
  | { readonly kind: 'clientError'; readonly code: string | undefined; readonly message: string };

export interface MtlsServer {
  readonly port: number;
  /** The outcome of the next connection (in order of completion). */
  next(ms?: number): Promise<ServerOutcome>;
  close(): Promise<void>;
}

/** The HTTP answer every server writes before it ends the connection (curl wants HTTP). */
export const ANSWER = 'HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\nhello\n';

export interface MtlsServerOptions {
  readonly key: string;
  readonly cert: string;
  readonly ca?: string | readonly string[];
  readonly requestCert?: boolean;
  readonly rejectUnauthorized?: boolean;
  /** puretls only: more options (tickets, SNICallback, …). */
  readonly pure?: Partial<PureTlsServerOptions>;
  /** Node only: more `tls.createServer` options. */
  readonly node?: tls.TlsOptions;
  /** Runs on the server before it listens (event handlers such as Node's `newSession`/`resumeSession`). */
  readonly setup?: (server: tls.Server) => void;
}

/** Starts a server of `kind` on 127.0.0.1:0 that records every connection's outcome. */
export async function startMtlsServer(kind: ServerKind, o: MtlsServerOptions): Promise<MtlsServer> {
  const outcomes: ServerOutcome[] = [];
  const waiting: ((o: ServerOutcome) => void)[] = [];
  const report = (x: ServerOutcome) => {
    const w = waiting.shift();
    if (w) w(x);
    else outcomes.push(x);
  };
  const base = { key: o.key, cert: o.cert, ...(o.ca !== undefined ? { ca: o.ca } : {}), ...(o.requestCert !== undefined ? { requestCert: o.requestCert } : {}), ...(o.rejectUnauthorized !== undefined ? { rejectUnauthorized: o.rejectUnauthorized } : {}) };
  type Accessors = {
    getProtocol(): string | null;
    isSessionReused(): boolean;
    authorized: boolean;
    authorizationError: unknown;
    getPeerCertificate(detailed?: boolean): unknown;
    getPeerX509Certificate(): { fingerprint256: string } | undefined;
    end(data: string): void;
    on(e: 'error', f: () => void): void;
  };
  const onSecure = (s: Accessors) => {
    s.on('error', () => {});
    report({
      kind: 'secure',
      protocol: s.getProtocol(),
      reused: s.isSessionReused(),
      authorized: s.authorized,
      authorizationError: s.authorizationError == null ? null : String(s.authorizationError),
      detailed: s.getPeerCertificate(true) as PeerCertificate,
      plain: s.getPeerCertificate() as PeerCertificate,
      x509Fingerprint: s.getPeerX509Certificate()?.fingerprint256,
    });
    s.end(ANSWER);
  };
  const onClientError = (e: Error & { code?: string }) => report({ kind: 'clientError', code: e.code, message: e.message });
  const server =
    kind === 'node'
      ? tls.createServer({ ...base, ...o.node } as tls.TlsOptions, (s) => onSecure(s as unknown as Accessors))
      : createPureServer({ ...base, crypto: kind === 'puretls-node' ? 'node' : 'noble', ...o.pure } as PureTlsServerOptions, (s) => onSecure(s as unknown as Accessors));
  (server as tls.Server).on('tlsClientError', onClientError);
  o.setup?.(server as tls.Server);
  // Node's tls.Server has no closeAllConnections: its TCP sockets are ended at close().
  const tcp = new Set<Socket>();
  if (kind === 'node') (server as tls.Server).on('connection', (s: Socket) => tcp.add(s.on('close', () => tcp.delete(s))));
  await within(5000, 'listen', new Promise<void>((resolve) => (server as tls.Server).listen(0, '127.0.0.1', () => resolve())));
  const port = ((server as tls.Server).address() as { port: number }).port;
  return {
    port,
    next: (ms = 15_000) => within(ms, `${kind}: the next connection's outcome`, new Promise<ServerOutcome>((resolve) => (outcomes.length > 0 ? resolve(outcomes.shift()!) : waiting.push(resolve)))),
    close: () =>
      within(
        5000,
        'server close',
        new Promise<void>((resolve) => {
          (server as tls.Server).close(() => resolve());
          const all = (server as unknown as { closeAllConnections?: () => void }).closeAllConnections;
          if (all) all.call(server);
          for (const s of tcp) s.destroy();
        }),
      ),
  };
}

/** `-tls1_3` / `-tls1_2`. */
export type SClientVersion = '-tls1_3' | '-tls1_2';

/** What a client saw: its output, the alert it got ("SSL alert number N"), whether the answer came. */
export interface ClientRun {
  readonly code: number | null;
  readonly out: string;
  readonly alert: number | undefined;
  readonly answered: boolean;
}

function clientRun(code: number | null, out: string): ClientRun {
  const m = /SSL alert number (\d+)/.exec(out);
  return { code, out, alert: m ? Number(m[1]) : undefined, answered: out.includes('hello\n') };
}

/** The s_client arguments presenting `f` (leaf, its chain, its key). */
export function sClientCertArgs(f: ChainFixture | undefined): string[] {
  if (!f) return [];
  return ['-cert', f.leafFile, ...(f.chain.length > 1 ? ['-cert_chain', f.intermediatesFile] : []), '-key', f.keyFile];
}

/** `openssl s_client` presenting `f` (or nothing); reads until the server closes (`-ign_eof`). */
export async function sClient(port: number, version: SClientVersion, f: ChainFixture | undefined, extra: string[] = []): Promise<ClientRun> {
  const { code, out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', version, '-ign_eof', ...sClientCertArgs(f), ...extra], { input: '', ms: 15_000 });
  return clientRun(code, out);
}

/** curl presenting `f` (`--cert` with the whole chain, `--key`). */
export async function curlClient(port: number, version: SClientVersion, f: ChainFixture | undefined): Promise<ClientRun> {
  const versionArgs = version === '-tls1_3' ? ['--tlsv1.3'] : ['--tlsv1.2', '--tls-max', '1.2'];
  const certArgs = f ? ['--cert', f.chainFile, '--key', f.keyFile] : [];
  const { code, out } = await runTool('curl', ['-sSk', '--http1.0', ...versionArgs, ...certArgs, `https://127.0.0.1:${port}/`], { ms: 15_000 });
  return clientRun(code, out);
}

/** gnutls-cli presenting `f` (`--x509certfile` with the whole chain, `--x509keyfile`). */
export async function gnutlsClient(port: number, version: SClientVersion, f: ChainFixture | undefined): Promise<ClientRun> {
  const priority = version === '-tls1_3' ? 'NORMAL:-VERS-ALL:+VERS-TLS1.3' : 'NORMAL:-VERS-ALL:+VERS-TLS1.2';
  const certArgs = f ? ['--x509certfile', f.chainFile, '--x509keyfile', f.keyFile] : [];
  const { code, out } = await runTool('gnutls-cli', ['--insecure', '--priority', priority, ...certArgs, '-p', String(port), '127.0.0.1'], { input: '', holdMs: 10_000, ms: 15_000 });
  return clientRun(code, out);
}

/** Node's `tls.connect` presenting `f`: resolves with the answer or the error, and the sessions it received. */
export function nodeClient(
  port: number,
  version: SClientVersion,
  f: ChainFixture | undefined,
  extra: tls.ConnectionOptions = {},
): Promise<{ answered: boolean; error: (Error & { code?: string }) | undefined; sessions: Buffer[]; reused: boolean }> {
  const v = version === '-tls1_3' ? 'TLSv1.3' : 'TLSv1.2';
  return within(
    15_000,
    'tls.connect',
    new Promise((resolve) => {
      const sessions: Buffer[] = [];
      let data = '';
      let reused = false;
      const s = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, minVersion: v, maxVersion: v, ...(f ? { cert: f.chainPem, key: f.keyPem } : {}), ...extra });
      s.on('secureConnect', () => (reused = s.isSessionReused()));
      s.on('session', (b) => sessions.push(b));
      s.on('data', (d: Buffer) => (data += d.toString('latin1')));
      let error: (Error & { code?: string }) | undefined;
      s.on('error', (e) => (error ??= e));
      s.on('close', () => resolve({ answered: data.includes('hello\n'), error, sessions, reused }));
    }),
  );
}

/**
 * A TCP relay that flips the last byte of the client's TLS 1.2 CertificateVerify (sent in the
 * clear before ChangeCipherSpec, RFC 5246 §7.4.8): what a client signing with the wrong key looks
 * like on the wire (real clients refuse a key that does not match their certificate).
 */
export async function startCertificateVerifyCorrupter(targetPort: number): Promise<{ port: number; corrupted(): number; close(): Promise<void> }> {
  let corrupted = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    const upstream = netConnect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    client.on('error', () => {});
    upstream.on('error', () => {});
    upstream.pipe(client);
    let pending = Buffer.alloc(0);
    let clear = true;
    client.on('data', (d: Buffer) => {
      if (!clear) {
        upstream.write(d);
        return;
      }
      pending = Buffer.concat([pending, d]);
      // Whole records only: header (5) + fragment.
      while (clear && pending.length >= 5) {
        const len = pending.readUInt16BE(3);
        if (pending.length < 5 + len) break;
        const record = Buffer.from(pending.subarray(0, 5 + len));
        pending = pending.subarray(5 + len);
        if (record[0] === 20) clear = false; // ChangeCipherSpec: everything after is protected
        else if (record[0] === 22) {
          // Handshake messages inside the record (OpenSSL does not split them across records here).
          for (let at = 5; at + 4 <= record.length; ) {
            const n = record.readUIntBE(at + 1, 3);
            if (record[at] === 15 && at + 4 + n <= record.length) {
              record[at + 4 + n - 1]! ^= 0x01;
              corrupted++;
            }
            at += 4 + n;
          }
        }
        upstream.write(record);
      }
      if (!clear && pending.length > 0) {
        upstream.write(pending);
        pending = Buffer.alloc(0);
      }
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
  });
  await within(5000, 'relay listen', new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())));
  return {
    port: (server.address() as { port: number }).port,
    corrupted: () => corrupted,
    close: () =>
      within(
        5000,
        'relay close',
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
      ),
  };
}

/** Answers `SNICallback` with `ctx` for `name`, the default context otherwise. */
export function sniFor(name: string, ctx: ServerContext): SniCallback {
  return (servername, cb) => cb(null, servername === name ? ctx : null);
}
