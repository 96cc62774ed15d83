/**
 * The contexts one `PureTlsServer` serves with, and how they change while it runs: the default
 * (made from `createServer()`'s options, replaced by `server.setSecureContext()`), the contexts of
 * `server.addContext(hostname, …)` and of `SNICallback` answers. Every context the server makes
 * shares its ticket key ring (`getTicketKeys()`/`setTicketKeys()` read and replace it in place),
 * its ALPN protocols, and its puretls options; a connection keeps the context it started with, so
 * a reload never touches connections in flight.
 *
 * Node's semantics: `setSecureContext(options)` replaces every secure-context option (an option
 * not given is back at its default) but keeps the server's `sessionTimeout` and ticket keys unless
 * given; `addContext()` entries are matched last-added first, `*` standing for one label, and only
 * when there is no `SNICallback`. An SNI context is the server's options with the context's own on
 * top (Node switches only the certificate; puretls also honours its other options).
 */
import type { TicketKeyRing } from '@puretls/session-cache';
import { ServerContext, type ServerContextOptions } from '../core/context';
import { contextOptionsOf, mapContextOptions, nodeTicketKeysOf, ticketKeyRingFromNodeKeys, type NodeContextOptions, type NodeSecureContextOptions } from './node-compat';
import { KNOWN_OPTIONS, checkKnownOptions } from './node-options';
import { PureTlsSecureContext, isNodeSecureContext, nodeSecureContextError } from './secure-context';
import { nodePskOptions } from './node-psk';

/**
 * What an `SNICallback` may answer: `createSecureContext()`'s object (or its `.context`), a
 * `ServerContext`, secure context options (`{ key, cert }`, …), or nothing (the default
 * certificate). Node's own `tls.SecureContext` is refused (TypeError): its keys cannot be read.
 */
export type SniAnswer = PureTlsSecureContext | ServerContext | (NodeSecureContextOptions & Record<string, unknown>) | null | undefined;

/** Node's `SNICallback(servername, cb)`. */
export type SniCallback = (servername: string, cb: (err: Error | null, context?: SniAnswer) => void) => void;

/**
 * Node's `ALPNCallback({ servername, protocols })`: a protocol the client offered, or `undefined` to
 * refuse them all. `servername` is `false` without SNI (as Node's).
 */
export type AlpnCallback = (hello: { servername: string | false; protocols: string[] }) => string | undefined;

/** The Node `tls.createServer()` names puretls accepts beyond the secure context's. */
export interface NodeCompatOptions extends NodeSecureContextOptions {
  /** Chooses the context by SNI host name; see {@link SniAnswer} and `sniTimeout`. */
  readonly SNICallback?: SniCallback;
  /**
   * puretls: how long (ms) an asynchronous `SNICallback` may take. A later answer is ignored and the
   * default certificate is used. Default {@link DEFAULT_SNI_TIMEOUT}.
   */
  readonly sniTimeout?: number;
  /** ALPN protocols: names, or Node's wire form (a Buffer of length-prefixed names), or Buffers of names. */
  readonly ALPNProtocols?: readonly (string | Uint8Array)[] | Uint8Array;
  /** Chooses the ALPN protocol per connection (excludes `ALPNProtocols`, as in Node). */
  readonly ALPNCallback?: AlpnCallback;
}

/** `createServer()` context options: puretls's and Node's names. */
export type NodeStyleContextOptions = NodeContextOptions & NodeCompatOptions;

/** Default deadline of an asynchronous `SNICallback`, ms. */
export const DEFAULT_SNI_TIMEOUT = 1000;

/** The option names that together say which certificates a context has: an SNI context's replace the server's. */
const CERTIFICATE_OPTIONS = ['certificates', 'key', 'cert', 'pfx', 'passphrase', 'ca'] as const;
/**
 * Options `setSecureContext()` keeps when not given: Node keeps `sessionTimeout` and `ticketKeys`,
 * and `requestCert`/`rejectUnauthorized` are properties of Node's server, not of its contexts.
 */
const KEPT_BY_SET_SECURE_CONTEXT = new Set(['sessionTimeout', 'ticketKeys', 'requestCert', 'rejectUnauthorized']);

