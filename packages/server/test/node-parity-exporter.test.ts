/**
 * `socket.exportKeyingMaterial(length, label[, context])` (RFC 8446 §7.5, RFC 5705 §4) against
 * Node's own server: on each server the bytes equal what the Node client exports on the same
 * connection (TLS 1.3 and 1.2, with and without a context, both crypto providers), Node's
 * argument errors, and OpenSSL's `s_client -keymatexport` computing the same bytes. The sans-IO
 * `ServerConnection.exportKeyingMaterial` refusals (before the handshake, after close, TLS 1.2
 * without extended master secret) are asserted on the in-memory harness.
 */
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { useCert } from '@puretls/test-support/certs';
import { runTool } from '@puretls/test-support/cli-process';
import { handshake12, makeContext12 } from '@puretls/test-support/harness12';
import { handshake, helloWith } from '@puretls/test-support/harness13';
import { onBothServers, startServer, throwsShape, within, type ParityRun } from '@puretls/test-support/net';

const p256Cert = useCert('p256');

type Version = 'TLSv1.2' | 'TLSv1.3';
type Provider = 'noble' | 'node';

/** The Node client and its server-side socket, on one connection to a server of `run`. */
async function pair(run: ParityRun, version: Version, provider: Provider, extra: tls.ConnectionOptions = {}): Promise<{ client: tls.TLSSocket; server: tls.TLSSocket }> {
  const s = await run.start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert, ...(run.impl === 'puretls' ? { crypto: provider } : {}) }, null);
  const secure = s.nextSecure();
  const client = await within(
    10_000,
    'tls.connect',
    new Promise<tls.TLSSocket>((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port: s.port, rejectUnauthorized: false, minVersion: version, maxVersion: version, ...extra }, () => resolve(c));
      c.once('error', reject);
    }),
  );
  return { client, server: await secure };
}

/** `socket.exportKeyingMaterial` with the context optional, as Node documents it (its types make it required). */
function ekm(s: tls.TLSSocket, length: number, label: string, context?: Buffer): Buffer {
  return (s.exportKeyingMaterial as (length: number, label: string, context?: Buffer) => Buffer).call(s, length, label, context);
}

const CASES: { name: string; length: number; label: string; context?: Buffer }[] = [
  { name: 'no context', length: 20, label: 'EXPERIMENTAL-puretls' },
  { name: 'a context', length: 32, label: 'EXPERIMENTAL-puretls', context: Buffer.from('context bytes') },
  { name: 'an empty context', length: 20, label: 'EXPERIMENTAL-puretls', context: Buffer.alloc(0) },
  { name: 'an empty label, 1 byte', length: 1, label: '' },
  { name: 'a long output', length: 4000, label: 'EXTRACTOR-dtls_srtp' },
];

