/**
 * `puretls serve` command line → validated options (no I/O here, so it is unit-testable).
 * Every problem is a {@link UsageError}: the CLI prints its message and exits with code 2.
 */
import { parseArgs } from 'node:util';
import type { SessionCacheMode } from '@puretls/session-cache';
import type { TlsVersionName } from '../core/context';
import type { TicketMode } from '../core/sessions';
import { LOG_LEVELS, type LogFormat, type LogLevel } from './log';
import { WWW_ALPN } from './www';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  /** Certificate and key files, paired in order; empty = generate a self-signed one. */
  readonly certificates: readonly { readonly certFile: string; readonly keyFile: string }[];
  readonly ciphers: string | undefined;
  readonly groups: string | undefined;
  readonly alpn: readonly string[] | undefined;
  readonly minVersion: TlsVersionName | undefined;
  readonly maxVersion: TlsVersionName | undefined;
  readonly crypto: 'noble' | 'node';
  readonly mode: 'www' | 'echo';
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly keylogFile: string | undefined;
  readonly handshakeTimeout: number;
  /** Idle time after the handshake before a connection is closed with close_notify, ms (0 = never). */
  readonly idleTimeout: number;
  /** How long SIGTERM/SIGINT let connections finish before they are closed, ms. */
  readonly shutdownTimeout: number;
  /** TLS 1.3 ticket mode; `undefined` = the context's default (stateless). */
  readonly tickets: TicketMode | undefined;
  /** TLS 1.3 tickets after a full handshake; `undefined` = the context's default (2). */
  readonly numTickets: number | undefined;
  /** Session lifetime in seconds; `undefined` = the context's default (7200). */
  readonly sessionTimeout: number | undefined;
  /** Most sessions in the internal cache (0 = unbounded); `undefined` = the default (20480). */
  readonly cacheSize: number | undefined;
  /** Session cache mode flags; `undefined` = the default (`server`). */
  readonly cacheMode: readonly SessionCacheMode[] | undefined;
  /** max_early_data_size (0 = no 0-RTT); `undefined` = 0. */
  readonly earlyData: number | undefined;
  /** Where sessions live besides this process's cache: `memory` (only here, the default) or a Redis URL shared by a fleet. */
  readonly sessionStore: SessionStoreOption;
  /** `local`: this process's own ticket key ring (default); `redis`: the fleet's ring, kept in the session store's Redis. */
  readonly ticketKeys: 'local' | 'redis';
  /** Deadline of a session lookup in the external store, ms; `undefined` = the context's default (50). */
  readonly lookupTimeout: number | undefined;
}

/** `--session-store`: `memory` or a `redis://` / `rediss://` URL (its `?prefix=` namespaces the keys). */
export type SessionStoreOption = { readonly kind: 'memory' } | { readonly kind: 'redis'; readonly url: string };

export type CliCommand = { readonly kind: 'help' } | { readonly kind: 'version' } | { readonly kind: 'serve'; readonly options: ServeOptions };

export const DEFAULT_PORT = 8443;
export const DEFAULT_HOST = '127.0.0.1';
/** The CLI's default: shorter than Node's 120 s, a demo server need not wait that long. */
export const DEFAULT_CLI_HANDSHAKE_TIMEOUT = 30_000;
/** Idle connections are closed after a minute (nginx: 75 s; the library's default is never). */
export const DEFAULT_CLI_IDLE_TIMEOUT = 60_000;
/** SIGTERM/SIGINT give connections this long to finish (within a typical 30 s container grace period). */
export const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;
/** The longest timeout accepted, ms (what `setTimeout` can wait: 2^31 - 1). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
export const TICKET_MODES: readonly TicketMode[] = ['stateless', 'stateful', 'off'];
/** The context's limit (`options.numTickets` in [0, 16]). */
export const MAX_NUM_TICKETS = 16;
/** A session's `timeout` is a u32 on the wire (session-cache `MAX_TIMEOUT`). */
export const MAX_SESSION_TIMEOUT = 0xffffffff;
/** Cache entries: any safe integer works; beyond this the memory would run out first. */
export const MAX_CACHE_SIZE = 2 ** 31 - 1;
/** RFC 8446 §4.2.10: max_early_data_size is a uint32. */
export const MAX_EARLY_DATA = 0xffffffff;
/** Longest external lookup deadline accepted, ms (a handshake waits this long at most). */
export const MAX_LOOKUP_TIMEOUT = 60_000;

