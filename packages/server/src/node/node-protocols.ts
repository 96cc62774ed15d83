/**
 * Node's protocol options — `minVersion`, `maxVersion`, `secureProtocol` and the `secureOptions`
 * bit flags — as the context's version range and the options some flags stand for. Node's names
 * and errors (`ERR_TLS_INVALID_PROTOCOL_VERSION`, `ERR_TLS_PROTOCOL_VERSION_CONFLICT`,
 * `ERR_TLS_INVALID_PROTOCOL_METHOD`); puretls serves TLS 1.2 and 1.3 only, so a request for
 * TLS 1.0 or 1.1 is refused with a TypeError saying so, rather than served as something else.
 */
import type { TlsVersionName } from '../core/context';

type NodeVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
const RANK: Readonly<Record<NodeVersion, number>> = { TLSv1: 1, 'TLSv1.1': 2, 'TLSv1.2': 3, 'TLSv1.3': 4 };

/** The options of this file. */
export interface NodeProtocolOptions {
  readonly minVersion?: unknown;
  readonly maxVersion?: unknown;
  readonly secureProtocol?: unknown;
  readonly secureOptions?: unknown;
}

/** The process-wide defaults Node reads them from (`tls.DEFAULT_MIN_VERSION` / `DEFAULT_MAX_VERSION`). */
export interface ProtocolDefaults {
  readonly minVersion: string;
  readonly maxVersion: string;
}

/** What the protocol options come to. */
export interface MappedProtocols {
  readonly minVersion: TlsVersionName;
  readonly maxVersion: TlsVersionName;
  /** `SSL_OP_NO_TICKET`: no TLS 1.2 tickets, TLS 1.3 tickets kept in the session cache (OpenSSL). */
  readonly noTickets: boolean;
  /** `SSL_OP_CIPHER_SERVER_PREFERENCE`. */
  readonly serverPreference: boolean;
  /** `SSL_OP_ALLOW_NO_DHE_KEX`: TLS 1.3 resumption without (EC)DHE (OpenSSL's default: not allowed). */
  readonly allowNoDheKex: boolean;
}

/**
 * `secureProtocol` methods (Node's `SecureContext::Init`): the version range each one means.
 * `TLS_method` allows every version (puretls: 1.2 and 1.3); `SSLv23_method` every version below 1.3.
 */
const METHODS: Readonly<Record<string, readonly [NodeVersion, NodeVersion]>> = {
  TLS_method: ['TLSv1', 'TLSv1.3'],
  TLS_server_method: ['TLSv1', 'TLSv1.3'],
  SSLv23_method: ['TLSv1', 'TLSv1.2'],
  SSLv23_server_method: ['TLSv1', 'TLSv1.2'],
  TLSv1_method: ['TLSv1', 'TLSv1'],
  TLSv1_server_method: ['TLSv1', 'TLSv1'],
  TLSv1_1_method: ['TLSv1.1', 'TLSv1.1'],
  TLSv1_1_server_method: ['TLSv1.1', 'TLSv1.1'],
  TLSv1_2_method: ['TLSv1.2', 'TLSv1.2'],
  TLSv1_2_server_method: ['TLSv1.2', 'TLSv1.2'],
};

/**
 * `secureOptions` bits (OpenSSL 3.0's `SSL_OP_*`, as `crypto.constants` names them). `effect`:
 * what puretls does for it; `noop`: a workaround or a refusal of something puretls never does;
 * `refuse`: behaviour puretls does not have. Any other bit is refused.
 */
