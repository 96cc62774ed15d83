/**
 * THE table of options `createServer()`, `createSecureContext()`, `server.setSecureContext()` and
 * `server.addContext()` know: every Node `tls.createServer` / `tls.createSecureContext` /
 * `net.createServer` / `tls.TLSSocket` option and every puretls option, each supported or refused
 * with the reason. Nothing fails open: an option not in the table (a typo such as `fooBar`) or
 * refused by it throws a `TypeError` naming it, before anything is built. What a supported
 * option means is implemented where it is mapped (`node-compat.ts`, `node-adapter.ts`, the
 * context); this file only decides whether a name (and, for a few, a value) is accepted.
 */
import { REMOVED_CONTEXT_OPTIONS, SERVER_CONTEXT_OPTIONS } from '../core/context';

/** Where an option comes from (what the README's compatibility table groups by). */
export type OptionOrigin = 'tls.createServer' | 'tls.createSecureContext' | 'net.createServer' | 'tls.TLSSocket' | 'EventEmitter' | 'puretls';

/**
 * Which calls take the option: `'context'` options make a certificate context (createServer,
 * createSecureContext, setSecureContext, addContext); `'server'` options only createServer.
 */
export type OptionScope = 'context' | 'server';

/** One row of {@link KNOWN_OPTIONS}: where the option comes from, which calls take it, and whether it is supported. */
export interface OptionRow {
  readonly origin: OptionOrigin;
  readonly scope: OptionScope;
  /**
   * `'supported'`: accepted (maybe with a value check below); `'refused'`: any value other than
   * `undefined`/`null` throws `TypeError` with `why`.
   */
  readonly status: 'supported' | 'refused';
  /** Why it is refused (`refused`), or, for `supported`, a value it refuses and why. */
  readonly why?: string;
  /** For a supported option: a value refused (returns the reason), e.g. `requestCert: true`. */
  readonly refuseValue?: (value: unknown) => string | undefined;
}

const ENGINES = 'OpenSSL engines do not exist in a pure TypeScript server; load the key with `key` (PEM/DER, also encrypted with `passphrase`) or `pfx`';

const supported = (origin: OptionOrigin, scope: OptionScope, refuseValue?: OptionRow['refuseValue']): OptionRow => ({ origin, scope, status: 'supported', ...(refuseValue ? { refuseValue } : {}) });
const refused = (origin: OptionOrigin, scope: OptionScope, why: string): OptionRow => ({ origin, scope, status: 'refused', why });

/**
 * The puretls rows of `ServerContext`'s own options: every name it accepts (context scope), and
 * the names it refuses as removed. Rows below override them (Node names, adapter scopes).
 */
const CONTEXT_ROWS: Readonly<Record<string, OptionRow>> = {
  ...Object.fromEntries(SERVER_CONTEXT_OPTIONS.map((name) => [name, supported('puretls', 'context')])),
  ...Object.fromEntries(Object.entries(REMOVED_CONTEXT_OPTIONS).map(([name, why]) => [name, refused('puretls', 'context', why)])),
};