export class ServerContexts {
  /** The context new connections use when no SNI context applies. */
  private current: ServerContext;
  /** The context options it was made from (raw, checked): the base of every SNI context. */
  private base: Record<string, unknown>;
  /** Set once the default context exists (the first context makes it from the options). */
  private ring: TicketKeyRing | undefined;
  private readonly entries: { readonly re: RegExp; readonly context: ServerContext }[] = [];
  /** SNI contexts made from answers, per answer object (cleared when the base changes). */
  private derived = new WeakMap<object, ServerContext>();
  /** Node's `pskCallback`/`pskIdentityHint` (server options), part of every context the server makes. */
  private readonly psk: Pick<ServerContextOptions, 'externalPsk' | 'pskIdentityHint'>;

  /**
   * @param options the server's options, already checked (`checkKnownOptions`).
   * @param alpnProtocols the server's ALPN protocols, part of every context it makes.
   * @param onContext called with every context made (the server bridges its session events).
   * @param fixed a context made by the application (`createServer({ context })`): the default as
   *   it is; SNI contexts are then made from their own options over puretls's defaults.
   */
  constructor(
    options: object,
    private readonly alpnProtocols: readonly string[] | undefined,
    private readonly onContext: (context: ServerContext) => void,
    fixed?: ServerContext,
  ) {
    this.base = contextOptionsOf(options);
    this.psk = nodePskOptions(options);
    this.current = fixed ?? new ServerContext(this.map(this.base, 'options'));
    this.ring = this.current.ticketKeys;
    this.onContext(this.current);
  }

  /** The default context. */
  get default(): ServerContext {
    return this.current;
  }

  /** True once `addContext()` was called (the server then peeks every ClientHello for its name). */
  get hasEntries(): boolean {
    return this.entries.length > 0;
  }

  /**
   * Node's `server.setSecureContext(options)`: a new default context for new connections.
   * @throws like `createServer()` for the options; the old context stays on failure.
   */
  setSecureContext(options: object): void {
    if (options === null || typeof options !== 'object') throw Object.assign(new TypeError('The "options" argument must be of type object.'), { code: 'ERR_INVALID_ARG_TYPE' });
    checkKnownOptions(options, 'context', 'setSecureContext(options)');
    const given = contextOptionsOf(options);
    const next: Record<string, unknown> = { ...this.puretlsOptions(this.base) };
    for (const k of KEPT_BY_SET_SECURE_CONTEXT) if (this.base[k] !== undefined && !(k in given)) next[k] = this.base[k];
    Object.assign(next, given);
    const context = new ServerContext(this.map(next, 'setSecureContext(options)'));
    this.base = next;
    this.current = context;
    this.derived = new WeakMap();
    this.onContext(context);
  }

  /**
   * Node's `server.addContext(hostname, context)`: `hostname` may hold `*` for one label; the
   * context is `createSecureContext()`'s object, a `ServerContext`, or secure context options.
   * @throws Error (`ERR_TLS_REQUIRED_SERVER_NAME`, as Node) without a host name; like `createSecureContext()`.
   */
  addContext(hostname: string, context: unknown): void {
    if (!hostname) throw Object.assign(new Error('"servername" is required parameter for Server.addContext'), { code: 'ERR_TLS_REQUIRED_SERVER_NAME' });
    if (typeof hostname !== 'string') throw Object.assign(new TypeError('addContext(hostname): a string'), { code: 'ERR_INVALID_ARG_TYPE' });
    // Node's pattern: regex characters escaped, `*` → one label ([^.]*). Host names compare
    // case-insensitively (RFC 4343; Node's RegExp is case-sensitive).
    const re = new RegExp(`^${hostname.replace(/([.^$+?\-\\[\]{}()|])/g, '\\$1').replaceAll('*', '[^.]*')}$`, 'i');
    this.entries.push({ re, context: this.resolve(context as SniAnswer, 'addContext(context)') });
  }