export const SECURE_OPTIONS: Readonly<Record<string, { readonly bit: number; readonly effect: 'noop' | 'refuse' | keyof Omit<MappedProtocols, 'minVersion' | 'maxVersion'> | 'noTls12' | 'noTls13'; readonly why?: string }>> = {
  SSL_OP_ALLOW_NO_DHE_KEX: { bit: 0x400, effect: 'allowNoDheKex' },
  SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION: { bit: 0x40000, effect: 'refuse', why: 'puretls never renegotiates' },
  SSL_OP_CIPHER_SERVER_PREFERENCE: { bit: 0x400000, effect: 'serverPreference' },
  SSL_OP_CISCO_ANYCONNECT: { bit: 0x8000, effect: 'noop', why: 'DTLS only' },
  SSL_OP_COOKIE_EXCHANGE: { bit: 0x2000, effect: 'noop', why: 'DTLS only' },
  SSL_OP_CRYPTOPRO_TLSEXT_BUG: { bit: 0x80000000, effect: 'noop', why: 'a GOST workaround (no GOST suites)' },
  SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS: { bit: 0x800, effect: 'noop', why: 'a CBC workaround (no CBC suites)' },
  SSL_OP_LEGACY_SERVER_CONNECT: { bit: 0x4, effect: 'noop', why: 'a client option' },
  SSL_OP_NO_COMPRESSION: { bit: 0x20000, effect: 'noop', why: 'puretls never compresses' },
  SSL_OP_NO_ENCRYPT_THEN_MAC: { bit: 0x80000, effect: 'noop', why: 'no CBC suites' },
  SSL_OP_NO_QUERY_MTU: { bit: 0x1000, effect: 'noop', why: 'DTLS only' },
  SSL_OP_NO_RENEGOTIATION: { bit: 0x40000000, effect: 'noop', why: 'puretls never renegotiates' },
  SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION: { bit: 0x10000, effect: 'noop', why: 'puretls never renegotiates' },
  SSL_OP_NO_SSLv3: { bit: 0x2000000, effect: 'noop', why: 'never served' },
  SSL_OP_NO_TICKET: { bit: 0x4000, effect: 'noTickets' },
  SSL_OP_NO_TLSv1: { bit: 0x4000000, effect: 'noop', why: 'never served' },
  SSL_OP_NO_TLSv1_1: { bit: 0x10000000, effect: 'noop', why: 'never served' },
  SSL_OP_NO_TLSv1_2: { bit: 0x8000000, effect: 'noTls12' },
  SSL_OP_NO_TLSv1_3: { bit: 0x20000000, effect: 'noTls13' },
  SSL_OP_PRIORITIZE_CHACHA: { bit: 0x200000, effect: 'refuse', why: 'not implemented (the suite order is the server\u2019s or the client\u2019s)' },
  SSL_OP_TLS_ROLLBACK_BUG: { bit: 0x800000, effect: 'noop', why: 'a workaround for old clients (TLS 1.2+ only)' },
  // The rest of SSL_OP_ALL (0x80000850): TLSEXT_PADDING (a client option), SAFARI_ECDHE_ECDSA_BUG.
  SSL_OP_TLSEXT_PADDING: { bit: 0x10, effect: 'noop', why: 'a client option' },
  SSL_OP_SAFARI_ECDHE_ECDSA_BUG: { bit: 0x40, effect: 'noop', why: 'a workaround for an old client' },
};

/**
 * Reads the protocol options.
 * @throws TypeError with Node's codes for an unknown version or method, a method given with a
 *   version, TLSv1 / TLSv1.1 (not served), refused or unknown `secureOptions` bits, or a range
 *   that leaves no version.
 */
