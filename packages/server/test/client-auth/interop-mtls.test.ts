/**
 * Client certificates from real clients — `openssl s_client -cert/-key`, Node `tls.connect({ cert,
 * key })`, `curl --cert/--key`, `gnutls-cli --x509certfile/--x509keyfile` — against puretls's
 * `createServer({ requestCert, rejectUnauthorized, ca })` (both crypto providers) and, for every
 * scenario, against Node's own `tls.createServer` with the same options: `authorized`,
 * `authorizationError`, `getPeerCertificate()` / `getPeerCertificate(true)` and
 * `getPeerX509Certificate()` must be Node's. Refusals are compared with what OpenSSL's server
 * sends (`openssl s_server -Verify -verify_return_error`), which is where puretls and Node differ:
 * Node completes the handshake and then destroys the socket without an alert.
 *
 * The tools come from `scripts/setup.sh` (run by `pnpm test`); a missing one fails the file naming it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AlertDescription } from '@puretls/record-layer';
import { ClientPki, type ChainFixture, type ClientKind } from '@puretls/test-support/client-pki';
import { opensslServerAlert } from '@puretls/test-support/pki';
import {
  curlClient,
  gnutlsClient,
  nodeClient,
  sClient,
  startCertificateVerifyCorrupter,
  startMtlsServer,
  type MtlsServer,
  type MtlsServerOptions,
  type SClientVersion,
  type ServerKind,
  type ServerOutcome,
} from '@puretls/test-support/mtls-interop';
import { requireTool } from '@puretls/test-support/tools';

// Each test runs real clients against two or three servers, one after the other.
vi.setConfig({ testTimeout: 120_000 });

const pki = new ClientPki();
const VERSIONS: SClientVersion[] = ['-tls1_3', '-tls1_2'];
const PURE: ServerKind[] = ['puretls-noble', 'puretls-node'];

beforeAll(() => {
  requireTool('openssl', ['version'], 'openssl');
  requireTool('curl', ['--version'], 'curl');
  requireTool('gnutls-cli', ['--version'], 'gnutls-bin');
});
afterAll(() => pki.close());

/** The server options every scenario shares: the test CA's server certificate, requestCert, ca. */
function serverOptions(extra: Partial<MtlsServerOptions> = {}): MtlsServerOptions {
  const s = pki.server();
  return { key: s.keyPem, cert: s.chainPem, ca: pki.caPem, requestCert: true, ...extra };
}

/** Runs `connect` against a fresh server of `kind`; returns what the server saw and what the client got. */
async function against<C>(kind: ServerKind, options: MtlsServerOptions, connect: (port: number) => Promise<C>): Promise<{ server: ServerOutcome; client: C }> {
  const server: MtlsServer = await startMtlsServer(kind, options);
  try {
    const [client, outcome] = await Promise.all([connect(server.port), server.next()]);
    return { server: outcome, client };
  } finally {
    await server.close();
  }
}

/** The accessors of a secured connection, as Node's API shows them (what must match between servers). */
function accessors(o: ServerOutcome) {
  expect(o.kind, o.kind === 'clientError' ? `${o.code}: ${o.message}` : '').toBe('secure');
  if (o.kind !== 'secure') throw new Error('not secure');
  const { authorized, authorizationError, detailed, plain, x509Fingerprint } = o;
  return { authorized, authorizationError, detailed, plain, x509Fingerprint };
}

