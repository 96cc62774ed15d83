/**
 * The socket and server surface against Node's own server: what a `secureConnection` socket
 * reports, `bytesRead`/`bytesWritten`, `destroySoon()`, `setMaxSendFragment()` (record sizes
 * seen on the wire), `getCertificate()`/`getX509Certificate()`, closes (an application that never
 * reads, `allowHalfOpen`), `server.emit('connection', socket)`, the `'connection'` socket's
 * `server`, `captureRejections`, `keylog`, `ALPNCallback`, timeouts, and the server's net.Server
 * methods. Each scenario runs on both servers and the observations must be equal (or differ as
 * documented, asserted on both).
 */
import { EventEmitter } from 'node:events';
import { createServer as createNetServer, connect as netConnect, type Server as NetServer, type Socket } from 'node:net';
import * as tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { useCert } from '@puretls/test-support/certs';
import { clientOutcome, errorShape, onBothServers, readAll, readBytes, within } from '@puretls/test-support/net';

const p256Cert = useCert('p256');

function connect(port: number, options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return within(
    10_000,
    'tls.connect',
    new Promise((resolve, reject) => {
      const c = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => resolve(c));
      c.once('error', reject);
      c.on('error', () => {});
    }),
  );
}

function closed(s: NodeJS.EventEmitter & { destroyed?: boolean; closed?: boolean }, ms = 10_000): Promise<void> {
  return within(ms, 'close', new Promise((resolve) => (s.closed ? resolve() : s.once('close', () => resolve()))));
}

