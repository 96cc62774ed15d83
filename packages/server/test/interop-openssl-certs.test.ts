/**
 * OpenSSL's `s_client -tls1_3` against `puretls serve` for every certificate type (RSA-2048,
 * ECDSA P-256 and P-384, Ed25519) × every TLS 1.3 suite: the handshake completes, the peer
 * certificate is ours, and the signature scheme is the key's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runTool, startCli, type CliProcess } from '@puretls/test-support/cli-process';
import { CertDir, type CertKind } from '@puretls/test-support/certs';

const REQUEST = 'GET / HTTP/1.0\r\nHost: localhost\r\n\r\n';
const KINDS: [CertKind, string][] = [
  ['rsa2048', 'rsa_pss_rsae_sha256'],
  ['p256', 'ecdsa_secp256r1_sha256'],
  ['p384', 'ecdsa_secp384r1_sha384'],
  ['ed25519', 'ed25519'],
];
const SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

const certs = new CertDir();
const servers = new Map<CertKind, CliProcess>();
let cleanupBundle: () => void = () => {};

beforeAll(async () => {
  const b = await bundleCli();
  cleanupBundle = b.cleanup;
  for (const [kind] of KINDS) {
    const c = certs.make(kind);
    servers.set(kind, await startCli(b.script, ['--www', '--log-level', 'error', '--cert', c.certFile, '--key', c.keyFile]));
  }
}, 120_000);
afterAll(async () => {
  for (const s of servers.values()) await s.stop();
  cleanupBundle();
  certs.cleanup();
});

describe.each(KINDS)('openssl s_client -tls1_3 → puretls serve with a %s certificate', (kind, scheme) => {
  it.each(SUITES)('%s: handshake, our certificate, the key type’s signature scheme', async (suite) => {
    const port = servers.get(kind)!.port;
    const { out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', '-ign_eof', '-tls1_3', '-ciphersuites', suite], { input: REQUEST, ms: 20_000 });
    expect(out).toContain(`New, TLSv1.3, Cipher is ${suite}`);
    expect(out).toMatch(/subject=CN ?= ?localhost/);
    expect(out).toContain(`<td>${scheme}</td>`);
    expect(out).toMatch(/^HTTP\/1\.1 200 OK/m);
  }, 30_000);
});
