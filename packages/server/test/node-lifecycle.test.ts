/**
 * The Node adapter's connection lifecycle through the public API: `socket.setTimeout()` /
 * `server.timeout` ('timeout' events, nothing closed — checked beside Node's own
 * `tls.createServer`), `idleTimeout` (close_notify), the `closedByServer` event and
 * `server.stats.closedByServer` for every close the server decides (timeouts, floods after the
 * handshake, an unsolicited handshake message, record overflow, refusals), none for closes the
 * peer decides, and `close()` / `close({ drain })`.
 */
import { createServer as createNodeTlsServer, type Server as NodeTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AlertDescription, ContentType, isTlsError } from '@puretls/record-layer';
import { HandshakeType } from '@puretls/handshake-state-machine/internal';
import { isPuretlsError, TlsAdapterError } from '../src/index';
import type { ServerClose } from '../src/lifecycle/close-stats';
import type { PureTlsServer } from '../src/node/node-adapter';
import type { PureTlsSocket } from '../src/node/tls-socket';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { connectRawTls12, connectRawTls13 } from '@puretls/test-support/raw-tls';
import { connectTcp, connectTls, once, until, useServers, within } from '@puretls/test-support/net';

const certs = new CertDir();
let cert: TestCert;
const servers = useServers();
const nodeServers: NodeTlsServer[] = [];
const clients: { destroy(): void }[] = [];

beforeAll(() => {
  cert = certs.make('p256');
}, 60_000);
afterAll(() => certs.cleanup());
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of nodeServers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A puretls server (echo unless `onSecure` says otherwise) that records its closedByServer events. */
async function serve(extra: object = {}, onSecure: ((s: PureTlsSocket) => void) | null = (s) => s.pipe(s)) {
  const r = await servers.start({ certificates: [{ cert: cert.cert, key: cert.key }], ...extra }, onSecure);
  const closes: ServerClose[] = [];
  r.server.on('closedByServer', (c) => closes.push(c));
  return { ...r, closes };
}