describe.each(['TLSv1.3', 'TLSv1.2'] as const)('%s', (version) => {
  it.each(['noble', 'node'] as const)('crypto %s: the server exports what the Node client exports, on both servers', async (provider) => {
    const r = await onBothServers(async (run) => {
      const { client, server } = await pair(run, version, provider);
      const out = CASES.map(({ name, length, label, context }) => {
        const ours = ekm(server, length, label, context);
        const theirs = ekm(client, length, label, context);
        return { name, isBuffer: Buffer.isBuffer(ours), length: ours.length, same: ours.equals(theirs) };
      });
      // RFC 8446 §7.5: no context and an empty one are the same in TLS 1.3; RFC 5705 §4 tells them apart.
      const emptyIsNone = ekm(server, 20, 'EXPERIMENTAL-puretls').equals(ekm(server, 20, 'EXPERIMENTAL-puretls', Buffer.alloc(0)));
      client.destroy();
      return { out, emptyIsNone };
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.out.every((c) => c.same && c.isBuffer)).toBe(true);
    expect(r.node.emptyIsNone).toBe(version === 'TLSv1.3');
  });

  it('Node\u2019s errors for bad arguments, on both servers', async () => {
    const bad: [string, (s: tls.TLSSocket) => unknown][] = [
      ['length a string', (s) => ekm(s, '16' as never, 'x')],
      ['length 0', (s) => ekm(s, 0, 'x')],
      ['length -1', (s) => ekm(s, -1, 'x')],
      ['length 1.5', (s) => ekm(s, 1.5, 'x')],
      ['length 2^32', (s) => ekm(s, 2 ** 32, 'x')],
      ['label a number', (s) => ekm(s, 16, 5 as never)],
      ['label a Buffer', (s) => ekm(s, 16, Buffer.from('x') as never)],
      ['context a string', (s) => ekm(s, 16, 'x', 'ab' as never)],
      ['context null', (s) => ekm(s, 16, 'x', null as never)],
      ['context a Uint8Array', (s) => ekm(s, 16, 'x', new Uint8Array(2) as never)],
      ['context a DataView', (s) => ekm(s, 16, 'x', new DataView(new ArrayBuffer(3)) as never)],
      ...['client finished', 'server finished', 'master secret', 'key expansion', 'extended master secret'].map(
        (label): [string, (s: tls.TLSSocket) => unknown] => [`label ${JSON.stringify(label)}`, (s) => ekm(s, 16, label)],
      ),
    ];
    const r = await onBothServers(async (run) => {
      const { client, server } = await pair(run, version, 'noble');
      const out = Object.fromEntries(bad.map(([name, call]) => [name, throwsShape(() => call(server))]));
      client.destroy();
      return out;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node['length a string']).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    expect(r.node['length 0']).toEqual({ name: 'RangeError', code: 'ERR_OUT_OF_RANGE' });
    expect(r.node['context a DataView']).toBeNull();
    // RFC 5705 §4 reserved labels: refused in TLS 1.2 (OpenSSL's SSL_R_TLS_ILLEGAL_EXPORTER_LABEL); TLS 1.3 has no such rule.
    expect(r.node['label "master secret"']).toEqual(version === 'TLSv1.2' ? { name: 'Error', code: 'ERR_SSL_TLS_ILLEGAL_EXPORTER_LABEL' } : null);
  });
});

describe('where puretls refuses what OpenSSL allows (documented in the README)', () => {
  it('a non-ASCII label (RFC 5705 §4: labels are ASCII): TypeError on puretls, exported by Node', async () => {
    const r = await onBothServers(async (run) => {
      const { client, server } = await pair(run, 'TLSv1.3', 'noble');
      const shape = throwsShape(() => ekm(server, 8, 'EXPERIMENTAL-\u00e9'));
      client.destroy();
      return shape;
    });
    expect(r.node).toBeNull();
    expect(r.puretls).toEqual({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('TLS 1.3: more than 255 × the hash length (RFC 5869 §2.3): RangeError on puretls, OpenSSL\u2019s internal error on Node', async () => {
    const r = await onBothServers(async (run) => {
      const { client, server } = await pair(run, 'TLSv1.3', 'noble', { ciphers: 'TLS_AES_128_GCM_SHA256' });
      const atLimit = ekm(server, 255 * 32, 'EXPERIMENTAL-x').equals(ekm(client, 255 * 32, 'EXPERIMENTAL-x'));
      const over = throwsShape(() => ekm(server, 255 * 32 + 1, 'EXPERIMENTAL-x'));
      client.destroy();
      return { atLimit, over };
    });
    expect(r.node).toEqual({ atLimit: true, over: { name: 'Error', code: 'ERR_SSL_INTERNAL_ERROR' } });
    expect(r.puretls).toEqual({ atLimit: true, over: { name: 'RangeError', code: 'ERR_OUT_OF_RANGE' } });
  });
});

describe('openssl s_client -keymatexport', () => {
  it.each([
    ['-tls1_3', 'EXPERIMENTAL-openssl', 20],
    ['-tls1_2', 'EXPERIMENTAL-openssl', 20],
    ['-tls1_3', 'EXTRACTOR-dtls_srtp', 60],
    ['-tls1_2', 'EXTRACTOR-dtls_srtp', 60],
  ])('%s %s (%i bytes): the same keying material on both ends', async (flag, label, length) => {
    let exported: string | undefined;
    const { server, port } = await startServer({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, (s) => {
      exported = s.exportKeyingMaterial(length, label).toString('hex').toUpperCase();
      s.end();
    });
    try {
      const { out } = await runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-ign_eof', flag, '-keymatexport', label, '-keymatexportlen', String(length)], { ms: 20_000, holdMs: 200 });
      const m = /Keying material: ([0-9A-F]+)/.exec(out);
      expect(m?.[1], out).toBeDefined();
      expect(exported).toBeDefined();
      expect(m![1]).toBe(exported);
      expect(m![1]!.length).toBe(2 * length);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 30_000);
});

describe('ServerConnection.exportKeyingMaterial (sans-IO)', () => {
  it('before the handshake completed: Error; a bad context: TypeError', () => {
    const x = helloWith({});
    expect(x.conn.phase).toBe('handshaking');
    expect(() => x.conn.exportKeyingMaterial(16, 'EXPERIMENTAL-x')).toThrow(/not open/);
    expect(() => x.conn.exportKeyingMaterial(16, 'EXPERIMENTAL-x', 'ctx' as never)).toThrow(TypeError);
  });

  it('TLS 1.3: a label too long for HkdfLabel (RFC 8446 §7.1: "tls13 " + label ≤ 255 bytes) is a RangeError; after close: Error', () => {
    const x = handshake();
    expect(x.conn.phase).toBe('open');
    expect(x.conn.exportKeyingMaterial(16, 'x'.repeat(249))).toHaveLength(16);
    expect(() => x.conn.exportKeyingMaterial(16, 'x'.repeat(250))).toThrow(RangeError);
    x.conn.destroy();
    expect(() => x.conn.exportKeyingMaterial(16, 'EXPERIMENTAL-x')).toThrow(/not open/);
  });

  it('TLS 1.2 with extended master secret: exports; a context above 65535 bytes is a RangeError', () => {
    const x = handshake12(makeContext12());
    expect(x.conn.phase).toBe('open');
    expect(x.conn.exportKeyingMaterial(16, 'EXPERIMENTAL-x', new Uint8Array(0xffff))).toHaveLength(16);
    expect(() => x.conn.exportKeyingMaterial(16, 'EXPERIMENTAL-x', new Uint8Array(0x10000))).toThrow(RangeError);
  });

  it('TLS 1.2 without extended master secret: refused (RFC 7627 §5.4 "MUST NOT export any key material")', () => {
    const x = handshake12(makeContext12(), { ems: false });
    expect(x.conn.phase).toBe('open');
    expect(x.conn.info?.version).toBe(0x0303);
    expect(() => x.conn.exportKeyingMaterial(16, 'EXPERIMENTAL-x')).toThrow(/RFC 7627 §5\.4/);
  });
});
