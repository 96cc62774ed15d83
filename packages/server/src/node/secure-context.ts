/**
 * `createSecureContext(options)`: puretls's `tls.createSecureContext()`. The object it returns is
 * what an `SNICallback` answers, `server.addContext()` takes and `server.setSecureContext()`
 * builds: its options are kept (checked and mapped once, here), so that a server can make a
 * context of its own from them — the server's options with these on top, sharing the server's
 * ticket keys. `.context` is a standalone `ServerContext` of these options alone (Node's
 * `secureContext.context`), usable as `createServer({ context })`.
 *
 * Node's own `tls.SecureContext` is refused wherever one is given: its keys live inside OpenSSL
 * and cannot be read back.
 */
import { ServerContext } from '../core/context';
import { mapContextOptions, type NodeSecureContextOptions } from './node-compat';
import { checkKnownOptions } from './node-options';

/** `ServerContext`s made by `.context` → their secure context (so `cb(null, sc.context)` works as `cb(null, sc)`). */
const OWNERS = new WeakMap<ServerContext, PureTlsSecureContext>();

/** puretls's `tls.SecureContext`. */
export class PureTlsSecureContext {
  /** The options as given (a frozen copy). */
  readonly options: Readonly<NodeSecureContextOptions & Record<string, unknown>>;
  private standalone: ServerContext | undefined;

  /**
   * @throws TypeError for an unknown or refused option (`node-options.ts`), and what mapping the
   *   options throws (bad certificates, ciphers, versions, …).
   */
  constructor(options: object = {}, where = 'options') {
    if (options === null || typeof options !== 'object') throw Object.assign(new TypeError(`The "${where}" argument must be of type object.`), { code: 'ERR_INVALID_ARG_TYPE' });
    checkKnownOptions(options, 'context', where);
    this.options = Object.freeze({ ...options }) as PureTlsSecureContext['options'];
    // Everything is checked now, as Node checks at createSecureContext().
    this.standalone = new ServerContext(mapContextOptions(this.options, where));
    OWNERS.set(this.standalone, this);
  }

  /** A `ServerContext` of these options alone (Node's `secureContext.context`). */
  get context(): ServerContext {
    return this.standalone!;
  }

  /** The secure context a `ServerContext` of {@link context} belongs to, if any. */
  static of(context: ServerContext): PureTlsSecureContext | undefined {
    return OWNERS.get(context);
  }
}

/**
 * Like `tls.createSecureContext(options)`: every option is checked now.
 * @throws TypeError / RangeError / KeyError naming the option (see {@link PureTlsSecureContext}).
 */
export function createSecureContext(options: NodeSecureContextOptions & Record<string, unknown> = {}): PureTlsSecureContext {
  return new PureTlsSecureContext(options);
}

/**
 * True for Node's own `tls.SecureContext` (what `tls.createSecureContext()` returns) or its native
 * `.context`: an object puretls cannot read keys from.
 */
export function isNodeSecureContext(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || v instanceof PureTlsSecureContext || v instanceof ServerContext) return false;
  const name = (v as { constructor?: { name?: string } }).constructor?.name;
  const inner = (v as { context?: { constructor?: { name?: string } } }).context;
  return name === 'SecureContext' || (typeof inner === 'object' && inner !== null && inner.constructor?.name === 'SecureContext');
}

/** The TypeError for a Node `tls.SecureContext` given where puretls needs readable keys. */
export function nodeSecureContextError(where: string): TypeError {
  return Object.assign(
    new TypeError(`${where}: a Node tls.SecureContext (tls.createSecureContext()) cannot be used: its keys live inside OpenSSL and cannot be read back; use createSecureContext() from @puretls/server with the same options`),
    { code: 'ERR_INVALID_ARG_TYPE' },
  );
}