/** Node's own TLS server, echoing; `onSecure` runs first. */
async function serveNode(onSecure: (s: TLSSocket) => void): Promise<{ server: NodeTlsServer; port: number }> {
  const server = createNodeTlsServer({ cert: cert.cert, key: cert.key }, (s) => {
    s.on('error', () => {});
    onSecure(s);
    s.pipe(s);
  });
  nodeServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

async function client(port: number): Promise<TLSSocket> {
  const c = await connectTls(port, { servername: 'localhost' });
  clients.push(c);
  // Flowing from the start (so that 'end', the server's close_notify, is seen), into one buffer.
  let got = '';
  c.on('data', (d: Buffer) => (got += d.toString('latin1')));
  received.set(c, () => got);
  return c;
}
const received = new WeakMap<TLSSocket, () => string>();

/** Writes `text` and waits until everything received so far ends with it. */
async function echo(c: TLSSocket, text: string): Promise<string> {
  c.write(text);
  const got = received.get(c)!;
  await until(`echo of ${JSON.stringify(text)}`, () => got().endsWith(text), 5000);
  return text;
}

describe('socket.setTimeout / server.timeout: Node semantics (the event, nothing closed)', () => {
  /** One scenario on either server: set a 150 ms timeout, stay idle, count events, then talk. */
  async function scenario(port: number, socketOf: () => { timeouts: number; destroyed: boolean; timeout: number | undefined }) {
    const c = await client(port);
    await until('a timeout event', () => socketOf().timeouts >= 1, 5000);
    const afterFirst = socketOf().timeouts;
    await echo(c, 'still there');
    await until('a second timeout after the activity', () => socketOf().timeouts > afterFirst, 5000);
    return { destroyed: socketOf().destroyed, timeout: socketOf().timeout, clientOpen: !c.destroyed && c.readable };
  }

  it('the same on Node\u2019s tls.createServer and ours: timeout fires when idle, again after activity, the connection stays open', async () => {
    let nodeSocket: TLSSocket | undefined;
    let nodeTimeouts = 0;
    const node = await serveNode((s) => {
      nodeSocket = s;
      s.setTimeout(150, () => {});
      s.on('timeout', () => nodeTimeouts++);
    });
    const theirs = await scenario(node.port, () => ({ timeouts: nodeTimeouts, destroyed: nodeSocket?.destroyed ?? true, timeout: nodeSocket?.timeout }));

    let ours: PureTlsSocket | undefined;
    let ourTimeouts = 0;
    const r = await serve({}, (s) => {
      ours = s;
      s.setTimeout(150, () => {});
      s.on('timeout', () => ourTimeouts++);
      s.pipe(s);
    });
    const mine = await scenario(r.port, () => ({ timeouts: ourTimeouts, destroyed: ours?.destroyed ?? true, timeout: ours?.timeout }));
    expect(mine).toEqual(theirs);
    expect(mine).toEqual({ destroyed: false, timeout: 150, clientOpen: true });
    // setTimeout(0) turns it off.
    ours!.setTimeout(0);
    const before = ourTimeouts;
    await sleep(400);
    expect(ourTimeouts).toBe(before);
    expect(r.closes).toEqual([]);
  });

  it('server.timeout applies to each secured socket; the server emits timeout(socket); nothing is closed', async () => {
    const r = await serve();
    const seen: PureTlsSocket[] = [];
    r.server.setTimeout(150, (s) => seen.push(s));
    expect(r.server.timeout).toBe(150);
    const c = await client(r.port);
    const [s] = (await once(r.server, 'timeout', 5000)) as [PureTlsSocket];
    expect(seen).toContain(s);
    expect(s.timeout).toBe(150);
    expect(await echo(c, 'ping')).toBe('ping');
    expect(() => r.server.setTimeout(-1)).toThrow(RangeError);
    expect(() => s.setTimeout(Number.NaN)).toThrow(RangeError);
  });
});

describe('idleTimeout: the server closes idle connections with close_notify', () => {
  it('an idle connection gets close_notify (the client sees end), counted as IdleTimeout; an active one stays', async () => {
    const r = await serve({ idleTimeout: 1000 });
    const active = await client(r.port);
    const idle = await client(r.port);
    const idleEnded = once(idle, 'end', 10_000);
    // The active client talks every 100 ms for over a second: never idle for 1000 ms.
    for (let i = 0; i < 12; i++) {
      await echo(active, `tick ${i}`);
      await sleep(100);
    }
    await idleEnded;
    expect(active.destroyed).toBe(false);
    expect(r.closes).toEqual([{ reason: 'IdleTimeout', phase: 'open', alert: null, error: expect.any(TlsAdapterError) }]);
    expect(r.closes[0]!.error).toMatchObject({ code: 'ERR_TLS_IDLE_TIMEOUT' });
    expect(r.server.stats.closedByServer).toEqual({ IdleTimeout: 1 });
    await until('the idle connection gone', () => r.server.connectionCount === 1, 5000);
    expect(r.server.stats).toMatchObject({ connections: 2, handshakes: 2, open: 1, handshaking: 0 });
    await expect(servers.start({ certificates: [{ cert: cert.cert, key: cert.key }], idleTimeout: -5 })).rejects.toThrow(RangeError);
  });
});

describe('closedByServer: every close the server decides, by reason; none for the peer\u2019s', () => {
  it('handshake timeout', async () => {
    const r = await serve({ handshakeTimeout: 200 });
    const tcp = await connectTcp(r.port);
    clients.push(tcp);
    const err = await r.nextClientError();
    expect(isPuretlsError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT', reason: 'HandshakeTimeout' });
    expect(r.closes.map((c) => [c.reason, c.phase, c.alert])).toEqual([['HandshakeTimeout', 'handshake', null]]);
    expect(r.server.stats).toMatchObject({ handshakeFailures: 1, closedByServer: { HandshakeTimeout: 1 } });
  });

  it('a handshake the server refuses with an alert (no shared ALPN): the TlsError reason', async () => {
    const r = await serve({ alpnProtocols: ['h2'] });
    const err = r.nextClientError();
    await expect(connectTls(r.port, { ALPNProtocols: ['spdy/1'] })).rejects.toThrow();
    expect(isTlsError(await err)).toBe(true);
    expect(r.closes.map((c) => [c.reason, c.phase, c.alert])).toEqual([['NoApplicationProtocol', 'handshake', 'no_application_protocol']]);
  });

  const floods: [string, (raw: Awaited<ReturnType<typeof connectRawTls13>>) => void, string, string][] = [
    ['33 empty records', (t) => { for (let i = 0; i < 33; i++) t.send(ContentType.application_data, new Uint8Array(0)); }, 'TooManyEmptyRecords', 'unexpected_message'],
    ['5 user_canceled warnings', (t) => { for (let i = 0; i < 5; i++) t.send(ContentType.alert, Uint8Array.of(1, AlertDescription.user_canceled)); }, 'TooManyWarningAlerts', 'unexpected_message'],
    ['33 KeyUpdates without data', (t) => { for (let i = 0; i < 33; i++) t.keyUpdate(); }, 'TooManyKeyUpdates', 'unexpected_message'],
    ['an unsolicited Certificate', (t) => t.send(ContentType.handshake, Uint8Array.of(HandshakeType.certificate, 0, 0, 4, 0, 0, 0, 0)), '', 'unexpected_message'],
    ['an oversized record header', (t) => t.sendRaw(Uint8Array.of(ContentType.application_data, 3, 3, 0x48, 0x01)), '', 'record_overflow'],
  ];
  it.each(floods)('after the handshake, %s: the alert, then the close, counted by reason', async (_what, misbehave, reason, alert) => {
    const r = await serve();
    const secured = r.nextSecure();
    const t = await connectRawTls13(r.port);
    clients.push(t.tcp);
    await secured;
    misbehave(t);
    await within(5000, 'TCP closed by the server', t.closed);
    expect(t.alerts).toContain(AlertDescription[alert as keyof typeof AlertDescription]);
    expect(r.closes).toHaveLength(1);
    const c = r.closes[0]!;
    expect([c.phase, c.alert]).toEqual(['open', alert]);
    if (reason) expect(c.reason).toBe(reason);
    expect(isTlsError(c.error) && c.error.reason).toBe(c.reason);
    expect(r.server.stats.closedByServer).toEqual({ [c.reason]: 1 });
  });

  it('TLS 1.2: renegotiation ClientHellos are refused with no_renegotiation warnings, then the connection is closed (RenegotiationAttempted)', async () => {
    const r = await serve();
    // The server's Finished comes after its secureConnection: the handshake is done on both sides.
    const t = await connectRawTls12(r.port);
    clients.push(t.tcp);
    for (let i = 0; i < 20 && !t.tcp.destroyed; i++) t.sendHandshake(t.client.buildClientHello({}));
    await within(5000, 'TCP closed by the server', t.closed);
    // The test client follows the first warnings (its state is rebuilt by each ClientHello it makes).
    expect(t.alerts.filter((a) => a === AlertDescription.no_renegotiation).length).toBeGreaterThan(0);
    expect(r.closes.map((c) => [c.reason, c.phase, c.alert])).toEqual([['RenegotiationAttempted', 'open', 'unexpected_message']]);
  });

  it('refusals beyond maxConcurrentHandshakes count as TooManyHandshakes', async () => {
    const r = await serve({ maxConcurrentHandshakes: 1 });
    const first = await connectTcp(r.port);
    clients.push(first);
    await until('one handshaking', () => r.server.handshakingCount === 1);
    const second = await connectTcp(r.port);
    clients.push(second);
    await within(5000, 'refused', once(second, 'close'));
    expect(r.server.stats).toMatchObject({ refusedHandshakes: 1, closedByServer: { TooManyHandshakes: 1 } });
    expect(r.closes.map((c) => c.reason)).toEqual(['TooManyHandshakes']);
  });

  it('closes the peer decides are not counted: close_notify, its fatal alert, EOF, a reset', async () => {
    const r = await serve();
    const a = await client(r.port);
    a.end();
    const b = await connectRawTls13(r.port);
    b.send(ContentType.alert, Uint8Array.of(2, AlertDescription.internal_error));
    const c = await client(r.port);
    await echo(c, 'then gone');
    c.destroy();
    const d = await connectTcp(r.port);
    d.end();
    const e = await connectTcp(r.port);
    e.resetAndDestroy();
    await until('all gone', () => r.server.connectionCount === 0, 5000);
    expect(r.closes).toEqual([]);
    expect(r.server.stats).toMatchObject({ connections: 5, handshakes: 3, handshakeFailures: 2, open: 0, closedByServer: {} });
  });
});

describe('close(): Node\u2019s semantics; close({ drain }): a graceful shutdown', () => {
  async function closeServer(server: { close(cb: (err?: Error) => void): unknown }): Promise<void> {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  it('close(): stops accepting, open connections keep working, the callback comes once they ended (as Node\u2019s tls.Server)', async () => {
    const outcome = async (server: { close(cb: (err?: Error) => void): unknown }, port: number) => {
      const c = await client(port);
      let called = false;
      const closed = closeServer(server).then(() => (called = true));
      const refused = await connectTls(port, {}, 5000).then(
        () => 'accepted',
        (e: NodeJS.ErrnoException) => e.code,
      );
      const echoed = await echo(c, 'after close');
      await sleep(100);
      const calledBeforeEnd = called;
      c.end();
      await within(5000, 'close callback', closed);
      return { refused, echoed, calledBeforeEnd };
    };
    const node = await serveNode(() => {});
    const theirs = await outcome(node.server, node.port);
    const r = await serve();
    const mine = await outcome(r.server, r.port);
    expect(mine).toEqual(theirs);
    expect(mine).toEqual({ refused: 'ECONNREFUSED', echoed: 'after close', calledBeforeEnd: false });
  });

  it('close({ drain }): idle connections get close_notify at once, a request in flight gets its answer first, then close_notify', async () => {
    let requests = 0;
    const r = await serve({}, (s) => {
      // Answers each chunk after 300 ms: a request in flight when the drain starts.
      s.on('data', (d: Buffer) => {
        requests++;
        setTimeout(() => s.write(d), 300);
      });
    });
    const busy = await client(r.port);
    const idle = await client(r.port);
    await echo(idle, 'served before');
    const idleEnd = once(idle, 'end', 5000);
    const busyEnd = once(busy, 'end', 5000);
    const answer = echo(busy, 'request');
    await until('the request read by the server', () => requests === 2);
    const done = new Promise<void>((resolve) => r.server.close({ drain: 5000 }, () => resolve()));
    expect(r.server.draining).toBe(true);
    await idleEnd;
    await answer;
    await busyEnd;
    expect(received.get(busy)!()).toBe('request');
    await within(5000, 'close callback', done);
    expect(r.closes.map((c) => c.reason).sort()).toEqual(['Shutdown', 'Shutdown']);
    expect(r.server.stats.closedByServer).toEqual({ Shutdown: 2 });
  });

  it('close({ drain }): at the deadline a connection still busy is closed (ShutdownTimeout); the callback comes by deadline + 1 s', async () => {
    let server: PureTlsSocket | undefined;
    const r = await serve({}, (s) => {
      // Never reads, never answers.
      server = s;
    });
    const stuck = await client(r.port);
    const stuckEnd = once(stuck, 'end', 5000);
    stuck.write('never answered');
    await until('the request arrived', () => (server?.readableLength ?? 0) > 0);
    const started = Date.now();
    const done = new Promise<void>((resolve) => r.server.close({ drain: 300 }, () => resolve()));
    await stuckEnd;
    await within(5000, 'close callback', done);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(r.closes.map((c) => [c.reason, c.phase])).toEqual([['ShutdownTimeout', 'open']]);
  });

  it('close({ drain: 0 }): every connection gets close_notify now; bad options throw', async () => {
    const r = await serve();
    const a = await client(r.port);
    const ended = once(a, 'end', 5000);
    await within(5000, 'close callback', new Promise<void>((resolve) => r.server.close({ drain: 0 }, () => resolve())));
    await ended;
    expect(r.closes.map((c) => c.reason)).toEqual(['ShutdownTimeout']);
    const other: PureTlsServer = (await serve()).server;
    expect(() => other.close({ drain: -1 })).toThrow(RangeError);
    expect(() => other.close({} as never)).toThrow(RangeError);
    expect(() => other.close(42 as never)).toThrow(TypeError);
  });
});
