/**
 * Node's `ciphers` option read as Node and OpenSSL read it, over the suites puretls serves.
 *
 * Node (`lib/internal/tls/secure-context.js` `processCiphers`) splits the string on `:`: entries
 * starting with `TLS_` (or `!TLS_`) go to OpenSSL's TLS 1.3 list (`SSL_CTX_set_ciphersuites`),
 * the rest to the TLS ≤ 1.2 cipher string (`SSL_CTX_set_cipher_list`). So a TLS 1.2-only list
 * leaves the TLS 1.3 suites at OpenSSL's default, and a list of TLS 1.3 names only turns TLS 1.2
 * off (Node raises the minimum version to TLSv1.3).
 *
 * The TLS 1.2 string follows OpenSSL's rules (ssl/ssl_ciph.c `ssl_cipher_process_rulestr`):
 * elements separated by `:`, `,`, `;` or spaces; an element is a suite name or an alias, or
 * several aliases joined by `+` (all must match); prefixed by `!` (remove for good), `-` (remove,
 * may be added again), `+` (move to the end) or nothing (append what is not there yet, in
 * OpenSSL's order); `@STRENGTH` sorts by key length; `@SECLEVEL=n`; `DEFAULT` only first. The
 * list is kept as OpenSSL keeps it (one list of every suite with an active flag) restricted to
 * puretls's seven (the ECDHE-PSK one included), which gives the same order OpenSSL would (checked against `openssl ciphers`).
 *
 * Where puretls is stricter: a name or alias that OpenSSL does not know either is an error (OpenSSL
 * ignores it when something else matches), so is a syntax we do not support (`@SECLEVEL=3` and
 * up, the Suite B aliases), and so is a TLS 1.2 list that enables none of puretls's suites (OpenSSL
 * would serve e.g. DHE there).
 */
import { SUITES, type SuiteInfo } from '@puretls/handshake-state-machine';
import { OPENSSL_EMPTY_ALIASES, OPENSSL_OTHER_SUITES } from './openssl-cipher-names';

/** OpenSSL 3's default TLS 1.3 list (`TLS_DEFAULT_CIPHERSUITES`), what stays when `ciphers` names no TLS 1.3 suite. */
export const OPENSSL_DEFAULT_CIPHERSUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

/** The suites a `ciphers` string enables. */
export interface CipherSelection {
  /** TLS 1.3 suites in preference order (OpenSSL's default list when the string names none). */
  readonly tls13: readonly SuiteInfo[];
  /** TLS 1.2 suites in preference order (empty when the string named only TLS 1.3 suites). */
  readonly tls12: readonly SuiteInfo[];
  /** The string named only TLS 1.3 suites: Node raises the minimum version to TLSv1.3. */
  readonly tls13Only: boolean;
}

/** Largest security level accepted in `@SECLEVEL=n`: puretls's suites and key minimums already meet 0..2. */
const MAX_SECLEVEL = 2;

const TLS13 = SUITES.filter((s) => s.version === 0x0304);
const TLS12 = SUITES.filter((s) => s.version === 0x0303);
/** OpenSSL 3's order of puretls's TLS 1.2 suites (`openssl ciphers -s -tls1_2 ALL`). */
const OPENSSL_ORDER: readonly SuiteInfo[] = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-PSK-CHACHA20-POLY1305',
].map((n) => TLS12.find((s) => s.opensslName === n)!);

/** ECDHE with a certificate (OpenSSL's kECDHE), not ECDHE_PSK (kECDHEPSK). */
const certEcdhe = (s: SuiteInfo): boolean => s.auth !== 'psk';
/** OpenSSL aliases that match some of puretls's suites (ssl/ssl_ciph.c `cipher_aliases`; checked with `openssl ciphers -psk`). */
const ALIASES: Readonly<Record<string, (s: SuiteInfo) => boolean>> = {
  ALL: () => true,
  HIGH: () => true,
  'TLSv1.2': () => true,
  kEECDH: certEcdhe,
  kECDHE: certEcdhe,
  ECDH: certEcdhe,
  ECDHE: certEcdhe,
  EECDH: certEcdhe,
  PSK: (s) => s.auth === 'psk',
  kECDHEPSK: (s) => s.auth === 'psk',
  aPSK: (s) => s.auth === 'psk',
  aRSA: (s) => s.auth === 'rsa',
  aECDSA: (s) => s.auth === 'ecdsa',
  ECDSA: (s) => s.auth === 'ecdsa',
  AES128: (s) => s.aead === 'aes-128-gcm',
  AES256: (s) => s.aead === 'aes-256-gcm',
  AES: (s) => s.aead !== 'chacha20-poly1305',
  AESGCM: (s) => s.aead !== 'chacha20-poly1305',
  FIPS: (s) => s.aead !== 'chacha20-poly1305',
  CHACHA20: (s) => s.aead === 'chacha20-poly1305',
};
const SUITE_B = new Set(['SUITEB128', 'SUITEB128ONLY', 'SUITEB128C2', 'SUITEB192']);

