/**
 * Node `tls.createServer()` option names mapped onto `ServerContextOptions` (issue #7): `key`/`cert`,
 * `SNICallback`, `ALPNProtocols`, `ticketKeys` (Node's 48-byte format), `minVersion`/`maxVersion`,
 * `ciphers`/`ecdhCurve` (best effort). `sessionTimeout`, `honorCipherOrder` and `handshakeTimeout`
 * have the same names and units in both APIs and pass through unchanged, as do `requestCert`,
 * `rejectUnauthorized` and `ca` (Node's names and defaults, `core/client-auth.ts`). The ClientHello peek
 * that lets `SNICallback` run before the connection exists is `client-hello-peek.ts`.
 */
import { bytesToHex, createNodeProvider } from '@puretls/crypto';
import { suiteByName } from '@puretls/handshake-state-machine';
import { TicketKeyRing, type TicketKeyRingJson } from '@puretls/session-cache';
import { ServerContext, type CertificateOption, type ServerContextOptions, type TlsVersionName } from '../core/context';

/** A PEM string or bytes, or Node's `{ pem }` object form (no `passphrase`: encrypted keys are not supported). */
export type NodePemInput = string | Uint8Array | { readonly pem: string | Uint8Array; readonly passphrase?: string };

/**
 * What an `SNICallback` may answer: a `ServerContext`, or `{ key, cert }` (Node names, turned into a
 * context that shares the server's other options, built once per answer object), or nothing (the
 * default certificate). Node's own `tls.SecureContext` cannot be used: its key is not readable.
 */
export type SniAnswer = ServerContext | { readonly key: NodePemInput | readonly NodePemInput[]; readonly cert: NodePemInput | readonly NodePemInput[] } | null | undefined;

/** Node's `SNICallback(servername, cb)`. */
export type SniCallback = (servername: string, cb: (err: Error | null, context?: SniAnswer) => void) => void;

/** The Node `tls.createServer()` names puretls accepts (see the README's table). */
export interface NodeCompatOptions {
  /** Private key(s), PEM, in the same order as `cert`. */
  readonly key?: NodePemInput | readonly NodePemInput[];
  /** Certificate chain(s), PEM, leaf first; `cert[i]` pairs with `key[i]`. */
  readonly cert?: NodePemInput | readonly NodePemInput[];
  /** Chooses the certificate by SNI host name; see {@link SniAnswer} and `sniTimeout`. */
  readonly SNICallback?: SniCallback;
  /**
   * puretls: how long (ms) an asynchronous `SNICallback` may take. A later answer is ignored and the
   * default certificate is used. Default {@link DEFAULT_SNI_TIMEOUT}.
   */
  readonly sniTimeout?: number;
  /** ALPN protocols: names, or Node's wire form (a Buffer of length-prefixed names), or Buffers of names. */
  readonly ALPNProtocols?: readonly (string | Uint8Array)[] | Uint8Array;
  /** OpenSSL cipher string; names puretls knows are used in order, the rest (`HIGH`, `!aNULL`, …) ignored. */
  readonly ciphers?: string;
  /** `'auto'` (default groups) or a colon-separated list of curve names; unknown names are ignored. */
  readonly ecdhCurve?: string;
  /** Node's `'TLSv1'`/`'TLSv1.1'` are raised to `'TLSv1.2'`, the lowest version puretls speaks. */
  readonly minVersion?: TlsVersionName | 'TLSv1' | 'TLSv1.1';
  readonly maxVersion?: TlsVersionName;
  /**
   * Node's 48 bytes (16 name ‖ 16 HMAC key ‖ 16 AES key), or a puretls `TicketKeyRing` or its JSON.
   * The 48 bytes become a one-key ring via HKDF-SHA256 (see {@link ticketKeyRingFromNodeKeys}).
   */
  readonly ticketKeys?: Uint8Array | TicketKeyRing | TicketKeyRingJson | string;
}

/** Context options with Node's names allowed (`certificates` optional when `key`/`cert` are given). */
export type NodeStyleContextOptions = Omit<ServerContextOptions, 'certificates' | 'ticketKeys' | 'minVersion' | 'maxVersion'> & {
  readonly certificates?: ServerContextOptions['certificates'];
} & NodeCompatOptions;

/** Default deadline of an asynchronous `SNICallback`, ms. */
export const DEFAULT_SNI_TIMEOUT = 1000;
/** Node's `ticketKeys` length: 16-byte name, 16-byte HMAC key, 16-byte AES key. */
export const NODE_TICKET_KEYS_LENGTH = 48;
/** Rotation interval of a ring made from Node keys: Node never rotates them (2^52 ms ≈ 142,000 years). */
const NO_ROTATION_MS = 2 ** 52;

