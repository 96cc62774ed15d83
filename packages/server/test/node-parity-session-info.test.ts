/**
 * What a `secureConnection` socket says about its handshake, against Node's own server:
 * `getFinished()` / `getPeerFinished()` (the Finished verify_data, the Node client's
 * `getPeerFinished()` / `getFinished()` on the same connection), `getCertificate()` after a full
 * handshake and after a resumption, and `getSession()` (after a full handshake: the bytes of the
 * last `newSession` event; with tickets: a Buffer; resumed: a Buffer). Both versions; the
 * sans-IO `ServerConnection.finished` / `peerFinished` before and after the handshake.
 */
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { SSL_OP_NO_TICKET } from 'node:constants';
import { useCert } from '@puretls/test-support/certs';
import { handshake, helloWith } from '@puretls/test-support/harness13';
import { handshake12 } from '@puretls/test-support/harness12';
import { onBothServers, until, within, type ParityRun, type ParityServer } from '@puretls/test-support/net';

const p256Cert = useCert('p256');

type Version = 'TLSv1.2' | 'TLSv1.3';

/** A Node client's connection; resolves once its handshake completed, with the sessions it received so far (live). */
function connect(port: number, version: Version, extra: tls.ConnectionOptions = {}): Promise<{ client: tls.TLSSocket; sessions: Buffer[] }> {
  return within(
    10_000,
    'tls.connect',
    new Promise((resolve, reject) => {
      const sessions: Buffer[] = [];
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: version, maxVersion: version, ...extra }, () => resolve({ client: c, sessions }));
      c.on('session', (s: Buffer) => sessions.push(s));
      c.once('error', reject);
      c.on('data', () => {});
    }),
  );
}

/**
 * Starts a server that records its `newSession` events (answering each at once) and answers
 * `resumeSession` from them (a Node server with a `newSession` listener keeps no session itself).
 */
async function startRecording(run: ParityRun, options: object): Promise<{ s: ParityServer; news: Buffer[] }> {
  const s = await run.start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert, ...options }, null);
  const news: Buffer[] = [];
  const byId = new Map<string, Buffer>();
  s.server.on('newSession', (id: Buffer, data: Buffer, cb: () => void) => {
    news.push(Buffer.from(data));
    byId.set(id.toString('hex'), Buffer.from(data));
    cb();
  });
  s.server.on('resumeSession', (id: Buffer, cb: (err: Error | null, data: Buffer | null) => void) => cb(null, byId.get(id.toString('hex')) ?? null));
  return { s, news };
}

const hex = (b: Buffer | undefined): string | undefined => b?.toString('hex');

describe.each(['TLSv1.3', 'TLSv1.2'] as const)('%s', (version) => {
  it('getFinished() / getPeerFinished(): the Finished verify_data, as the client sees it the other way round', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
      const secure = s.nextSecure();
      const { client } = await connect(s.port, version);
      const x = await secure;
      const out = {
        ours: hex(x.getFinished()) === hex(client.getPeerFinished()),
        theirs: hex(x.getPeerFinished()) === hex(client.getFinished()),
        isBuffer: Buffer.isBuffer(x.getFinished()) && Buffer.isBuffer(x.getPeerFinished()),
        // TLS 1.2: 12 bytes (RFC 5246 §7.4.9); TLS 1.3: the hash length (RFC 8446 §4.4.4), SHA-384 for the default suite.
        lengths: [x.getFinished()?.length, x.getPeerFinished()?.length],
        // A fresh Buffer per call.
        fresh: x.getFinished() !== x.getFinished(),
      };
      client.destroy();
      return out;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ ours: true, theirs: true, isBuffer: true, lengths: version === 'TLSv1.2' ? [12, 12] : [48, 48], fresh: true });
  });

  it('getCertificate(): our leaf as Node\u2019s object, after a full handshake and after a resumption', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
      const full = s.nextSecure();
      const first = await connect(s.port, version);
      const x = await full;
      await until('a session', () => first.sessions.length > 0, 5000);
      const certificate = x.getCertificate();
      first.client.end();
      const resumed = s.nextSecure();
      const second = await connect(s.port, version, { session: first.sessions.at(-1)! });
      const y = await resumed;
      const out = { certificate, reused: y.isSessionReused(), afterResumption: y.getCertificate() };
      second.client.destroy();
      return out;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.reused).toBe(true);
    expect(r.node.afterResumption).toEqual(r.node.certificate);
    expect(r.node.certificate).toMatchObject({ subject: { CN: 'localhost' } });
  });
});