/** `openssl` strength bits, for `@STRENGTH`. */
function strengthBits(s: SuiteInfo): number {
  return s.aead === 'aes-128-gcm' ? 128 : 256;
}

/**
 * Reads a Node `ciphers` string.
 * @throws TypeError (`ERR_INVALID_ARG_TYPE`) when it is not a string; an `Error` with Node's code
 *   `ERR_SSL_NO_CIPHER_MATCH` for an unknown name or alias, or when nothing puretls serves
 *   matches; `ERR_INVALID_ARG_VALUE` (TypeError) for syntax puretls does not support, naming it.
 */
export function parseNodeCiphers(ciphers: unknown, where = 'options.ciphers'): CipherSelection {
  if (typeof ciphers !== 'string') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${where}" property must be of type string. Received ${describe(ciphers)}`);
  const entries = ciphers.split(':').filter((c) => c.length > 0);
  const tls13Entries = entries.filter((c) => c.startsWith('TLS_') || c.startsWith('!TLS_'));
  const listEntries = entries.filter((c) => !c.startsWith('TLS_') && !c.startsWith('!TLS_'));
  // Node: "Specifying empty cipher suites for both TLS1.2 and TLS1.3 is invalid".
  if (entries.length === 0) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `The property '${where}' is invalid. Received ${JSON.stringify(ciphers)}`);
  const tls13 = tls13Entries.length > 0 ? parseCiphersuites(tls13Entries, where) : parseCiphersuites(OPENSSL_DEFAULT_CIPHERSUITES.split(':'), where);
  const tls12 = listEntries.length > 0 ? parseCipherList(listEntries.join(':'), where) : [];
  return { tls13, tls12, tls13Only: listEntries.length === 0 };
}

/** OpenSSL's TLS 1.3 list: exact standard names (case-sensitive, as OpenSSL compares them). */
function parseCiphersuites(names: readonly string[], where: string): SuiteInfo[] {
  const out: SuiteInfo[] = [];
  for (const name of names) {
    if (name.startsWith('!')) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${where}: ${JSON.stringify(name)}: OpenSSL's TLS 1.3 list (every TLS_ name) has no "!" syntax; list the TLS 1.3 suites to enable`);
    const suite = TLS13.find((s) => s.name === name);
    if (suite === undefined) {
      const tls12 = TLS12.find((s) => s.name === name);
      if (tls12) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${where}: ${name} is the IANA name of a TLS 1.2 suite; Node passes every TLS_ name to OpenSSL's TLS 1.3 list — write its OpenSSL name ${tls12.opensslName}`);
      throw noCipherMatch(`${where}: unknown TLS 1.3 cipher suite ${JSON.stringify(name)}; puretls serves ${TLS13.map((s) => s.name).join(', ')}`);
    }
    if (!out.includes(suite)) out.push(suite);
  }
  return out;
}

interface Entry {
  readonly suite: SuiteInfo;
  active: boolean;
}