export const USAGE = `usage: puretls serve [options]
       puretls help | --help | --version

A TLS server built on puretls (pure TypeScript). Without --cert it generates an ECDSA P-256
key and a self-signed certificate for localhost (127.0.0.1, ::1) and prints its fingerprint.

options:
  --host HOST              address to listen on (default ${DEFAULT_HOST})
  --port PORT              TCP port (default ${DEFAULT_PORT}; 0 = any free port)
  --cert FILE --key FILE   PEM certificate chain and private key; repeat for several
                           certificates (paired in order; the first is the default for SNI)
  --ciphers LIST           an OpenSSL cipher string, as Node's \`ciphers\`: TLS_* names set the
                           TLS 1.3 suites, the rest is a TLS 1.2 list (HIGH:!aNULL, ECDHE+AESGCM,
                           names); a name nobody knows is an error (default: tls.DEFAULT_CIPHERS)
  --groups LIST            key exchange groups (x25519, P-256, P-384, X25519MLKEM768)
  --alpn LIST              ALPN protocols, ',' separated (--www default: http/1.1; --www speaks
                           ${WWW_ALPN.join(' and ')}, and refuses any other name; --echo offers any)
  --min-version V          lowest TLS version: 1.2, 1.3, TLSv1.2, TLSv1.3
  --max-version V          highest TLS version
  --crypto noble|node      crypto provider (default noble: pure TypeScript)
  --www                    answer HTTP requests (HTTP/2 with --alpn h2, HTTP/1.x) with a page
                           describing the connection; /stats.json returns it as JSON (default)
  --echo                   echo the received bytes back
  --log-level LEVEL        error, warn, info (default: one line per handshake), debug
  --log-format FORMAT      text (default) or json
  --keylog FILE            append NSS key log lines (SSLKEYLOGFILE format) to FILE
  --handshake-timeout MS   handshake time limit in milliseconds (default ${DEFAULT_CLI_HANDSHAKE_TIMEOUT}; 0 = none)
  --idle-timeout MS        close a connection idle this long after its handshake, with close_notify
                           (default ${DEFAULT_CLI_IDLE_TIMEOUT}; 0 = never)
  --shutdown-timeout MS    on SIGTERM/SIGINT: stop accepting, let connections finish for up to MS,
                           then close them (default ${DEFAULT_SHUTDOWN_TIMEOUT}); a second signal exits at once

session resumption:
  --tickets MODE           TLS 1.3 session tickets: stateless (default: the session sealed under
                           a rotating key ring), stateful (a 32-byte id in the session cache,
                           single use, allows 0-RTT), off
  --num-tickets N          tickets sent after a full handshake, 0-${MAX_NUM_TICKETS} (default 2; 1 after a resumption)
  --session-timeout S      session lifetime in seconds (default 7200; TLS 1.3 tickets live at most 7 days)
  --cache-size N           most sessions kept in the session cache (default 20480; 0 = unbounded)
  --cache-mode LIST        session cache mode, ',' separated: server (default), off, noAutoClear,
                           noInternalLookup, noInternalStore, noInternal, updateTime
  --early-data BYTES       accept up to BYTES of TLS 1.3 0-RTT data (max_early_data; default 0 = off);
                           0-RTT needs --tickets stateful (single-use tickets against replay)

fleet (several servers resuming each other's sessions):
  --session-store STORE    memory (default: sessions stay in this process) or
                           redis://[user:pass@]host[:port][/db][?prefix=P] (or rediss:// for TLS):
                           session ids and stateful tickets are shared through Redis (SET/GET/GETDEL);
                           Redis down or slow means full handshakes, never failed ones
  --ticket-keys KEYS       local (default: a ring of this process) or redis: share the ticket key
                           ring through the session store's Redis (stateless tickets and TLS 1.2
                           tickets resume on every server; stored sessions are sealed). The ring
                           holds the secret keys: the Redis must be trusted (ACL, private network)
  --lookup-timeout MS      deadline of a session lookup in the store (default 50); late = full handshake

  --help, help             show this help
  --version                print the version
`;

/**
 * Parses `argv` (without `node` and the script).
 * @throws UsageError naming the bad option.
 */
