/**
 * Node `tls.createServer()` / `tls.createSecureContext()` options mapped onto `ServerContextOptions`
 * (issues #7, #17). Which names exist and which are refused is `node-options.ts`; here each
 * supported Node option gets Node's meaning: certificates (`node-certificates.ts`), versions and
 * `secureOptions` (`node-protocols.ts`), `ciphers` (`openssl-ciphers.ts`), `ecdhCurve`,
 * `ticketKeys`, `sessionIdContext`, `sessionTimeout`, `honorCipherOrder`, `ALPNProtocols`.
 * Defaults are Node's, read from `node:tls` when a context is made (`tls.DEFAULT_CIPHERS`,
 * `DEFAULT_ECDH_CURVE`, `DEFAULT_MIN_VERSION`, `DEFAULT_MAX_VERSION`, which `--tls-cipher-list`,
 * `--tls-min-v1.3`, … set), so that a server given the same options as Node's negotiates what Node's
 * would. puretls's own names (`certificates`, `cipherSuites`, `groups`, …) pass through and win
 * over the Node names they stand for. `requestCert`, `rejectUnauthorized` and `ca` keep Node's names
 * and defaults and pass through (`core/client-auth.ts`).
 */
import * as nodeTls from 'node:tls';
import { bytesToHex } from '@puretls/crypto';
import type { TicketKeyRing, TicketKeyRingJson } from '@puretls/session-cache';
import type { CertificateOption, ServerContextOptions } from '../core/context';
import { readNodeCertificates, type NodeCertificateOptions, type NodePemInput, type NodePfxInput } from './node-certificates';
import { KNOWN_OPTIONS } from './node-options';
import { readNodeProtocols } from './node-protocols';
import { parseNodeCiphers } from './openssl-ciphers';

export type { NodePemInput, NodePfxInput } from './node-certificates';

/** Node's `tls.createSecureContext()` options that puretls supports (see the README's table). */
export interface NodeSecureContextOptions extends NodeCertificateOptions {
  /** OpenSSL cipher string (Node semantics: `TLS_` names are TLS 1.3 suites, the rest an OpenSSL TLS 1.2 list). */
  readonly ciphers?: string;
  /** `'auto'` or a `:` list of OpenSSL group names (`X25519`, `P-256`, `prime256v1`, `P-384`, …). */
  readonly ecdhCurve?: string;
  readonly honorCipherOrder?: boolean;
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** `TLS_method`, `TLSv1_2_method`, … (see `node-protocols.ts`). */
  readonly secureProtocol?: string;
  /** `crypto.constants.SSL_OP_*` bits (see `node-protocols.ts` for the ones honoured). */
  readonly secureOptions?: number;
  /** Node's string (UTF-8 bytes in the session context fingerprint), or bytes. */
  readonly sessionIdContext?: string | Uint8Array;
  readonly sessionTimeout?: number;
  /** Node's 48 bytes, or a puretls `TicketKeyRing` or its JSON. */
  readonly ticketKeys?: Uint8Array | TicketKeyRing | TicketKeyRingJson | string;
}

/** Context options with Node's names allowed (`certificates` optional). */
export type NodeContextOptions = Omit<ServerContextOptions, 'certificates' | 'ticketKeys' | 'minVersion' | 'maxVersion' | 'sessionIdContext'> & {
  readonly certificates?: ServerContextOptions['certificates'];
} & NodeSecureContextOptions;

/** Node's `ticketKeys` length: 16-byte name, 16-byte HMAC key, 16-byte AES key. */
export const NODE_TICKET_KEYS_LENGTH = 48;
/** Rotation interval of a ring made from Node keys: Node never rotates them (2^52 ms ≈ 142,000 years). */
const NO_ROTATION_MS = 2 ** 52;

/** Node's process-wide defaults, read from `node:tls` (`tls.DEFAULT_CIPHERS` etc.). */
export interface NodeDefaults {
  readonly ciphers: string;
  readonly ecdhCurve: string;
  readonly minVersion: string;
  readonly maxVersion: string;
}

/** The defaults in force now (Node reads them each time a secure context is made). */
export function nodeDefaults(): NodeDefaults {
  return { ciphers: nodeTls.DEFAULT_CIPHERS, ecdhCurve: nodeTls.DEFAULT_ECDH_CURVE, minVersion: nodeTls.DEFAULT_MIN_VERSION, maxVersion: nodeTls.DEFAULT_MAX_VERSION };
}

/** The names of `KNOWN_OPTIONS` rows of scope `'context'`: what a secure context is made of. */
export function contextOptionsOf(options: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) if (KNOWN_OPTIONS[k]?.scope === 'context' && v !== undefined) out[k] = v;
  return out;
}

/**
 * Maps the context options (Node or puretls names; already checked against `KNOWN_OPTIONS`) onto
 * `ServerContextOptions`. `certificates` come first, then the `key`/`cert`/`pfx` pairs.
 * @throws TypeError / RangeError / KeyError / Node-coded errors naming the option.
 */