/** OpenSSL's TLS ≤ 1.2 cipher string over puretls's suites. */
function parseCipherList(rules: string, where: string): SuiteInfo[] {
  // The list of every suite (inactive) in OpenSSL's order; rules move entries and flip `active`.
  let list: Entry[] = OPENSSL_ORDER.map((suite) => ({ suite, active: false }));
  const elements = rules.split(/[:, ;]+/).filter((e) => e.length > 0);
  for (const [i, element] of elements.entries()) {
    if (element === 'DEFAULT') {
      if (i !== 0) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${where}: "DEFAULT" only works as the first element of an OpenSSL cipher string`);
      // OpenSSL 3: DEFAULT = ALL:!COMPLEMENTOFDEFAULT:!eNULL, every puretls suite.
      list = apply(list, 'add', () => true);
      continue;
    }
    if (element.startsWith('@')) {
      special(element, where, (sorted) => (list = sorted(list)));
      continue;
    }
    const op = element[0] === '!' ? 'kill' : element[0] === '-' ? 'del' : element[0] === '+' ? 'ord' : 'add';
    const body = op === 'add' ? element : element.slice(1);
    if (op === 'add') refuseOtherPsk(body, where);
    list = apply(list, op, matcher(body, where));
  }
  const enabled = list.filter((e) => e.active).map((e) => e.suite);
  if (enabled.length === 0) {
    throw noCipherMatch(`${where}: ${JSON.stringify(rules)} enables no TLS 1.2 suite puretls serves (${TLS12.map((s) => s.opensslName).join(', ')})`);
  }
  return enabled;
}

/** One rule over the list, as OpenSSL's `ssl_cipher_apply_rule`. */
function apply(list: Entry[], op: 'add' | 'del' | 'kill' | 'ord', match: (s: SuiteInfo) => boolean): Entry[] {
  switch (op) {
    case 'add': {
      // Inactive matches are appended (in list order) and activated.
      const moved = list.filter((e) => !e.active && match(e.suite));
      for (const e of moved) e.active = true;
      return [...list.filter((e) => !moved.includes(e)), ...moved];
    }
    case 'ord': {
      const moved = list.filter((e) => e.active && match(e.suite));
      return [...list.filter((e) => !moved.includes(e)), ...moved];
    }
    case 'del': {
      // Deleted suites go to the head (most recently deleted first), so a later add restores them first.
      const moved = list.filter((e) => e.active && match(e.suite));
      for (const e of moved) e.active = false;
      return [...moved, ...list.filter((e) => !moved.includes(e))];
    }
    case 'kill':
      return list.filter((e) => !match(e.suite));
  }
}

/** `@STRENGTH`, `@SECLEVEL=n`. */
function special(element: string, where: string, update: (sorted: (l: Entry[]) => Entry[]) => void): void {
  if (element === '@STRENGTH') {
    // A stable sort by strength bits, strongest first (OpenSSL's ssl_cipher_strength_sort).
    update((l) => [...l].sort((a, b) => strengthBits(b.suite) - strengthBits(a.suite)));
    return;
  }
  const m = /^@SECLEVEL=(\d)$/.exec(element);
  if (m) {
    const level = Number(m[1]);
    if (level > MAX_SECLEVEL) {
      throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${where}: ${element} is not supported: levels 3 and up also change key sizes, versions and session tickets; puretls's suites and key minimums meet levels 0 to ${MAX_SECLEVEL}`);
    }
    return;
  }
  throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${where}: ${JSON.stringify(element)} is not supported (only @STRENGTH and @SECLEVEL=0..${MAX_SECLEVEL})`);
}

/** PSK key exchanges puretls does not serve: plain PSK, DHE_PSK, RSA_PSK (no ECDHE, or no forward secrecy). */
const OTHER_PSK_ALIASES = new Set(['kPSK', 'kDHEPSK', 'kRSAPSK']);

/**
 * A PSK suite other than ECDHE-PSK-CHACHA20-POLY1305 (or an alias of only such suites) named to be
 * enabled is refused by name: OpenSSL would serve it, puretls serves ECDHE + AEAD only.
 * @throws TypeError (`ERR_INVALID_ARG_VALUE`) naming it.
 */
function refuseOtherPsk(body: string, where: string): void {
  for (const p of body.split('+')) {
    if (OTHER_PSK_ALIASES.has(p) || (OPENSSL_OTHER_SUITES.has(p) && /(^|-)PSK-/.test(p))) {
      throw codeError(
        TypeError,
        'ERR_INVALID_ARG_VALUE',
        `${where}: ${p} is not supported: among the PSK suites puretls serves only ECDHE-PSK-CHACHA20-POLY1305 (ECDHE_PSK with an AEAD, RFC 5489 / RFC 7905); plain PSK, DHE-PSK and RSA-PSK suites are refused`,
      );
    }
  }
}

/** The suites an element body (`NAME`, `ALIAS`, or `A+B+…`) selects. */
function matcher(body: string, where: string): (s: SuiteInfo) => boolean {
  const parts = body.split('+');
  if (parts.some((p) => p.length === 0)) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${where}: malformed element ${JSON.stringify(body)}`);
  const tests = parts.map((p): ((s: SuiteInfo) => boolean) => {
    const ours = TLS12.find((s) => s.opensslName === p);
    if (ours) return (s) => s === ours;
    if (Object.hasOwn(ALIASES, p)) return ALIASES[p]!;
    if (OPENSSL_OTHER_SUITES.has(p) || OPENSSL_EMPTY_ALIASES.has(p)) return () => false;
    if (SUITE_B.has(p)) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${where}: ${p} is not supported (Suite B mode also restricts curves and signature algorithms)`);
    if (p.startsWith('TLS_')) throw codeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${where}: ${JSON.stringify(p)}: TLS 1.3 names stand alone between ":" (Node passes them to OpenSSL's TLS 1.3 list)`);
    throw noCipherMatch(`${where}: unknown cipher suite or alias ${JSON.stringify(p)} (OpenSSL would ignore it; puretls refuses it)`);
  });
  return (s) => tests.every((t) => t(s));
}

function noCipherMatch(message: string): Error {
  // Node's error for a cipher string OpenSSL cannot use: error:0A0000B9:SSL routines::no cipher match.
  return Object.assign(new Error(`no cipher match: ${message}`), { code: 'ERR_SSL_NO_CIPHER_MATCH', library: 'SSL routines', reason: 'no cipher match' });
}

function codeError(Ctor: TypeErrorConstructor, code: string, message: string): TypeError {
  return Object.assign(new Ctor(message), { code });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an instance of ${(v as object).constructor?.name ?? 'Object'}`;
  return `type ${typeof v} (${String(v)})`;
}