export function parseCli(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        cert: { type: 'string', multiple: true },
        key: { type: 'string', multiple: true },
        ciphers: { type: 'string' },
        groups: { type: 'string' },
        alpn: { type: 'string' },
        'min-version': { type: 'string' },
        'max-version': { type: 'string' },
        crypto: { type: 'string' },
        www: { type: 'boolean' },
        echo: { type: 'boolean' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        keylog: { type: 'string' },
        'handshake-timeout': { type: 'string' },
        tickets: { type: 'string' },
        'num-tickets': { type: 'string' },
        'session-timeout': { type: 'string' },
        'cache-size': { type: 'string' },
        'cache-mode': { type: 'string' },
        'early-data': { type: 'string' },
        'session-store': { type: 'string' },
        'ticket-keys': { type: 'string' },
        'lookup-timeout': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'shutdown-timeout': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  const [command, ...rest] = parsed.positionals;
  if (v.help || command === 'help') return { kind: 'help' };
  if (v.version) return { kind: 'version' };
  if (command === undefined) throw new UsageError('missing command: puretls serve [options]');
  if (command !== 'serve') throw new UsageError(`unknown command ${JSON.stringify(command)}: puretls serve [options]`);
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);

  const certs = v.cert ?? [];
  const keys = v.key ?? [];
  if (certs.length !== keys.length) throw new UsageError(`--cert and --key must come in pairs (got ${certs.length} --cert, ${keys.length} --key)`);
  if (v.www && v.echo) throw new UsageError('--www and --echo exclude each other');
  const crypto = v.crypto ?? 'noble';
  if (crypto !== 'noble' && crypto !== 'node') throw new UsageError(`--crypto: noble or node, got ${JSON.stringify(crypto)}`);
  const logLevel = v['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level: one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  const logFormat = v['log-format'] ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') throw new UsageError(`--log-format: text or json, got ${JSON.stringify(logFormat)}`);
  const tickets = v.tickets;
  if (tickets !== undefined && !(TICKET_MODES as readonly string[]).includes(tickets)) throw new UsageError(`--tickets: one of ${TICKET_MODES.join(', ')}, got ${JSON.stringify(tickets)}`);
  const host = v.host ?? DEFAULT_HOST;
  if (host.length === 0) throw new UsageError('--host: an address is required');
  const sessionStore = sessionStoreOption(v['session-store']);
  const ticketKeys = v['ticket-keys'] ?? 'local';
  if (ticketKeys !== 'local' && ticketKeys !== 'redis') throw new UsageError(`--ticket-keys: local or redis, got ${JSON.stringify(ticketKeys)}`);
  if (ticketKeys === 'redis' && sessionStore.kind !== 'redis') throw new UsageError('--ticket-keys redis needs --session-store redis://… (the ring is kept in that Redis)');
  const alpn = v.alpn === undefined ? undefined : list('--alpn', v.alpn);
  const mode = v.echo ? 'echo' : 'www';
  // ALPN offers only what is spoken: a client that picks a name must get that protocol (RFC 7301 §3.2).
  const unspoken = mode === 'www' ? alpn?.find((p) => !WWW_ALPN.includes(p)) : undefined;
  if (unspoken !== undefined) throw new UsageError(`--alpn: --www does not speak ${JSON.stringify(unspoken)} (it speaks ${WWW_ALPN.join(', ')}); use --echo to offer any protocol`);

  return {
    kind: 'serve',
    options: {
      host,
      port: v.port === undefined ? DEFAULT_PORT : integer('--port', v.port, 0, 65535),
      certificates: certs.map((certFile, i) => ({ certFile, keyFile: keys[i]! })),
      ciphers: nonEmpty('--ciphers', v.ciphers),
      groups: nonEmpty('--groups', v.groups),
      alpn,
      minVersion: v['min-version'] === undefined ? undefined : version('--min-version', v['min-version']),
      maxVersion: v['max-version'] === undefined ? undefined : version('--max-version', v['max-version']),
      crypto,
      mode,
      logLevel: logLevel as LogLevel,
      logFormat,
      keylogFile: nonEmpty('--keylog', v.keylog),
      handshakeTimeout: v['handshake-timeout'] === undefined ? DEFAULT_CLI_HANDSHAKE_TIMEOUT : integer('--handshake-timeout', v['handshake-timeout'], 0, MAX_TIMEOUT_MS),
      idleTimeout: v['idle-timeout'] === undefined ? DEFAULT_CLI_IDLE_TIMEOUT : integer('--idle-timeout', v['idle-timeout'], 0, MAX_TIMEOUT_MS),
      shutdownTimeout: v['shutdown-timeout'] === undefined ? DEFAULT_SHUTDOWN_TIMEOUT : integer('--shutdown-timeout', v['shutdown-timeout'], 0, MAX_TIMEOUT_MS),
      tickets: tickets as TicketMode | undefined,
      numTickets: v['num-tickets'] === undefined ? undefined : integer('--num-tickets', v['num-tickets'], 0, MAX_NUM_TICKETS),
      sessionTimeout: v['session-timeout'] === undefined ? undefined : integer('--session-timeout', v['session-timeout'], 1, MAX_SESSION_TIMEOUT),
      cacheSize: v['cache-size'] === undefined ? undefined : integer('--cache-size', v['cache-size'], 0, MAX_CACHE_SIZE),
      cacheMode: v['cache-mode'] === undefined ? undefined : cacheMode(v['cache-mode']),
      earlyData: v['early-data'] === undefined ? undefined : integer('--early-data', v['early-data'], 0, MAX_EARLY_DATA),
      sessionStore,
      ticketKeys,
      lookupTimeout: v['lookup-timeout'] === undefined ? undefined : integer('--lookup-timeout', v['lookup-timeout'], 1, MAX_LOOKUP_TIMEOUT),
    },
  };
}