const NODE_KEYS_SALT = new TextEncoder().encode('puretls node ticketKeys v1');
const NODE_KEYS_INFO = new TextEncoder().encode('ticket key name and aes-256-gcm key');

/** The mapped options: context options plus what only the adapter uses. */
export interface MappedNodeOptions {
  readonly context: ServerContextOptions;
  readonly sniCallback: SniCallback | undefined;
  readonly sniTimeout: number;
}

/**
 * Maps Node names onto context options. Names given in both forms: puretls's `certificates` come
 * first, then the `key`/`cert` pairs; `alpnProtocols` wins over `ALPNProtocols`, `cipherSuites`
 * over `ciphers`, `groups` over `ecdhCurve`.
 * @throws TypeError / RangeError naming the option (unequal `key`/`cert` counts, a `passphrase`,
 *   `pfx`, ticket keys of the wrong length, a malformed ALPN list, a bad `sniTimeout`).
 */
export function mapNodeOptions(options: NodeStyleContextOptions): MappedNodeOptions {
  const o = options as NodeStyleContextOptions & { pfx?: unknown; passphrase?: unknown };
  if (o.pfx !== undefined) throw new TypeError('options.pfx: not supported; give key and cert as PEM');
  if (o.passphrase !== undefined) throw new TypeError('options.passphrase: encrypted keys are not supported; decrypt the key first');
  const { key, cert, SNICallback, sniTimeout, ALPNProtocols, ciphers, ecdhCurve, ticketKeys, minVersion, maxVersion, ...rest } = o;
  const certificates: CertificateOption[] = [...(rest.certificates ?? []), ...pairKeys(key, cert, 'options')];
  if (SNICallback !== undefined && typeof SNICallback !== 'function') throw new TypeError('options.SNICallback: a function (servername, cb)');
  const timeout = sniTimeout ?? DEFAULT_SNI_TIMEOUT;
  if (!Number.isInteger(timeout) || timeout < 0) throw new RangeError('options.sniTimeout: a non-negative integer of milliseconds');
  const context: ServerContextOptions = {
    ...rest,
    certificates,
    ...(rest.alpnProtocols === undefined && ALPNProtocols !== undefined ? { alpnProtocols: parseAlpn(ALPNProtocols) } : {}),
    ...(rest.cipherSuites === undefined && ciphers !== undefined ? mapCiphers(ciphers) : {}),
    ...(rest.groups === undefined && ecdhCurve !== undefined ? mapCurves(ecdhCurve) : {}),
    ...(minVersion !== undefined ? { minVersion: minVersion === 'TLSv1' || minVersion === 'TLSv1.1' ? 'TLSv1.2' : minVersion } : {}),
    ...(maxVersion !== undefined ? { maxVersion } : {}),
    ...(ticketKeys instanceof Uint8Array ? { ticketKeys: ticketKeyRingFromNodeKeys(ticketKeys) } : ticketKeys !== undefined ? { ticketKeys } : {}),
  };
  return { context, sniCallback: SNICallback, sniTimeout: timeout };
}

/**
 * Node's 48-byte ticket keys as a one-key `TicketKeyRing` JSON that never rotates: key name (16) ‖
 * AES-256-GCM key (32) = HKDF-SHA256(salt "puretls node ticketKeys v1", ikm = the 48 bytes). Two
 * puretls servers given the same 48 bytes open each other's tickets; Node's own servers use a
 * different ticket format, so tickets do not cross between Node and puretls.
 * @throws RangeError unless exactly 48 bytes.
 */
export function ticketKeyRingFromNodeKeys(keys: Uint8Array): TicketKeyRingJson {
  if (!(keys instanceof Uint8Array) || keys.length !== NODE_TICKET_KEYS_LENGTH) throw new RangeError(`options.ticketKeys: ${NODE_TICKET_KEYS_LENGTH} bytes (Node's format)`);
  const hkdf = createNodeProvider();
  const okm = hkdf.hkdfExpand('sha256', hkdf.hkdfExtract('sha256', NODE_KEYS_SALT, keys), NODE_KEYS_INFO, 48);
  const json: TicketKeyRingJson = {
    format: 'puretls-ticket-keys/1',
    rotationIntervalMs: NO_ROTATION_MS,
    keys: [{ role: 'current', name: bytesToHex(okm.subarray(0, 16)), key: bytesToHex(okm.subarray(16, 48)), createdAt: 0, activatedAt: 0 }],
  };
  okm.fill(0);
  return json;
}

