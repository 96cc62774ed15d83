/**
 * Test certificates made at test time with `openssl` into a temp folder (nothing checked in):
 * RSA 2048, ECDSA P-256 and P-384, Ed25519, each self-signed for a given CN; a root →
 * intermediate → leaf chain; PKCS #12 files; encrypted keys; a certificate with a non-ASCII dNSName.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

export type CertKind = 'rsa2048' | 'rsa1024' | 'p256' | 'p384' | 'ed25519';

/** A root → intermediate → leaf chain (PEM text), the leaf for `cn`. */
export interface TestChain {
  readonly root: TestCert;
  readonly intermediate: TestCert;
  readonly leaf: TestCert;
}

export interface TestCert {
  readonly kind: CertKind;
  readonly cn: string;
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

const NEWKEY: Record<CertKind, string[]> = {
  rsa2048: ['-newkey', 'rsa:2048'],
  rsa1024: ['-newkey', 'rsa:1024'],
  p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ed25519: ['-newkey', 'ed25519'],
};

/** A temp folder of certificates; `cleanup()` removes it. */
export class CertDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'puretls-certs-'));

  /**
   * A self-signed certificate `CN=cn`, SAN DNS:cn (+ IP:127.0.0.1 when cn is localhost), or the
   * `-addext` arguments given instead (`san` may hold non-ASCII bytes: OpenSSL writes them as
   * they are into the IA5String).
   */
  make(kind: CertKind, cn = 'localhost', ext?: readonly string[], san?: string): TestCert {
    const base = join(this.dir, `${kind}-${cn.replace(/[^\w.-]/g, '_')}`);
    const subjectAltName = san ?? (cn === 'localhost' ? 'subjectAltName=DNS:localhost,IP:127.0.0.1' : `subjectAltName=DNS:${cn}`);
    execFileSync(
      'openssl',
      ['req', '-x509', ...NEWKEY[kind], '-nodes', '-keyout', `${base}.key`, '-out', `${base}.crt`, '-days', '2', '-subj', `/CN=${cn}`, ...(ext ?? ['-addext', subjectAltName])],
      { stdio: 'ignore', timeout: 30_000 },
    );
    return { kind, cn, cert: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8'), certFile: `${base}.crt`, keyFile: `${base}.key` };
  }

  /** Root CA → intermediate CA → leaf (`cn`, SAN DNS:cn), all of `kind`, signed with `openssl x509 -req`. */
  chain(kind: CertKind, cn = 'localhost'): TestChain {
    const base = join(this.dir, `chain-${kind}-${cn}`);
    const ca = `${base}-ca.ext`;
    writeFileSync(ca, 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    const root = this.make(kind, `Root ${cn}`, ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    const issue = (name: string, subject: string, issuer: TestCert, ext: string): TestCert => {
      const out = `${base}-${name}`;
      this.openssl(['req', ...NEWKEY[kind], '-nodes', '-keyout', `${out}.key`, '-out', `${out}.csr`, '-subj', `/CN=${subject}`]);
      this.openssl(['x509', '-req', '-in', `${out}.csr`, '-CA', issuer.certFile, '-CAkey', issuer.keyFile, '-set_serial', String(Date.now() % 1e9), '-out', `${out}.crt`, '-days', '2', '-extfile', ext]);
      return { kind, cn: subject, cert: readFileSync(`${out}.crt`, 'utf8'), key: readFileSync(`${out}.key`, 'utf8'), certFile: `${out}.crt`, keyFile: `${out}.key` };
    };
    const intermediate = issue('int', `Intermediate ${cn}`, root, ca);
    const leafExt = `${base}-leaf.ext`;
    writeFileSync(leafExt, `subjectAltName=DNS:${cn}${cn === 'localhost' ? ',IP:127.0.0.1' : ''}\n`);
    const leaf = issue('leaf', cn, intermediate, leafExt);
    return { root, intermediate, leaf };
  }

  /** A PKCS #12 file (`openssl pkcs12 -export`) of `cert`'s key and certificate, plus `extra` certificates. */
  pkcs12(cert: TestCert, passphrase: string, extra: readonly TestCert[] = []): Buffer {
    const out = join(this.dir, `p12-${cert.kind}-${cert.cn.replace(/\W/g, '_')}-${extra.length}.p12`);
    const chain = join(this.dir, `p12-extra-${extra.length}.pem`);
    writeFileSync(chain, extra.map((c) => c.cert).join(''));
    this.openssl(['pkcs12', '-export', '-inkey', cert.keyFile, '-in', cert.certFile, ...(extra.length ? ['-certfile', chain] : []), '-passout', `pass:${passphrase}`, '-out', out]);
    return readFileSync(out);
  }

  /** `cert`'s key as `ENCRYPTED PRIVATE KEY` (PBES2, AES-256-CBC), PEM. */
  encryptedKey(cert: TestCert, passphrase: string): string {
    const out = join(this.dir, `enc-${cert.kind}-${cert.cn.replace(/\W/g, '_')}.key`);
    this.openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', cert.keyFile, '-passout', `pass:${passphrase}`, '-out', out]);
    return readFileSync(out, 'utf8');
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { stdio: 'ignore', timeout: 30_000 });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The usual set-up of a test file that needs one self-signed `localhost` certificate: made in
 * `beforeAll`, its folder removed in `afterAll`. Call at the top level; read `.cert` inside tests.
 */
export function useCert(kind: CertKind): { readonly cert: TestCert } {
  const certs = new CertDir();
  let made: TestCert | undefined;
  beforeAll(() => {
    made = certs.make(kind);
  }, 60_000);
  afterAll(() => certs.cleanup());
  return {
    get cert(): TestCert {
      if (made === undefined) throw new Error(`useCert(${kind}): read the certificate inside a test (it is made in beforeAll)`);
      return made;
    },
  };
}
