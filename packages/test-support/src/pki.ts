/**
 * Test PKI made with the `openssl` CLI at test time (keys with `genpkey`, certificates with
 * `openssl ca`, so every date, extension, digest and padding is chosen explicitly), and the two
 * oracles every verification test compares with: `openssl verify` (OpenSSL 3.0) and a real
 * Node `tls` server with `requestCert` that a Node client presents the chain to.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type KeyType = 'p256' | 'p384' | 'rsa' | 'rsa1024' | 'ed25519';

export interface IssueOptions {
  /** `-subj`, e.g. `/CN=leaf/O=Example`. */
  readonly subject: string;
  /** Name of a key made with {@link Pki.key}. */
  readonly key: string;
  /** Name of the issuing certificate; omitted: self-signed. */
  readonly issuer?: string;
  /** Extension lines (an `openssl` extfile, `[section]`s allowed). */
  readonly ext?: string;
  /** Validity, `YYYYMMDDHHMMSSZ`. Default: a day ago to 30 days ahead. */
  readonly start?: string;
  readonly end?: string;
  /** `-md` (default: SHA-256; ignored for Ed25519). */
  readonly md?: string;
  /** `-sigopt` values, e.g. `rsa_padding_mode:pss`. */
  readonly sigopt?: readonly string[];
  /** Serial number, hex (default: the next one of the CA database). */
  readonly serial?: string;
  /** A config for `openssl req` (e.g. `string_mask = default`, which makes BMPStrings of non-Latin-1 names). */
  readonly reqConfig?: string;
}

const CA_CNF = `[ca]
default_ca = d
[d]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = p
unique_subject = no
copy_extensions = none
default_days = 30
[p]
commonName = optional
`;

/** `YYYYMMDDHHMMSSZ` of a time in milliseconds. */
export function asn1Time(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z');
}

export class Pki {
  readonly dir: string;
  private readonly keyTypes = new Map<string, KeyType>();

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'puretls-pki-'));
    mkdirSync(join(this.dir, 'newcerts'));
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'serial'), '1000\n');
    writeFileSync(join(this.dir, 'ca.cnf'), CA_CNF);
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  openssl(args: readonly string[], input?: string): string {
    return execFileSync('openssl', args, { cwd: this.dir, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  /** Makes key `name` (reused if it exists). */
  key(name: string, type: KeyType): string {
    if (!this.keyTypes.has(name)) {
      const args =
        type === 'rsa' || type === 'rsa1024'
          ? ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${type === 'rsa' ? 2048 : 1024}`]
          : type === 'ed25519'
            ? ['-algorithm', 'ED25519']
            : ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${type === 'p256' ? 'P-256' : 'P-384'}`];
      this.openssl(['genpkey', ...args, '-out', `${name}.key`]);
      this.keyTypes.set(name, type);
    }
    return this.keyPem(name);
  }

  keyPem(name: string): string {
    return readFileSync(this.path(`${name}.key`), 'utf8');
  }

  /** Issues certificate `name` (written to `name.pem`); returns its PEM. */
  issue(name: string, o: IssueOptions): string {
    const now = Date.now();
    if (o.serial !== undefined) writeFileSync(this.path('serial'), `${o.serial}\n`);
    if (o.reqConfig !== undefined) writeFileSync(this.path(`${name}.req.cnf`), o.reqConfig);
    this.openssl(['req', '-new', ...(o.reqConfig !== undefined ? ['-config', `${name}.req.cnf`] : []), '-key', `${o.key}.key`, '-subj', o.subject, '-utf8', '-multivalue-rdn', '-out', `${name}.csr`]);
    writeFileSync(this.path(`${name}.ext`), o.ext ?? 'basicConstraints=CA:FALSE\n');
    const ed = this.keyTypes.get(o.issuer === undefined ? o.key : this.issuerKey(o.issuer)) === 'ed25519';
    const args = [
      'ca', '-batch', '-config', 'ca.cnf', '-notext', '-preserveDN', '-utf8', '-multivalue-rdn',
      '-in', `${name}.csr`, '-extfile', `${name}.ext`, '-out', `${name}.pem`,
      '-startdate', o.start ?? asn1Time(now - 86_400_000), '-enddate', o.end ?? asn1Time(now + 30 * 86_400_000),
      ...(ed ? [] : ['-md', o.md ?? 'sha256']),
      ...(o.sigopt ?? []).flatMap((s) => ['-sigopt', s]),
    ];
    if (o.issuer === undefined) args.push('-selfsign', '-keyfile', `${o.key}.key`);
    else args.push('-cert', `${o.issuer}.pem`, '-keyfile', `${this.issuerKey(o.issuer)}.key`);
    this.openssl(args);
    this.issuerKeys.set(name, o.key);
    return this.pem(name);
  }

  private readonly issuerKeys = new Map<string, string>();
  private issuerKey(cert: string): string {
    const k = this.issuerKeys.get(cert);
    if (k === undefined) throw new Error(`unknown certificate ${cert}`);
    return k;
  }

  pem(name: string): string {
    return readFileSync(this.path(`${name}.pem`), 'utf8');
  }

  der(name: string): Uint8Array {
    return new Uint8Array(execFileSync('openssl', ['x509', '-in', `${name}.pem`, '-outform', 'DER'], { cwd: this.dir }));
  }

  /** Writes `pem` as `name.pem` (a certificate made by hand, e.g. with a flipped byte). */
  write(name: string, pem: string, keyOf?: string): void {
    writeFileSync(this.path(`${name}.pem`), pem);
    if (keyOf !== undefined) this.issuerKeys.set(name, keyOf);
  }

  /** Concatenated PEM of several certificates (a bundle file's content). */
  bundle(names: readonly string[]): string {
    return names.map((n) => this.pem(n)).join('');
  }
}

/** One error line of `openssl verify`. */
export interface OpensslError {
  readonly number: number;
  readonly depth: number;
  readonly message: string;
}

/**
 * `openssl verify -purpose sslclient -auth_level 1` (Node's default security level) at
 * `at` (ms): every error it prints, in order, and whether it said OK.
 */
export function opensslVerify(
  pki: Pki,
  o: { leaf: string; untrusted?: readonly string[]; ca: readonly string[]; at: number; purpose?: 'sslclient' | 'sslserver'; depth?: number },
): { ok: boolean; errors: OpensslError[] } {
  writeFileSync(pki.path('verify-ca.pem'), pki.bundle(o.ca));
  const args = ['verify', '-purpose', o.purpose ?? 'sslclient', '-auth_level', '1', '-attime', String(Math.floor(o.at / 1000)), '-CAfile', 'verify-ca.pem'];
  if (o.untrusted && o.untrusted.length > 0) {
    writeFileSync(pki.path('verify-untrusted.pem'), pki.bundle(o.untrusted));
    args.push('-untrusted', 'verify-untrusted.pem');
  }
  if (o.depth !== undefined) args.push('-verify_depth', String(o.depth));
  args.push(`${o.leaf}.pem`);
  let out: string;
  let ok = true;
  try {
    out = execFileSync('openssl', args, { cwd: pki.dir, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stdout: string; stderr: string };
    out = err.stdout + err.stderr;
    ok = false;
  }
  const errors = [...out.matchAll(/error (\d+) at (\d+) depth lookup: (.*)/g)].map((m) => ({ number: Number(m[1]), depth: Number(m[2]), message: m[3]!.trim() }));
  return { ok: ok && errors.length === 0, errors };
}

/**
 * Errors after which `openssl verify`'s callback carries on (apps/verify.c `cb`); at any other
 * error it stops, so it prints a prefix of what OpenSSL's verifier finds.
 */
const OPENSSL_VERIFY_CONTINUES = new Set([10, 18, 79, 37, 25, 12, 11, 34, 26, 43]);

/** The part of a full error list `openssl verify` prints: up to and including the first error it stops at. */
export function opensslPrefix<T extends { number: number }>(errors: readonly T[]): T[] {
  const stop = errors.findIndex((e) => !OPENSSL_VERIFY_CONTINUES.has(e.number));
  return stop < 0 ? [...errors] : errors.slice(0, stop + 1);
}

export interface NodeAuthorization {
  readonly authorized: boolean;
  readonly authorizationError: string | null;
  readonly peer: tls.DetailedPeerCertificate;
}

/**
 * What a Node `tls` server with `requestCert: true, rejectUnauthorized: false, ca` makes of a
 * Node client presenting `chain` (PEM, leaf first) with `key`.
 */
export function nodeAuthorization(o: {
  server: { key: string; cert: string };
  ca: string;
  chain?: string;
  key?: string;
  client?: tls.ConnectionOptions;
}): Promise<NodeAuthorization> {
  return new Promise((resolve, reject) => {
    const server = tls.createServer({ ...o.server, ca: o.ca, requestCert: true, rejectUnauthorized: false }, (s) => {
      const result = { authorized: s.authorized, authorizationError: s.authorizationError == null ? null : String(s.authorizationError), peer: s.getPeerCertificate(true) };
      s.end();
      server.close();
      resolve(result);
    });
    server.on('tlsClientError', (e) => {
      server.close();
      reject(e);
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      const c = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...(o.chain ? { cert: o.chain, key: o.key } : {}), ...o.client });
      c.on('error', () => undefined);
      c.on('data', () => undefined);
      c.on('end', () => c.destroy());
    });
  });
}