describe('openssl s_client -cert/-key: both versions, ECDSA and RSA, both providers, and Node', () => {
  describe.each(VERSIONS)('%s', (version) => {
    it.each(['p256', 'rsa', 'intermediate'] as ClientKind[])('a %s client certificate: authorized, and every accessor as Node’s', async (kind) => {
      const f = pki.client(kind);
      const node = await against('node', serverOptions(), (port) => sClient(port, version, f));
      expect(node.client.answered, node.client.out).toBe(true);
      const expected = accessors(node.server);
      expect(expected.authorized).toBe(true);
      for (const pure of PURE) {
        const ours = await against(pure, serverOptions(), (port) => sClient(port, version, f));
        expect(ours.client.answered, ours.client.out).toBe(true);
        expect(ours.server).toMatchObject({ protocol: version === '-tls1_3' ? 'TLSv1.3' : 'TLSv1.2', reused: false });
        expect(accessors(ours.server)).toEqual(expected);
      }
    });

    it.each(['expired', 'selfSigned', 'otherCa', 'serverAuthOnly', 'notYetValid'] as ClientKind[])(
      'rejectUnauthorized: false, a %s chain: connected unauthorized, the same authorizationError and peer certificate as Node',
      async (kind) => {
        const f = pki.client(kind);
        const node = await against('node', serverOptions({ rejectUnauthorized: false }), (port) => sClient(port, version, f));
        const expected = accessors(node.server);
        expect(expected.authorized).toBe(false);
        const ours = await against('puretls-noble', serverOptions({ rejectUnauthorized: false }), (port) => sClient(port, version, f));
        expect(ours.client.answered).toBe(true);
        expect(accessors(ours.server)).toEqual(expected);
      },
    );

    it('rejectUnauthorized: false, no certificate: unauthorized with UNABLE_TO_GET_ISSUER_CERT, peer certificate {} (as Node)', async () => {
      const node = await against('node', serverOptions({ rejectUnauthorized: false }), (port) => sClient(port, version, undefined));
      const ours = await against('puretls-noble', serverOptions({ rejectUnauthorized: false }), (port) => sClient(port, version, undefined));
      expect(accessors(node.server)).toMatchObject({ authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT', detailed: {}, plain: {}, x509Fingerprint: undefined });
      expect(accessors(ours.server)).toEqual(accessors(node.server));
    });

    it('no certificate with rejectUnauthorized (the default): the alert Node’s OpenSSL sends (certificate_required / handshake_failure)', async () => {
      const node = await against('node', serverOptions(), (port) => sClient(port, version, undefined));
      const ours = await against('puretls-noble', serverOptions(), (port) => sClient(port, version, undefined));
      const alert = AlertDescription[version === '-tls1_3' ? 'certificate_required' : 'handshake_failure'];
      expect(node.client.alert).toBe(alert);
      expect(ours.client.alert, ours.client.out).toBe(alert);
      expect(node.server).toMatchObject({ kind: 'clientError', code: 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE' });
      expect(ours.server).toMatchObject({ kind: 'clientError', code: version === '-tls1_3' ? 'ERR_TLS_CLIENT_CERTIFICATE_REQUIRED' : 'ERR_TLS_NO_CLIENT_CERTIFICATE' });
      expect(ours.client.answered || node.client.answered).toBe(false);
    });

    it.each([
      ['expired', 'certificate_expired', 'ERR_TLS_CLIENT_CERTIFICATE_EXPIRED'],
      ['selfSigned', 'unknown_ca', 'ERR_TLS_CLIENT_CERTIFICATE_UNKNOWN_CA'],
      ['otherCa', 'unknown_ca', 'ERR_TLS_CLIENT_CERTIFICATE_UNKNOWN_CA'],
      ['serverAuthOnly', 'unsupported_certificate', 'ERR_TLS_CLIENT_CERTIFICATE_UNSUPPORTED'],
      ['notYetValid', 'bad_certificate', 'ERR_TLS_CLIENT_CERTIFICATE_BAD'],
    ] as [ClientKind, keyof typeof AlertDescription, string][])(
      'a %s chain with rejectUnauthorized: the alert OpenSSL’s server sends (%s); Node sends none and drops the connection',
      async (kind, alert, code) => {
        const f = pki.client(kind);
        const openssl = await opensslServerAlert(pki.pki, { server: 'server-p256', serverKey: 'server-p256', ca: ['ca'], chain: f.names, key: f.name, version });
        expect(openssl).toBe(AlertDescription[alert]);
        const ours = await against('puretls-noble', serverOptions(), (port) => sClient(port, version, f));
        expect(ours.client.alert, ours.client.out).toBe(openssl);
        expect(ours.server).toMatchObject({ kind: 'clientError', code });
        // Node: the handshake completes, then `destroy()` — no alert, no secureConnection, a reset.
        const node = await against('node', serverOptions(), (port) => sClient(port, version, f));
        expect(node.client.alert).toBeUndefined();
        expect(node.client.answered).toBe(false);
        expect(node.server).toMatchObject({ kind: 'clientError', code: 'ECONNRESET' });
      },
    );
  });

  it('TLS 1.2, a CertificateVerify that does not verify (the wrong key, on the wire): decrypt_error, as Node’s OpenSSL', async () => {
    const f = pki.client('p256');
    for (const kind of ['node', 'puretls-noble', 'puretls-node'] as ServerKind[]) {
      const server = await startMtlsServer(kind, serverOptions({ rejectUnauthorized: false }));
      const relay = await startCertificateVerifyCorrupter(server.port);
      try {
        const [client, outcome] = await Promise.all([sClient(relay.port, '-tls1_2', f), server.next()]);
        expect(relay.corrupted()).toBe(1);
        expect(client.alert, `${kind}: ${client.out}`).toBe(AlertDescription.decrypt_error);
        expect(outcome.kind).toBe('clientError');
        if (kind !== 'node') expect(outcome).toMatchObject({ code: 'ERR_TLS_BAD_CERTIFICATE_VERIFY' });
      } finally {
        await relay.close();
        await server.close();
      }
    }
  });
});

describe('Node tls.connect({ cert, key })', () => {
  it.each(VERSIONS)('%s, ECDSA P-256, P-384, Ed25519 and RSA: authorized, the accessors as Node’s', async (version) => {
    for (const kind of ['p256', 'p384', 'ed25519', 'rsa'] as ClientKind[]) {
      const f = pki.client(kind);
      const node = await against('node', serverOptions(), (port) => nodeClient(port, version, f));
      const ours = await against('puretls-noble', serverOptions(), (port) => nodeClient(port, version, f));
      expect(ours.client.answered, `${kind}: ${String(ours.client.error)}`).toBe(true);
      expect(accessors(node.server).authorized).toBe(true);
      expect(accessors(ours.server)).toEqual(accessors(node.server));
    }
  });

  it.each(VERSIONS)('%s, no certificate, rejectUnauthorized: the client fails with Node’s error for the alert', async (version) => {
    const node = await against('node', serverOptions(), (port) => nodeClient(port, version, undefined));
    const ours = await against('puretls-noble', serverOptions(), (port) => nodeClient(port, version, undefined));
    expect(ours.client.error?.code).toBe(node.client.error?.code);
    expect(ours.client.error?.code).toBe(version === '-tls1_3' ? 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' : 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
  });
});

describe('curl --cert/--key', () => {
  it.each(VERSIONS)('%s: the answer comes; authorized, the accessors as Node’s', async (version) => {
    const f = pki.client('p256');
    const node = await against('node', serverOptions(), (port) => curlClient(port, version, f));
    const ours = await against('puretls-noble', serverOptions(), (port) => curlClient(port, version, f));
    expect(ours.client.code, ours.client.out).toBe(0);
    expect(ours.client.answered).toBe(true);
    expect(accessors(ours.server)).toEqual(accessors(node.server));
    expect(accessors(ours.server).authorized).toBe(true);
  });

  it('without --cert, rejectUnauthorized: curl fails on the certificate_required alert', async () => {
    const ours = await against('puretls-noble', serverOptions(), (port) => curlClient(port, '-tls1_3', undefined));
    expect(ours.client.code).not.toBe(0);
    expect(ours.client.out).toMatch(/alert certificate required/);
  });
});

describe('gnutls-cli --x509certfile/--x509keyfile', () => {
  it.each(VERSIONS)('%s, ECDSA and RSA: authorized, the accessors as Node’s', async (version) => {
    for (const kind of ['p256', 'rsa'] as ClientKind[]) {
      const f: ChainFixture = pki.client(kind);
      const node = await against('node', serverOptions(), (port) => gnutlsClient(port, version, f));
      const ours = await against('puretls-noble', serverOptions(), (port) => gnutlsClient(port, version, f));
      expect(ours.client.answered, ours.client.out).toBe(true);
      expect(accessors(ours.server)).toEqual(accessors(node.server));
      expect(accessors(ours.server).authorized).toBe(true);
    }
  });
});