describe('getSession()', () => {
  it('TLS 1.2 with a session id (no tickets): the bytes the newSession event got', async () => {
    const r = await onBothServers(async (run) => {
      const { s, news } = await startRecording(run, { secureOptions: SSL_OP_NO_TICKET });
      const secure = s.nextSecure();
      const { client } = await connect(s.port, 'TLSv1.2');
      const x = await secure;
      const session = x.getSession();
      const out = { isBuffer: Buffer.isBuffer(session), newSessions: news.length, same: news.length === 1 && session?.equals(news[0]!) === true };
      client.destroy();
      return out;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ isBuffer: true, newSessions: 1, same: true });
  });

  it('TLS 1.2 with an RFC 5077 ticket: a Buffer, and no newSession event', async () => {
    const r = await onBothServers(async (run) => {
      const { s, news } = await startRecording(run, {});
      const secure = s.nextSecure();
      const { client, sessions } = await connect(s.port, 'TLSv1.2');
      const x = await secure;
      await until('the ticket', () => sessions.length > 0, 5000);
      const out = { isBuffer: Buffer.isBuffer(x.getSession()), newSessions: news.length };
      client.destroy();
      return out;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ isBuffer: true, newSessions: 0 });
  });

  it('TLS 1.3, once the tickets are out: the bytes of the last newSession event', async () => {
    const r = await onBothServers(async (run) => {
      const { s, news } = await startRecording(run, {});
      const secure = s.nextSecure();
      const { client, sessions } = await connect(s.port, 'TLSv1.3');
      const x = await secure;
      // Node sends its two tickets after the handshake; wait until the client has both.
      await until('two tickets', () => sessions.length === 2, 5000);
      const session = x.getSession();
      const out = { isBuffer: Buffer.isBuffer(session), newSessions: news.length, last: session?.equals(news.at(-1)!) === true };
      client.destroy();
      return out;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ isBuffer: true, newSessions: 2, last: true });
  });

  it('resumed (TLS 1.2 session id): the resumed session, the bytes its newSession event got', async () => {
    const r = await onBothServers(async (run) => {
      const { s, news } = await startRecording(run, { secureOptions: SSL_OP_NO_TICKET });
      const full = s.nextSecure();
      const first = await connect(s.port, 'TLSv1.2');
      await full;
      await until('a session', () => first.sessions.length > 0, 5000);
      first.client.end();
      const resumed = s.nextSecure();
      const second = await connect(s.port, 'TLSv1.2', { session: first.sessions.at(-1)! });
      const y = await resumed;
      const out = { reused: y.isSessionReused(), newSessions: news.length, same: y.getSession()?.equals(news[0]!) === true };
      second.client.destroy();
      return out;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ reused: true, newSessions: 1, same: true });
  });
});

describe('ServerConnection.finished / peerFinished (sans-IO)', () => {
  it('undefined before the handshake completed; the verify_data lengths after it (TLS 1.3 SHA-256 suite, TLS 1.2)', () => {
    const waiting = helloWith({});
    expect(waiting.conn.finished).toBeUndefined();
    expect(waiting.conn.peerFinished).toBeUndefined();
    const x13 = handshake(undefined, { cipherSuites: [0x1301] });
    expect(x13.conn.phase).toBe('open');
    expect([x13.conn.finished?.length, x13.conn.peerFinished?.length]).toEqual([32, 32]);
    const x12 = handshake12();
    expect(x12.conn.phase).toBe('open');
    expect([x12.conn.finished?.length, x12.conn.peerFinished?.length]).toEqual([12, 12]);
    expect(x12.conn.finished).not.toEqual(x12.conn.peerFinished);
  });
});