describe('the secureConnection socket', () => {
  it('what it reports: protocol, cipher, names, authorization, certificates, addresses', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert, ALPNProtocols: ['h2', 'http/1.1'] }, null);
      const secure = s.nextSecure();
      const c = await connect(s.port, { servername: 'Local.Example', ALPNProtocols: ['http/1.1'] });
      const x = await secure;
      const out = {
        encrypted: x.encrypted,
        authorized: x.authorized,
        authorizationError: x.authorizationError,
        alpnProtocol: x.alpnProtocol,
        servername: x.servername,
        protocol: x.getProtocol(),
        cipher: x.getCipher(),
        reused: x.isSessionReused(),
        peerCertificate: x.getPeerCertificate(),
        ticket: x.getTLSTicket(),
        certificate: x.getCertificate(),
        x509: { subject: x.getX509Certificate()?.subject, fingerprint256: x.getX509Certificate()?.fingerprint256 },
        remoteAddress: x.remoteAddress,
        remoteFamily: x.remoteFamily,
        localPort: x.localPort === s.port,
        server: (x as tls.TLSSocket & { server?: unknown }).server === s.server,
      };
      c.destroy();
      return out;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.certificate).toMatchObject({ subject: { CN: 'localhost' } });
  });

  it('differs: getEphemeralKeyInfo() is null on Node\u2019s server sockets; puretls reports the key exchange', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
      const secure = s.nextSecure();
      const c = await connect(s.port);
      const info = (await secure).getEphemeralKeyInfo();
      c.destroy();
      return info;
    });
    expect(r.node).toBeNull();
    expect(r.puretls).toMatchObject({ type: 'ECDH' });
  });

  it('the net.Socket surface: address(), localFamily, connecting, pending, readyState, bufferSize, ref()/unref(), then after the end', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
      const secure = s.nextSecure();
      const c = await connect(s.port);
      const x = await secure;
      const a = x.address() as { port?: number; family?: string };
      const open = {
        address: { port: a.port === s.port, family: a.family },
        localFamily: x.localFamily,
        connecting: x.connecting,
        pending: x.pending,
        readyState: x.readyState,
        bufferSize: x.bufferSize,
        refIsSelf: x.ref() === x && x.unref() === x,
      };
      x.ref();
      x.destroy();
      await closed(x);
      c.destroy();
      return { open, destroyed: { pending: x.pending, readyState: x.readyState, bufferSize: x.bufferSize } };
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node.open).toMatchObject({ readyState: 'open', connecting: false, pending: false, refIsSelf: true });
  });

  it('resetAndDestroy(): a TypeError ERR_INVALID_HANDLE_TYPE on both (Node 20\u2019s TLS sockets have no TCP handle)', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
      const secure = s.nextSecure();
      const c = await connect(s.port);
      const x = await secure;
      let thrown: unknown;
      try {
        x.resetAndDestroy();
      } catch (e) {
        thrown = e;
      }
      const out = { name: (thrown as Error).name, code: (thrown as NodeJS.ErrnoException).code, message: (thrown as Error).message, destroyed: x.destroyed };
      x.destroy();
      c.destroy();
      return out;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_HANDLE_TYPE', destroyed: false });
  });

  it('renegotiate(): false and the callback gets an error on TLS 1.3, on both; enableTrace(), setKeyCert(), getSharedSigalgs() are refused by puretls', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
      const secure = s.nextSecure();
      const c = await connect(s.port);
      const x = await secure;
      const callbackError = new Promise<boolean>((resolve) => x.renegotiate({}, (err) => resolve(err instanceof Error)));
      const returned = x.renegotiate({}, () => {});
      const out = { returned, callbackError: await callbackError };
      const refused: Record<string, string | undefined> = {};
      for (const [name, call] of [
        ['enableTrace', () => x.enableTrace()],
        ['setKeyCert', () => x.setKeyCert(tls.createSecureContext({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }))],
        ['getSharedSigalgs', () => x.getSharedSigalgs()],
      ] as const) {
        try {
          call();
          refused[name] = undefined;
        } catch (e) {
          refused[name] = (e as Error).name;
        }
      }
      x.destroy();
      c.destroy();
      return { ...out, refused };
    });
    expect(r.puretls.returned).toBe(r.node.returned);
    expect(r.puretls.callbackError).toBe(r.node.callbackError);
    expect(r.node).toMatchObject({ returned: false, callbackError: true });
    expect(r.puretls.refused).toEqual({ enableTrace: 'TypeError', setKeyCert: 'TypeError', getSharedSigalgs: 'TypeError' });
  });

  it('bytesRead / bytesWritten count plaintext', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
      const secure = s.nextSecure();
      const c = await connect(s.port);
      const x = await secure;
      const got = readBytes(x, 11);
      c.write('hello world');
      await got;
      x.write('abc');
      const back = readBytes(c, 3);
      await back;
      const counts = { read: x.bytesRead, written: x.bytesWritten };
      c.destroy();
      return counts;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ read: 11, written: 3 });
  });

  it('destroySoon(): what was written arrives, then the socket ends and closes', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, (x) => {
        x.write('bye');
        x.destroySoon();
      });
      const c = await connect(s.port);
      const data = (await readAll(c)).toString();
      await closed(c);
      return data;
    });
    expect(r).toEqual({ node: 'bye', puretls: 'bye' });
  });

  it('setMaxSendFragment(): Node\u2019s return values, and the records on the wire carry at most that much', async () => {
    const r = await onBothServers(async ({ start }) => {
      let results: boolean[] = [];
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, (x) => {
        results = [x.setMaxSendFragment(511), x.setMaxSendFragment(16385), x.setMaxSendFragment(16384), x.setMaxSendFragment(1000)];
        x.end(Buffer.alloc(5000, 0x61));
      });
      const relay = await captureRelay(s.port);
      const c = await connect(relay.port, { ciphers: 'TLS_AES_128_GCM_SHA256' });
      const data = await readAll(c);
      await closed(c);
      const sizes = appDataRecordSizes(relay.fromServer());
      relay.close();
      return { results, received: data.length, largestRecord: Math.max(...sizes), records: sizes.length >= 5 };
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual({ results: [false, false, true, true], received: 5000, largestRecord: 1000 + 17, records: true });
  });

  it('setMaxSendFragment() with a non-integer: Node\u2019s TypeError', async () => {
    const r = await onBothServers(async ({ start }) => {
      let shape: unknown;
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, (x) => {
        try {
          x.setMaxSendFragment('x' as never);
        } catch (e) {
          shape = errorShape(e);
        }
        x.end();
      });
      const c = await connect(s.port);
      await closed(c);
      return shape;
    });
    expect(r.puretls).toEqual(r.node);
  });
});