  /** The `addContext()` context for `servername` (the last added that matches), or `undefined`. */
  match(servername: string): ServerContext | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.re.test(servername)) return this.entries[i]!.context;
    return undefined;
  }

  /**
   * The context for an SNI answer (or `addContext()` argument): nothing → the default; a
   * `ServerContext` as it is (or, when it is a secure context's `.context`, that secure
   * context's); a secure context or its options → the server's options with them on top (made
   * once per answer object).
   * @throws TypeError for Node's `tls.SecureContext` and for anything else that is no context.
   */
  resolve(answer: SniAnswer, where: string): ServerContext {
    if (answer === null || answer === undefined) return this.current;
    if (isNodeSecureContext(answer)) throw nodeSecureContextError(where);
    let sc: PureTlsSecureContext | undefined;
    if (answer instanceof ServerContext) {
      sc = PureTlsSecureContext.of(answer);
      if (sc === undefined) return answer;
    } else if (answer instanceof PureTlsSecureContext) sc = answer;
    else if (typeof answer !== 'object') throw Object.assign(new TypeError(`${where}: createSecureContext()'s object, a ServerContext, secure context options or nothing`), { code: 'ERR_INVALID_ARG_TYPE' });
    const key: object = sc ?? answer;
    let made = this.derived.get(key);
    if (made === undefined) {
      const own = sc ? sc.options : answer;
      if (!sc) checkKnownOptions(own, 'context', where);
      const merged: Record<string, unknown> = { ...this.base };
      for (const k of CERTIFICATE_OPTIONS) delete merged[k];
      Object.assign(merged, contextOptionsOf(own));
      made = new ServerContext(this.map(merged, where));
      this.derived.set(key, made);
      this.onContext(made);
    }
    return made;
  }

  /** Node's `getTicketKeys()`: the ring's current key as 48 bytes. */
  getTicketKeys(): Buffer {
    return nodeTicketKeysOf(this.ring!);
  }

  /**
   * Node's `setTicketKeys(keys)`: the 48 bytes become the ring's only key, in place (every context
   * of the server, existing connections included, seals and opens with them from now on; tickets
   * sealed before stop opening, as in Node).
   * @throws TypeError unless 48 bytes.
   */
  setTicketKeys(keys: Uint8Array): void {
    this.ring!.replaceKeys(ticketKeyRingFromNodeKeys(keys, 'keys'));
  }

  /** The ticket key ring every context of the server shares (puretls's key ring API). */
  get ticketKeyRing(): TicketKeyRing {
    return this.ring!;
  }

  /**
   * The puretls-only options of `base` but its certificates: what `setSecureContext()` keeps
   * (it resets Node's options and the certificates, as Node does).
   */
  private puretlsOptions(base: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(base)) if (KNOWN_OPTIONS[k]?.origin === 'puretls' && k !== 'certificates') out[k] = v;
    return out;
  }

  /** Mapped context options, with the server's ticket ring (once it exists) and ALPN protocols. */
  private map(options: Record<string, unknown>, where: string): ServerContextOptions {
    const mapped = mapContextOptions(options as NodeContextOptions, where);
    const ring = this.ring;
    if (ring !== undefined && mapped.ticketKeys !== undefined && mapped.ticketKeys !== ring) {
      // New keys given (setSecureContext({ ticketKeys })): the server's ring takes them, in place.
      if (typeof mapped.ticketKeys === 'object' && 'export' in mapped.ticketKeys) ring.replaceKeys(mapped.ticketKeys.export());
      else ring.replaceKeys(typeof mapped.ticketKeys === 'string' ? JSON.parse(mapped.ticketKeys) : mapped.ticketKeys);
    }
    return {
      ...mapped,
      ...(ring !== undefined ? { ticketKeys: ring } : {}),
      ...(this.alpnProtocols !== undefined && mapped.alpnProtocols === undefined ? { alpnProtocols: this.alpnProtocols } : {}),
      ...(mapped.externalPsk === undefined && this.psk.externalPsk !== undefined ? { externalPsk: this.psk.externalPsk } : {}),
      ...(this.psk.pskIdentityHint !== undefined ? { pskIdentityHint: this.psk.pskIdentityHint } : {}),
    };
  }
}
