/**
 * Client certificates and resumption with real clients: a resumed connection keeps `authorized`,
 * `authorizationError` and the peer certificate (TLS 1.3 stateless and stateful tickets, TLS 1.2
 * RFC 5077 tickets and session ids) — Node `tls.connect({ session })` and `openssl s_client
 * -sess_out/-sess_in` against puretls, and the same against Node's own server, whose accessors
 * after resumption must be the same. And `requestCert` per SNI context: a context chosen by
 * `SNICallback` asks for a certificate with its own `ca`, the default context does not.
 */
import { constants } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ServerContext } from '../../src/index';
import { ClientPki } from '@puretls/test-support/client-pki';
import {
  nodeClient,
  sClient,
  sniFor,
  startMtlsServer,
  type MtlsServer,
  type MtlsServerOptions,
  type SClientVersion,
  type ServerKind,
  type ServerOutcome,
} from '@puretls/test-support/mtls-interop';

vi.setConfig({ testTimeout: 120_000 });

const pki = new ClientPki();
afterAll(() => pki.close());
const VERSIONS: SClientVersion[] = ['-tls1_3', '-tls1_2'];

function serverOptions(extra: Partial<MtlsServerOptions> = {}): MtlsServerOptions {
  const s = pki.server();
  return { key: s.keyPem, cert: s.chainPem, ca: pki.caPem, requestCert: true, ...extra };
}

function secure(o: ServerOutcome) {
  expect(o.kind, o.kind === 'clientError' ? `${o.code}: ${o.message}` : '').toBe('secure');
  if (o.kind !== 'secure') throw new Error('not secure');
  return o;
}
const accessors = (o: ServerOutcome) => {
  const { authorized, authorizationError, detailed, plain, x509Fingerprint } = secure(o);
  return { authorized, authorizationError, detailed, plain, x509Fingerprint };
};

/** Two Node-client connections to one server, the second offering the first's last session. */
async function twice(kind: ServerKind, options: MtlsServerOptions, version: SClientVersion, client = pki.client('p256')): Promise<[ServerOutcome, ServerOutcome]> {
  const server: MtlsServer = await startMtlsServer(kind, options);
  try {
    const [first, o1] = await Promise.all([nodeClient(server.port, version, client), server.next()]);
    expect(first.sessions.length, `${kind}: sessions`).toBeGreaterThan(0);
    const [second, o2] = await Promise.all([nodeClient(server.port, version, client, { session: first.sessions.at(-1)! }), server.next()]);
    expect(second.reused, `${kind}: the client resumed`).toBe(true);
    return [o1, o2];
  } finally {
    await server.close();
  }
}

/** Node's session id cache (its server keeps none without these events; tickets off). */
function nodeSessionIds(server: import('node:tls').Server): void {
  const store = new Map<string, Buffer>();
  server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
    store.set(id.toString('hex'), data);
    cb();
  });
  server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => cb(null, store.get(id.toString('hex')) ?? null));
}