export function mapContextOptions(options: NodeContextOptions, where: string, defaults: NodeDefaults = nodeDefaults()): ServerContextOptions {
  const {
    key,
    cert,
    pfx,
    passphrase,
    ca,
    ciphers,
    ecdhCurve,
    minVersion,
    maxVersion,
    secureProtocol,
    secureOptions,
    ticketKeys,
    sessionIdContext,
    sessionTimeout,
    ...rest
  } = options as NodeContextOptions & Record<string, unknown>;
  const { certificates: pairs } = readNodeCertificates({ key, cert, pfx, passphrase, ca, ...(rest.allowWeakRsa !== undefined ? { allowWeakRsa: rest.allowWeakRsa } : {}) } as NodeCertificateOptions, where);
  const certificates: CertificateOption[] = [...(rest.certificates ?? []), ...pairs];
  const protocols = readNodeProtocols({ minVersion, maxVersion, secureProtocol, secureOptions }, defaults, where);
  const context: Record<string, unknown> = {
    ...withoutNodeOnly(rest),
    certificates,
    minVersion: protocols.minVersion,
    maxVersion: protocols.maxVersion,
  };
  // `ca` serves twice, as in Node: it completes our chains (above) and verifies the client's.
  if (ca !== undefined) context.ca = ca;
  if (rest.cipherSuites === undefined) {
    const sel = parseNodeCiphers(ciphers ?? defaults.ciphers, `${where}.ciphers`);
    context.cipherSuites = [...sel.tls13, ...sel.tls12].map((s) => s.name);
    // Node: a string of TLS 1.3 names only raises the minimum to TLSv1.3 (unless the range is 1.2 only).
    if (sel.tls13Only && protocols.maxVersion === 'TLSv1.3') context.minVersion = 'TLSv1.3';
  }
  if (rest.groups === undefined) {
    const groups = mapCurves(ecdhCurve ?? defaults.ecdhCurve, `${where}.ecdhCurve`);
    if (groups !== undefined) context.groups = groups;
  }
  // tls.Server's default is server preference (setSecureContext: honorCipherOrder = true).
  context.honorCipherOrder = rest.honorCipherOrder !== undefined ? Boolean(rest.honorCipherOrder) : true;
  if (protocols.serverPreference) context.honorCipherOrder = true;
  // OpenSSL resumes TLS 1.3 sessions only with (EC)DHE unless SSL_OP_ALLOW_NO_DHE_KEX is set.
  if (rest.allowPskKe === undefined) context.allowPskKe = protocols.allowNoDheKex;
  if (protocols.noTickets) {
    // SSL_OP_NO_TICKET: TLS 1.2 session ids only; TLS 1.3 tickets name cache entries (OpenSSL 1.1.1+).
    if (rest.tickets === undefined) context.tickets = 'stateful';
    context.tls12Tickets = false;
  }
  if (ticketKeys instanceof Uint8Array) context.ticketKeys = ticketKeyRingFromNodeKeys(ticketKeys, `${where}.ticketKeys`);
  else if (ticketKeys !== undefined) context.ticketKeys = ticketKeys;
  if (sessionIdContext !== undefined) {
    if (typeof sessionIdContext !== 'string' && !(sessionIdContext instanceof Uint8Array)) throw Object.assign(new TypeError(`${where}.sessionIdContext: a string`), { code: 'ERR_INVALID_ARG_TYPE' });
    context.sessionIdContext = typeof sessionIdContext === 'string' ? new TextEncoder().encode(sessionIdContext) : sessionIdContext;
  }
  if (sessionTimeout !== undefined) {
    if (!Number.isInteger(sessionTimeout) || sessionTimeout < 0 || sessionTimeout > 0x7fffffff) {
      throw Object.assign(new RangeError(`The value of "${where}.sessionTimeout" is out of range. It must be >= 0 && <= 2147483647. Received ${String(sessionTimeout)}`), { code: 'ERR_OUT_OF_RANGE' });
    }
    // Node ignores 0 (`if (options.sessionTimeout)`): the default stays.
    if (sessionTimeout > 0) context.sessionTimeout = sessionTimeout;
  }
  return context as unknown as ServerContextOptions;
}

/** The rest without the Node-only names the context does not know (handled elsewhere or meaningless there). */
function withoutNodeOnly(rest: Record<string, unknown>): Record<string, unknown> {
  const { honorCipherOrder: _h, ...out } = rest;
  return out;
}

/**
 * Node's 48-byte ticket keys (16 name ‖ 16 HMAC key ‖ 16 AES key) as a one-key `TicketKeyRing` JSON
 * that never rotates (Node's keys never do): key name = the first 16 bytes, AES-256-GCM key = the
 * other 32. {@link nodeTicketKeysOf} reads the same 48 bytes back, so `getTicketKeys()` on one
 * server and `setTicketKeys()` (or `ticketKeys`) on another make them share tickets. Node's own
 * servers seal tickets differently: tickets do not cross between Node and puretls.
 * @throws TypeError (`ERR_INVALID_ARG_VALUE`) unless exactly 48 bytes.
 */