/**
 * Advice about option combinations that work but probably do not do what was meant (printed as
 * warnings at startup, not errors).
 */
export function serveWarnings(o: ServeOptions): string[] {
  const warnings: string[] = [];
  const tickets = o.tickets ?? 'stateless';
  if ((o.earlyData ?? 0) > 0 && tickets !== 'stateful') {
    // Session spec §6: 0-RTT only on single-use stateful tickets (anti-replay).
    warnings.push(`--early-data needs --tickets stateful (0-RTT is only accepted on single-use tickets); with --tickets ${tickets} early data is always rejected`);
  }
  if (o.sessionStore.kind === 'redis' && o.ticketKeys !== 'redis') {
    warnings.push('--session-store redis without --ticket-keys redis: sessions are stored in Redis unsealed (readable by whoever reads Redis), and stateless or TLS 1.2 tickets resume only on the server that issued them');
  }
  if (o.sessionStore.kind === 'memory' && o.lookupTimeout !== undefined) warnings.push('--lookup-timeout has no effect with --session-store memory (in-memory lookups never wait)');
  const noInternalStore = o.cacheMode !== undefined && (o.cacheMode.includes('noInternalStore') || o.cacheMode.includes('noInternal'));
  if (tickets === 'stateful' && o.cacheMode !== undefined && (o.cacheMode.includes('off') || (noInternalStore && o.sessionStore.kind === 'memory'))) {
    // Spec §4: never issue a ticket the server cannot redeem — and with --session-store memory there is no external store.
    warnings.push(`--tickets stateful with --cache-mode ${o.cacheMode.join(',')}: the session cache stores nothing, so no tickets are sent`);
  }
  if (tickets === 'off' && o.numTickets !== undefined && o.numTickets > 0) warnings.push('--num-tickets has no effect with --tickets off');
  return warnings;
}

/** `memory` or a `redis://`/`rediss://` URL (fully checked when the store is made; here: the scheme and the query). */
function sessionStoreOption(s: string | undefined): SessionStoreOption {
  if (s === undefined || s === 'memory') return { kind: 'memory' };
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new UsageError(`--session-store: memory or redis://host[:port][/db][?prefix=P], got ${JSON.stringify(s)}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--session-store: memory or a redis:// (rediss://) URL, got ${JSON.stringify(s)}`);
  for (const [k, val] of u.searchParams) {
    if (k !== 'prefix') throw new UsageError(`--session-store: unknown query parameter ${JSON.stringify(k)} (only "prefix")`);
    if (val.length === 0) throw new UsageError('--session-store: "prefix" must not be empty');
  }
  return { kind: 'redis', url: s };
}

function integer(name: string, s: string, min: number, max: number): number {
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > max) throw new UsageError(`${name}: an integer from ${min} to ${max}, got ${JSON.stringify(s)}`);
  return Number(s);
}

function nonEmpty(name: string, s: string | undefined): string | undefined {
  if (s !== undefined && s.trim() === '') throw new UsageError(`${name}: a value is required`);
  return s;
}

function list(name: string, s: string): string[] {
  const items = s.split(',').map((x) => x.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`${name}: at least one value`);
  return items;
}

/** Mode names, accepted in any case and with `-`/`_` (`no-auto-clear`, `NO_INTERNAL`). */
const CACHE_MODES: readonly SessionCacheMode[] = ['off', 'server', 'noAutoClear', 'noInternalLookup', 'noInternalStore', 'noInternal', 'updateTime'];

function cacheMode(s: string): SessionCacheMode[] {
  const modes = list('--cache-mode', s).map((item) => {
    const key = item.replace(/[-_]/g, '').toLowerCase();
    const m = CACHE_MODES.find((c) => c.toLowerCase() === key);
    if (!m) throw new UsageError(`--cache-mode: unknown mode ${JSON.stringify(item)}; one or more of ${CACHE_MODES.join(', ')}`);
    return m;
  });
  if (modes.includes('off') && modes.length > 1) throw new UsageError('--cache-mode: off cannot be combined with other modes');
  return [...new Set(modes)];
}

/** `1.2`, `1.3`, `TLSv1.2`, `tls1.3`, `TLS1_3` → the context's version name. */
export function version(name: string, s: string): TlsVersionName {
  const m = /^(?:tls)?v?1[._]([23])$/i.exec(s.trim());
  if (!m) throw new UsageError(`${name}: 1.2 or 1.3 (or TLSv1.2, TLSv1.3), got ${JSON.stringify(s)}`);
  return m[1] === '2' ? 'TLSv1.2' : 'TLSv1.3';
}