describe('Node tls.connect({ session }): resumed connections keep the client authentication, as on Node’s server', () => {
  it.each([
    ['TLS 1.3 stateless tickets', '-tls1_3', {}],
    ['TLS 1.2 RFC 5077 tickets', '-tls1_2', {}],
    ['TLS 1.2 session ids', '-tls1_2', { pure: { tickets: 'off' }, node: { secureOptions: constants.SSL_OP_NO_TICKET }, setup: nodeSessionIds }],
  ] as [string, SClientVersion, Partial<MtlsServerOptions>][])('%s', async (_what, version, extra) => {
    const [nodeFirst, nodeAgain] = await twice('node', serverOptions(extra), version);
    const [first, again] = await twice('puretls-noble', serverOptions(extra), version);
    expect(secure(again).reused).toBe(true);
    expect(secure(nodeAgain).reused).toBe(true);
    expect(accessors(again)).toEqual(accessors(first));
    expect(accessors(again).authorized).toBe(true);
    expect(accessors(nodeAgain)).toEqual(accessors(nodeFirst));
    expect(accessors(again)).toEqual(accessors(nodeAgain));
  });

  it('TLS 1.3 stateful tickets (puretls): the same', async () => {
    const [first, again] = await twice('puretls-node', serverOptions({ pure: { tickets: 'stateful' } }), '-tls1_3');
    expect(secure(again).reused).toBe(true);
    expect(accessors(again)).toEqual(accessors(first));
  });

  it.each(VERSIONS)('%s, rejectUnauthorized: false, an expired chain: resumed, still unauthorized with CERT_HAS_EXPIRED, as on Node’s server', async (version) => {
    const options = serverOptions({ rejectUnauthorized: false });
    const [, nodeAgain] = await twice('node', options, version, pki.client('expired'));
    const [, again] = await twice('puretls-noble', options, version, pki.client('expired'));
    expect(accessors(again)).toMatchObject({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED' });
    expect(accessors(again)).toEqual(accessors(nodeAgain));
  });
});

describe('where we differ from Node after a resumption', () => {
  it('TLS 1.3, rejectUnauthorized: false, no certificate: Node reports a resumed connection authorized (VerifyPeerCertificate treats any TLS 1.3 resumption as PSK authentication); puretls keeps UNABLE_TO_GET_ISSUER_CERT', async () => {
    const options = serverOptions({ rejectUnauthorized: false });
    const twiceWithout = async (kind: ServerKind) => {
      const server = await startMtlsServer(kind, options);
      try {
        const [first] = await Promise.all([nodeClient(server.port, '-tls1_3', undefined), server.next()]);
        const [, again] = await Promise.all([nodeClient(server.port, '-tls1_3', undefined, { session: first.sessions.at(-1)! }), server.next()]);
        return again;
      } finally {
        await server.close();
      }
    };
    expect(accessors(await twiceWithout('node'))).toMatchObject({ authorized: true, authorizationError: null, plain: {} });
    expect(accessors(await twiceWithout('puretls-noble'))).toMatchObject({ authorized: false, authorizationError: 'UNABLE_TO_GET_ISSUER_CERT', plain: {} });
  });
});

describe('openssl s_client -sess_out/-sess_in', () => {
  it.each([
    ['TLS 1.3 ticket', '-tls1_3', [] as string[], {}],
    ['TLS 1.3 stateful ticket', '-tls1_3', [], { pure: { tickets: 'stateful' } }],
    ['TLS 1.2 ticket', '-tls1_2', [], {}],
    ['TLS 1.2 session id', '-tls1_2', ['-no_ticket'], {}],
  ] as [string, SClientVersion, string[], Partial<MtlsServerOptions>][])('%s: Reused, authorized, the same peer certificate', async (_what, version, extra, options) => {
    const server = await startMtlsServer('puretls-noble', serverOptions(options));
    try {
      const sess = pki.pki.path(`sess-${version}-${extra.join('')}-${Object.keys(options).length}.pem`);
      const f = pki.client('rsa');
      const [one, o1] = await Promise.all([sClient(server.port, version, f, ['-sess_out', sess, ...extra]), server.next()]);
      expect(one.answered, one.out).toBe(true);
      const [two, o2] = await Promise.all([sClient(server.port, version, f, ['-sess_in', sess, ...extra]), server.next()]);
      expect(two.out).toMatch(/^Reused, /m);
      expect(secure(o2).reused).toBe(true);
      expect(accessors(o2)).toEqual(accessors(o1));
      expect(accessors(o2).authorized).toBe(true);
    } finally {
      await server.close();
    }
  });
});

describe('requestCert per SNI context (a puretls extension: Node’s requestCert is per server)', () => {
  it.each(VERSIONS)('%s: the context SNICallback picks asks for a certificate with its own ca; the default context asks none', async (version) => {
    const s = pki.server();
    const mtls = new ServerContext({ certificates: [{ cert: s.chainPem, key: s.keyPem }], requestCert: true, ca: pki.caPem });
    const server = await startMtlsServer('puretls-noble', { key: s.keyPem, cert: s.chainPem, pure: { SNICallback: sniFor('mtls.localhost', mtls) } });
    try {
      const f = pki.client('p256');
      const [, chosen] = await Promise.all([nodeClient(server.port, version, f, { servername: 'mtls.localhost' }), server.next()]);
      expect(accessors(chosen)).toMatchObject({ authorized: true, authorizationError: null });
      expect(secure(chosen).plain).toMatchObject({ subject: { CN: 'p256 client' } });
      const [, plain] = await Promise.all([nodeClient(server.port, version, f, { servername: 'localhost' }), server.next()]);
      expect(accessors(plain)).toEqual({ authorized: false, authorizationError: null, detailed: {}, plain: {}, x509Fingerprint: undefined });
      // The chosen context refuses a client without a certificate (rejectUnauthorized by default).
      const [refused, outcome] = await Promise.all([nodeClient(server.port, version, undefined, { servername: 'mtls.localhost' }), server.next()]);
      expect(refused.answered).toBe(false);
      expect(outcome).toMatchObject({ kind: 'clientError', code: version === '-tls1_3' ? 'ERR_TLS_CLIENT_CERTIFICATE_REQUIRED' : 'ERR_TLS_NO_CLIENT_CERTIFICATE' });
    } finally {
      await server.close();
    }
  });
});