export function ticketKeyRingFromNodeKeys(keys: Uint8Array, where = 'ticketKeys'): TicketKeyRingJson {
  if (!(keys instanceof Uint8Array)) throw Object.assign(new TypeError(`The "${where}" argument must be an instance of Buffer, TypedArray, or DataView.`), { code: 'ERR_INVALID_ARG_TYPE' });
  if (keys.length !== NODE_TICKET_KEYS_LENGTH) throw Object.assign(new TypeError(`The property '${where}' must be exactly ${NODE_TICKET_KEYS_LENGTH} bytes. Received ${keys.length}`), { code: 'ERR_INVALID_ARG_VALUE' });
  return {
    format: 'puretls-ticket-keys/1',
    rotationIntervalMs: NO_ROTATION_MS,
    keys: [{ role: 'current', name: bytesToHex(keys.subarray(0, 16)), key: bytesToHex(keys.subarray(16, 48)), createdAt: 0, activatedAt: 0 }],
  };
}

/** The ring's current key as Node's 48 bytes (name ‖ key): what `getTicketKeys()` returns. */
export function nodeTicketKeysOf(ring: TicketKeyRing): Buffer {
  const current = ring.export().keys.find((k) => k.role === 'current')!;
  return Buffer.concat([Buffer.from(current.name, 'hex'), Buffer.from(current.key, 'hex')]);
}

/** RFC 7301 §3.1 `ProtocolName protocol_name_list<2..2^16-1>` without its outer length (Node's Buffer form). */
export function parseAlpn(v: readonly (string | Uint8Array)[] | Uint8Array, where = 'options.ALPNProtocols'): string[] {
  const decode = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
  if (v instanceof Uint8Array) {
    const out: string[] = [];
    for (let i = 0; i < v.length; ) {
      const n = v[i]!;
      if (n === 0 || i + 1 + n > v.length) throw new RangeError(`${where}: a malformed length-prefixed protocol list`);
      out.push(decode(v.subarray(i + 1, i + 1 + n)));
      i += 1 + n;
    }
    return out;
  }
  if (!Array.isArray(v)) throw new TypeError(`${where}: an array of names or a Buffer`);
  return v.map((p) => (typeof p === 'string' ? p : decode(p)));
}

/** OpenSSL group names (`SSL_CTX_set1_groups_list`, as Node's `ecdhCurve`) → puretls's. */
const CURVES: Readonly<Record<string, string>> = {
  X25519: 'x25519',
  x25519: 'x25519',
  'P-256': 'secp256r1',
  prime256v1: 'secp256r1',
  secp256r1: 'secp256r1',
  'P-384': 'secp384r1',
  secp384r1: 'secp384r1',
  X25519MLKEM768: 'X25519MLKEM768',
};
/** Groups OpenSSL knows that puretls does not implement: dropped from a list that names others too. */
const OTHER_CURVES = new Set([
  'X448',
  'x448',
  'P-521',
  'secp521r1',
  'P-224',
  'secp224r1',
  'prime192v1',
  'secp192r1',
  'secp256k1',
  'brainpoolP256r1',
  'brainpoolP384r1',
  'brainpoolP512r1',
  'ffdhe2048',
  'ffdhe3072',
  'ffdhe4096',
  'ffdhe6144',
  'ffdhe8192',
]);

/**
 * Node's `ecdhCurve`: `'auto'` → puretls's default groups; else a `:` list of OpenSSL names.
 * @throws Error with Node's code `ERR_CRYPTO_OPERATION_FAILED` ("Failed to set ECDH curve") for a
 *   name OpenSSL does not know either, or when none of the names is a group puretls implements.
 */
function mapCurves(ecdhCurve: unknown, where: string): string | undefined {
  if (typeof ecdhCurve !== 'string') throw Object.assign(new TypeError(`The "${where}" property must be of type string.`), { code: 'ERR_INVALID_ARG_TYPE' });
  if (ecdhCurve === 'auto') return undefined;
  const names = ecdhCurve.split(':');
  const ours: string[] = [];
  for (const n of names) {
    if (Object.hasOwn(CURVES, n)) ours.push(CURVES[n]!);
    else if (!OTHER_CURVES.has(n)) throw failedCurve(`${where}: unknown group ${JSON.stringify(n)}`);
  }
  if (ours.length === 0) throw failedCurve(`${where}: ${JSON.stringify(ecdhCurve)} names no group puretls implements (X25519, P-256, P-384)`);
  return [...new Set(ours)].join(':');
}

function failedCurve(message: string): Error {
  return Object.assign(new Error(`Failed to set ECDH curve: ${message}`), { code: 'ERR_CRYPTO_OPERATION_FAILED' });
}