export function readNodeProtocols(o: NodeProtocolOptions, defaults: ProtocolDefaults, where: string): MappedProtocols {
  const { minVersion, maxVersion, secureProtocol } = o;
  let min: NodeVersion;
  let max: NodeVersion;
  if (secureProtocol !== undefined && secureProtocol !== null) {
    // Node: "TLS protocol version "x" conflicts with secureProtocol "y"".
    for (const v of [minVersion, maxVersion]) {
      if (v !== undefined && v !== null) throw code(new TypeError(`TLS protocol version ${JSON.stringify(v)} conflicts with secureProtocol ${JSON.stringify(secureProtocol)}`), 'ERR_TLS_PROTOCOL_VERSION_CONFLICT');
    }
    const range = typeof secureProtocol === 'string' && Object.hasOwn(METHODS, secureProtocol) ? METHODS[secureProtocol]! : undefined;
    if (range === undefined) {
      const s = String(secureProtocol);
      const message = /^SSLv[23]_/.test(s) ? `${s.slice(0, 5)} methods disabled` : /_client_method$/.test(s) ? `${where}.secureProtocol: ${s} is a client method` : `Unknown method: ${s}`;
      throw code(new TypeError(message), 'ERR_TLS_INVALID_PROTOCOL_METHOD');
    }
    [min, max] = range;
    if (RANK[max] < RANK['TLSv1.2']) throw notServed(`${where}.secureProtocol`, secureProtocol as string);
    // A method's lower bound below TLS 1.2 means "and everything above": puretls starts at 1.2.
    if (RANK[min] < RANK['TLSv1.2']) min = 'TLSv1.2';
  } else {
    min = version(minVersion, 'minimum', `${where}.minVersion`) ?? clampDefault(defaults.minVersion, 'minimum');
    max = version(maxVersion, 'maximum', `${where}.maxVersion`) ?? clampDefault(defaults.maxVersion, 'maximum');
  }
  const flags = readSecureOptions(o.secureOptions, `${where}.secureOptions`);
  if (flags.has('noTls12') && RANK[min] < RANK['TLSv1.3']) min = 'TLSv1.3';
  if (flags.has('noTls13') && RANK[max] > RANK['TLSv1.2']) max = 'TLSv1.2';
  if (RANK[min] > RANK[max]) throw new RangeError(`${where}: no TLS version left (minimum ${min} is above maximum ${max}${flags.size ? ' after secureOptions' : ''})`);
  return {
    minVersion: min as TlsVersionName,
    maxVersion: max as TlsVersionName,
    noTickets: flags.has('noTickets'),
    serverPreference: flags.has('serverPreference'),
    allowNoDheKex: flags.has('allowNoDheKex'),
  };
}

function version(v: unknown, which: 'minimum' | 'maximum', where: string): NodeVersion | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !Object.hasOwn(RANK, v)) throw code(new TypeError(`${JSON.stringify(v)} is not a valid ${which} TLS protocol version`), 'ERR_TLS_INVALID_PROTOCOL_VERSION');
  if (RANK[v as NodeVersion] < RANK['TLSv1.2']) throw notServed(where, v);
  return v as NodeVersion;
}

/** A process-wide default below TLS 1.2 (`--tls-min-v1.0`) means "from there up": puretls starts at 1.2. */
function clampDefault(v: string, which: 'minimum' | 'maximum'): NodeVersion {
  if (!Object.hasOwn(RANK, v)) throw code(new TypeError(`${JSON.stringify(v)} is not a valid ${which} TLS protocol version (tls.DEFAULT_${which === 'minimum' ? 'MIN' : 'MAX'}_VERSION)`), 'ERR_TLS_INVALID_PROTOCOL_VERSION');
  const r = RANK[v as NodeVersion];
  if (r < RANK['TLSv1.2']) {
    if (which === 'maximum') throw notServed('tls.DEFAULT_MAX_VERSION', v);
    return 'TLSv1.2';
  }
  return v as NodeVersion;
}

function notServed(where: string, v: string): TypeError {
  return code(new TypeError(`${where}: ${JSON.stringify(v)} is not supported: puretls serves only TLSv1.2 and TLSv1.3 (TLS 1.0 and 1.1 are deprecated by RFC 8996)`), 'ERR_TLS_INVALID_PROTOCOL_VERSION');
}

function readSecureOptions(v: unknown, where: string): Set<string> {
  const effects = new Set<string>();
  if (v === undefined || v === null || v === 0) return effects;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw code(new TypeError(`The "${where}" argument must be an integer. Received ${JSON.stringify(v)}`), 'ERR_INVALID_ARG_TYPE');
  let rest = v >>> 0;
  for (const [name, flag] of Object.entries(SECURE_OPTIONS)) {
    if ((rest & flag.bit) === 0 || flag.bit === 0) continue;
    rest &= ~flag.bit;
    if (flag.effect === 'refuse') throw code(new TypeError(`${where}: ${name} is not supported: ${flag.why!}`), 'ERR_INVALID_ARG_VALUE');
    if (flag.effect !== 'noop') effects.add(flag.effect);
  }
  rest >>>= 0;
  if (rest !== 0) throw code(new TypeError(`${where}: unknown SSL_OP bits 0x${rest.toString(16)}`), 'ERR_INVALID_ARG_VALUE');
  return effects;
}

function code<E extends Error>(e: E, c: string): E {
  return Object.assign(e, { code: c });
}