describe('closes', () => {
  it('an application that never reads: the client\u2019s end (nothing sent) closes the socket; data sent first waits until the application reads', async () => {
    const r = await onBothServers(async ({ start }) => {
      const events: string[][] = [];
      for (const write of [false, true]) {
        const ev: string[] = [];
        events.push(ev);
        const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
        const secure = s.nextSecure();
        const c = await connect(s.port);
        const x = await secure;
        x.on('end', () => ev.push('end'));
        const xClosed = closed(x);
        if (write) c.write('hello');
        c.end();
        if (!write) await xClosed;
        else {
          // Until it reads, Node keeps it (the data is waiting); reading lets the end through.
          await new Promise((res) => setTimeout(res, 200));
          ev.push(x.destroyed ? 'closed before read' : 'open before read');
          x.resume();
          await xClosed;
        }
        ev.push('close');
      }
      return events;
    });
    expect(r.puretls).toEqual(r.node);
    expect(r.node).toEqual([['end', 'close'], ['open before read', 'end', 'close']]);
  });

  it.each([true, false])('allowHalfOpen: %s — writing after the client\u2019s end', async (allowHalfOpen) => {
    const r = await onBothServers(async ({ start }) => {
      let writableAtEnd: boolean | undefined;
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert, allowHalfOpen }, (x) => {
        x.resume();
        x.on('end', () => {
          writableAtEnd = x.writable;
          if (x.writable) x.end('late');
        });
      });
      // allowHalfOpen is a net.Socket option tls.connect passes on (not in its ConnectionOptions type).
      const c = await connect(s.port, { allowHalfOpen: true } as tls.ConnectionOptions);
      const data = readAll(c);
      c.end();
      const got = (await data).toString();
      await closed(c);
      return { writableAtEnd, got };
    });
    expect(r.puretls).toEqual(r.node);
  });
});

describe('connections handed over', () => {
  it("server.emit('connection', socket): a TCP socket accepted elsewhere is served", async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert });
      const plain: NetServer = createNetServer((sock) => s.server.emit('connection', sock));
      await new Promise<void>((res) => plain.listen(0, '127.0.0.1', () => res()));
      const port = (plain.address() as { port: number }).port;
      const c = await connect(port);
      const echoed = readBytes(c, 4);
      c.write('ping');
      await echoed;
      c.destroy();
      await new Promise<void>((res) => plain.close(() => res()));
      return s.secured.length;
    });
    expect(r).toEqual({ node: 1, puretls: 1 });
  });

  it("the 'connection' socket belongs to the server the user made", async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert });
      const seen = within(5000, 'connection', new Promise<boolean>((res) => s.server.once('connection', (sock: Socket & { server?: unknown }) => res(sock.server === s.server))));
      const c = await connect(s.port);
      c.destroy();
      return seen;
    });
    expect(r).toEqual({ node: true, puretls: true });
  });
});

describe('events', () => {
  it('captureRejections (EventEmitter.captureRejections): a rejected async secureConnection listener destroys that socket with the error', async () => {
    const r = await onBothServers(async ({ create }) => {
      // Node's tls.Server takes it from EventEmitter.captureRejections (it ignores the option;
      // puretls honours both).
      EventEmitter.captureRejections = true;
      let server: tls.Server;
      try {
        server = create({ key: p256Cert.cert.key, cert: p256Cert.cert.cert });
      } finally {
        EventEmitter.captureRejections = false;
      }
      const socketError = new Promise<string>((res) =>
        server.on('secureConnection', async (x: tls.TLSSocket) => {
          x.on('error', (e) => res(e.message));
          throw new Error('listener failed');
        }),
      );
      await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
      const c = await connect((server.address() as { port: number }).port);
      const message = await within(5000, 'socket error', socketError);
      await closed(c);
      await new Promise<void>((res) => server.close(() => res()));
      return message;
    });
    expect(r).toEqual({ node: 'listener failed', puretls: 'listener failed' });
  });

  it('keylog: the server event and the socket\u2019s, with the same labels', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert });
      const serverLabels = new Set<string>();
      s.server.on('keylog', (line: Buffer) => serverLabels.add(line.toString('latin1').split(' ')[0]!));
      const c = await connect(s.port);
      const echoed = readBytes(c, 1);
      c.write('x');
      await echoed;
      c.destroy();
      return [...serverLabels].sort();
    });
    expect(r.puretls).toEqual(r.node);
  });

  it('handshakeTimeout: a silent client gets tlsClientError ERR_TLS_HANDSHAKE_TIMEOUT', async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert, handshakeTimeout: 200 });
      const err = s.nextClientError();
      const tcp = netConnect({ host: '127.0.0.1', port: s.port });
      tcp.on('error', () => {});
      const e = await err;
      tcp.destroy();
      return { code: e.code, message: e.message };
    });
    expect(r.puretls).toEqual(r.node);
  });

  it("socket.setTimeout(): 'timeout' is emitted, nothing is closed", async () => {
    const r = await onBothServers(async ({ start }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
      const secure = s.nextSecure();
      const c = await connect(s.port);
      const x = await secure;
      await within(5000, 'timeout', new Promise<void>((res) => x.setTimeout(50, () => res())));
      const open = !x.destroyed;
      c.destroy();
      return { open, timeout: x.timeout };
    });
    expect(r.puretls).toEqual(r.node);
  });
});