/** The one table. Keep each group sorted. */
export const KNOWN_OPTIONS: Readonly<Record<string, OptionRow>> = Object.freeze({
  ...CONTEXT_ROWS,
  // ---- tls.createServer ------------------------------------------------------------------------
  ALPNCallback: supported('tls.createServer', 'server'),
  ALPNProtocols: supported('tls.createServer', 'server'),
  SNICallback: supported('tls.createServer', 'server'),
  enableTrace: supported('tls.createServer', 'server', (v) => (v ? 'OpenSSL protocol traces (SSL_trace) do not exist here; use the `keylog` event or `closedByServer` for diagnostics' : undefined)),
  handshakeTimeout: supported('tls.createServer', 'server'),
  pskCallback: supported('tls.createServer', 'server'),
  pskIdentityHint: supported('tls.createServer', 'server'),
  rejectUnauthorized: supported('tls.createServer', 'context'),
  requestCert: supported('tls.createServer', 'context'),
  sessionTimeout: supported('tls.createServer', 'context'),
  ticketKeys: supported('tls.createServer', 'context'),
  // ---- tls.createSecureContext -----------------------------------------------------------------
  allowPartialTrustChain: refused('tls.createSecureContext', 'context', 'client chains are verified up to a self-signed trust anchor in `ca`; partial chains (an intermediate as anchor) are not accepted'),
  ca: supported('tls.createSecureContext', 'context'),
  cert: supported('tls.createSecureContext', 'context'),
  ciphers: supported('tls.createSecureContext', 'context'),
  clientCertEngine: refused('tls.createSecureContext', 'context', ENGINES),
  crl: refused('tls.createSecureContext', 'context', 'certificate revocation lists are not checked (client chains are verified without revocation); refused rather than ignored'),
  dhparam: refused('tls.createSecureContext', 'context', 'puretls serves no finite-field DHE suite (ECDHE only), so there are no DH parameters to set'),
  ecdhCurve: supported('tls.createSecureContext', 'context'),
  honorCipherOrder: supported('tls.createSecureContext', 'context'),
  key: supported('tls.createSecureContext', 'context'),
  maxVersion: supported('tls.createSecureContext', 'context'),
  minVersion: supported('tls.createSecureContext', 'context'),
  passphrase: supported('tls.createSecureContext', 'context'),
  pfx: supported('tls.createSecureContext', 'context'),
  privateKeyEngine: refused('tls.createSecureContext', 'context', ENGINES),
  privateKeyIdentifier: refused('tls.createSecureContext', 'context', ENGINES),
  secureOptions: supported('tls.createSecureContext', 'context'),
  secureProtocol: supported('tls.createSecureContext', 'context'),
  sessionIdContext: supported('tls.createSecureContext', 'context'),
  sigalgs: refused('tls.createSecureContext', 'context', 'signature algorithms are chosen from the certificate key and the client\u2019s list; an OpenSSL sigalgs list is not supported'),
  // ---- net.createServer ------------------------------------------------------------------------
  allowHalfOpen: supported('net.createServer', 'server'),
  highWaterMark: supported('net.createServer', 'server'),
  keepAlive: supported('net.createServer', 'server'),
  keepAliveInitialDelay: supported('net.createServer', 'server'),
  noDelay: supported('net.createServer', 'server'),
  pauseOnConnect: supported('net.createServer', 'server'),
  // ---- EventEmitter ----------------------------------------------------------------------------
  captureRejections: supported('EventEmitter', 'server'),
  // ---- tls.TLSSocket (not options of tls.createServer: named so that passing one is not silent) -
  isServer: refused('tls.TLSSocket', 'server', 'a tls.TLSSocket option; every socket of createServer() is a server socket'),
  requestOCSP: refused('tls.TLSSocket', 'server', 'a client option (OCSP stapling requested by a client); servers answer OCSP through the `OCSPRequest` event'),
  secureContext: refused('tls.TLSSocket', 'server', 'a tls.TLSSocket option; give the context options to createServer(), or answer an SNICallback with createSecureContext()'),
  server: refused('tls.TLSSocket', 'server', 'a tls.TLSSocket option; the server is the one createServer() returns'),
  session: refused('tls.TLSSocket', 'server', 'a client option (the session to resume)'),
  // ---- puretls: the Node adapter (alpnProtocols: the server's, for all its contexts) -------------
  alpnProtocols: supported('puretls', 'server'),
  context: supported('puretls', 'server'),
  idleTimeout: supported('puretls', 'server'),
  keyLog: supported('puretls', 'server'),
  maxBufferedBytes: supported('puretls', 'server'),
  maxConcurrentHandshakes: supported('puretls', 'server'),
  sniTimeout: supported('puretls', 'server'),
});

/**
 * Checks every own property of `options` against {@link KNOWN_OPTIONS}: unknown names, refused
 * options and refused values throw a `TypeError` naming `where.name` (Node's code
 * `ERR_INVALID_ARG_VALUE`). `scope` `'context'` also refuses server-only options.
 * @throws TypeError for an unknown, refused or out-of-scope option.
 */
export function checkKnownOptions(options: object, scope: OptionScope, where: string): void {
  for (const name of Object.keys(options)) {
    const value = (options as Record<string, unknown>)[name];
    const row = Object.hasOwn(KNOWN_OPTIONS, name) ? KNOWN_OPTIONS[name] : undefined;
    if (row === undefined) throw optionError(`${where}.${name}: unknown option${suggestion(name)}; puretls refuses options it does not know rather than ignore them`);
    if (value === undefined || value === null) continue;
    if (row.status !== 'supported') throw optionError(`${where}.${name}: not supported: ${row.why!}`);
    if (scope === 'context' && row.scope === 'server') throw optionError(`${where}.${name}: a server option (createServer), not an option of a secure context`);
    const bad = row.refuseValue?.(value);
    if (bad !== undefined) throw optionError(`${where}.${name}: ${JSON.stringify(value)} is not supported: ${bad}`);
  }
}

function optionError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_INVALID_ARG_VALUE' });
}

/** ` (did you mean "x"?)` for a name one edit (or a case change) away from a known one. */
function suggestion(name: string): string {
  const lower = name.toLowerCase();
  const names = Object.keys(KNOWN_OPTIONS);
  const near = names.find((k) => editDistanceAtMostOne(k, name)) ?? names.find((k) => k.toLowerCase() === lower);
  return near ? ` (did you mean ${JSON.stringify(near)}?)` : '';
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (a.length < b.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