/**
 * The alert an `openssl s_server -Verify -verify_return_error` sends when `openssl s_client`
 * presents `chain` (TLS 1.3 unless `version` says `-tls1_2`; an empty chain presents none): the
 * number from the client's "SSL alert number N".
 */
export async function opensslServerAlert(
  pki: Pki,
  o: { server: string; serverKey: string; ca: readonly string[]; chain: readonly string[]; key: string; version?: '-tls1_3' | '-tls1_2' },
): Promise<number | undefined> {
  writeFileSync(pki.path('alert-ca.pem'), pki.bundle(o.ca));
  if (o.chain.length > 0) writeFileSync(pki.path('alert-leaf.pem'), pki.pem(o.chain[0]!));
  writeFileSync(pki.path('alert-chain.pem'), pki.bundle(o.chain.slice(1)));
  const server = spawn('openssl', ['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', '-Verify', '9', '-verify_return_error', '-CAfile', 'alert-ca.pem', '-cert', `${o.server}.pem`, '-key', `${o.serverKey}.key`], { cwd: pki.dir, stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let text = '';
      server.stdout.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /ACCEPT .*:(\d+)/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      server.on('exit', () => reject(new Error(`s_server exited: ${text}`)));
    });
    // -ign_eof: with stdin closed, keep reading until the server's alert ends the connection.
    const presented = o.chain.length === 0 ? [] : ['-cert', 'alert-leaf.pem', ...(o.chain.length > 1 ? ['-cert_chain', 'alert-chain.pem'] : []), '-key', `${o.key}.key`];
    const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, o.version ?? '-tls1_3', '-ign_eof', ...presented], { cwd: pki.dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    let out = '';
    client.stdout.on('data', (d: Buffer) => (out += d.toString()));
    client.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => client.on('exit', () => resolve()));
    const m = /SSL alert number (\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } finally {
    server.kill();
  }
}