function asList(v: NodePemInput | readonly NodePemInput[] | undefined): NodePemInput[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? [...(v as readonly NodePemInput[])] : [v as NodePemInput];
}

function pem(v: NodePemInput, where: string): string | Uint8Array {
  if (typeof v === 'string' || v instanceof Uint8Array) return v;
  if (v && typeof v === 'object' && (typeof v.pem === 'string' || v.pem instanceof Uint8Array)) {
    if (v.passphrase !== undefined) throw new TypeError(`${where}.passphrase: encrypted keys are not supported`);
    return v.pem;
  }
  throw new TypeError(`${where}: a PEM string, Buffer or { pem }`);
}

/** `key[i]` with `cert[i]`. @throws TypeError when the counts differ. */
export function pairKeys(key: NodePemInput | readonly NodePemInput[] | undefined, cert: NodePemInput | readonly NodePemInput[] | undefined, where: string): CertificateOption[] {
  const keys = asList(key);
  const certs = asList(cert);
  if (keys.length !== certs.length) throw new TypeError(`${where}.key / ${where}.cert: ${keys.length} key(s) for ${certs.length} certificate(s); they pair in order`);
  return keys.map((k, i) => ({ key: pem(k, `${where}.key[${i}]`), cert: pem(certs[i]!, `${where}.cert[${i}]`) }));
}

/** RFC 7301 §3.1 `ProtocolName protocol_name_list<2..2^16-1>` without its outer length (Node's Buffer form). */
function parseAlpn(v: NodeCompatOptions['ALPNProtocols']): string[] {
  const decode = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
  if (v instanceof Uint8Array) {
    const out: string[] = [];
    for (let i = 0; i < v.length; ) {
      const n = v[i]!;
      if (n === 0 || i + 1 + n > v.length) throw new RangeError('options.ALPNProtocols: a malformed length-prefixed protocol list');
      out.push(decode(v.subarray(i + 1, i + 1 + n)));
      i += 1 + n;
    }
    return out;
  }
  if (!Array.isArray(v)) throw new TypeError('options.ALPNProtocols: an array of names or a Buffer');
  return v.map((p) => (typeof p === 'string' ? p : decode(p)));
}

function mapCiphers(ciphers: string): { cipherSuites?: string[] } {
  if (typeof ciphers !== 'string') throw new TypeError('options.ciphers: an OpenSSL cipher string');
  const known = ciphers.split(/[:,\s]+/).filter((name) => {
    if (!name || /^[!+\-@]/.test(name)) return false;
    try {
      suiteByName(name);
      return true;
    } catch {
      return false;
    }
  });
  return known.length > 0 ? { cipherSuites: known } : {};
}

const CURVES = new Set(['x25519', 'secp256r1', 'p-256', 'prime256v1', 'secp384r1', 'p-384', 'x25519mlkem768']);
function mapCurves(ecdhCurve: string): { groups?: string } {
  if (typeof ecdhCurve !== 'string') throw new TypeError('options.ecdhCurve: a string');
  if (ecdhCurve.toLowerCase() === 'auto') return {};
  const known = ecdhCurve.split(':').filter((c) => CURVES.has(c.trim().toLowerCase()));
  return known.length > 0 ? { groups: known.join(':') } : {};
}

/**
 * Turns an `SNICallback` answer into a context; `{ key, cert }` answers become a context with the
 * server's options (and its ticket key ring, so tickets open across certificates), cached per answer.
 */
export class SniContexts {
  private readonly made = new WeakMap<object, ServerContext>();
  constructor(private readonly base: ServerContextOptions & { ticketKeys?: unknown }, private readonly fallback: ServerContext) {}

  /** @throws TypeError / KeyError for an unusable answer. */
  resolve(answer: SniAnswer): ServerContext {
    if (answer === null || answer === undefined) return this.fallback;
    if (answer instanceof ServerContext) return answer;
    if (typeof answer !== 'object' || !('key' in answer) || !('cert' in answer)) {
      throw new TypeError('SNICallback: answer a ServerContext, { key, cert } or nothing (a Node tls.SecureContext cannot be read)');
    }
    let ctx = this.made.get(answer);
    if (!ctx) {
      ctx = new ServerContext({ ...this.base, certificates: pairKeys(answer.key, answer.cert, 'SNICallback answer'), ticketKeys: this.fallback.ticketKeys });
      this.made.set(answer, ctx);
    }
    return ctx;
  }
}