describe('ALPNCallback', () => {
  it('its argument and its answers: a protocol, undefined (no_application_protocol), one not offered, a throw; no ALPN from the client', async () => {
    const r = await onBothServers(async ({ start }) => {
      const calls: unknown[] = [];
      const s = await start({
        key: p256Cert.cert.key,
        cert: p256Cert.cert.cert,
        ALPNCallback: (hello: { servername: string | false; protocols: string[] }) => {
          calls.push(hello);
          const first = hello.protocols[0];
          if (first === 'pick-second') return hello.protocols[1];
          if (first === 'refuse') return undefined;
          if (first === 'bogus') return 'zzz';
          if (first === 'throw') throw new Error('ALPN callback failed');
          return first;
        },
      });
      const outcomes = [];
      for (const [protocols, servername] of [[['pick-second', 'b'], 'a.example'], [['refuse'], undefined], [['bogus', 'x'], undefined], [['throw'], undefined], [undefined, undefined]] as const) {
        const err = protocols?.[0] === 'pick-second' || protocols === undefined ? undefined : s.nextClientError();
        const client = await clientOutcome(s.port, { ...(protocols ? { ALPNProtocols: [...protocols] } : {}), ...(servername ? { servername } : {}) });
        const e = err ? await err : undefined;
        outcomes.push({ client, server: e && { code: e.code, message: e.message.includes('ALPN callback') ? e.message : undefined } });
      }
      return { calls, outcomes };
    });
    expect(r.puretls).toEqual(r.node);
  });
});

describe('the server\u2019s net.Server surface', () => {
  it('address, listening, getConnections, maxConnections and drop, close without listening, asyncDispose', async () => {
    const r = await onBothServers(async ({ start, create }) => {
      const s = await start({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }, null);
      const c = await connect(s.port);
      const count = await new Promise<number>((res) => s.server.getConnections((_e, n) => res(n)));
      s.server.maxConnections = 1;
      const dropped = within(5000, 'drop', new Promise<boolean>((res) => s.server.once('drop', () => res(true))));
      const extra = netConnect({ host: '127.0.0.1', port: s.port });
      extra.on('error', () => {});
      const drop = await dropped;
      extra.destroy();
      c.destroy();
      const notRunning = await new Promise<unknown>((res) => create({ key: p256Cert.cert.key, cert: p256Cert.cert.cert }).close((e) => res(errorShape(e))));
      const idle = create({ key: p256Cert.cert.key, cert: p256Cert.cert.cert });
      await new Promise<void>((res) => idle.listen(0, '127.0.0.1', () => res()));
      await (idle as unknown as AsyncDisposable)[Symbol.asyncDispose]();
      return { family: (s.server.address() as { family: string }).family, listening: s.server.listening, count, drop, notRunning, disposed: !idle.listening };
    });
    expect(r.puretls).toEqual(r.node);
  });
});

/** A TCP relay to `port` that keeps every byte the server sent. */
async function captureRelay(port: number): Promise<{ port: number; fromServer(): Buffer; close(): void }> {
  const chunks: Buffer[] = [];
  const pairs: Socket[] = [];
  const server = createNetServer((client) => {
    const upstream = netConnect({ host: '127.0.0.1', port });
    pairs.push(client, upstream);
    client.on('error', () => {});
    upstream.on('error', () => {});
    upstream.on('data', (d: Buffer) => chunks.push(d));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  return {
    port: (server.address() as { port: number }).port,
    fromServer: () => Buffer.concat(chunks),
    close: () => {
      for (const p of pairs) p.destroy();
      server.close();
    },
  };
}

/** The lengths of the TLS records of type application_data (23) in `bytes` (RFC 8446 §5.1 headers). */
function appDataRecordSizes(bytes: Buffer): number[] {
  const sizes: number[] = [];
  for (let o = 0; o + 5 <= bytes.length; ) {
    const len = bytes.readUInt16BE(o + 3);
    if (bytes[o] === 23) sizes.push(len);
    o += 5 + len;
  }
  return sizes;
}
