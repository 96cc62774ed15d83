/**
 * Test certificates made at test time with `openssl req -x509` into a temp folder (nothing
 * checked in): RSA 2048, ECDSA P-256 and P-384, Ed25519, each self-signed for a given CN.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type CertKind = 'rsa2048' | 'p256' | 'p384' | 'ed25519';

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
  p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  ed25519: ['-newkey', 'ed25519'],
};

/** A temp folder of certificates; `cleanup()` removes it. */
export class CertDir {
  readonly dir = mkdtempSync(join(tmpdir(), 'puretls-certs-'));

  /** A self-signed certificate `CN=cn`, SAN DNS:cn (+ IP:127.0.0.1 when cn is localhost). */
  make(kind: CertKind, cn = 'localhost'): TestCert {
    const base = join(this.dir, `${kind}-${cn}`);
    const san = cn === 'localhost' ? 'subjectAltName=DNS:localhost,IP:127.0.0.1' : `subjectAltName=DNS:${cn}`;
    execFileSync(
      'openssl',
      ['req', '-x509', ...NEWKEY[kind], '-nodes', '-keyout', `${base}.key`, '-out', `${base}.crt`, '-days', '2', '-subj', `/CN=${cn}`, '-addext', san],
      { stdio: 'ignore', timeout: 30_000 },
    );
    return { kind, cn, cert: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8'), certFile: `${base}.crt`, keyFile: `${base}.key` };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
