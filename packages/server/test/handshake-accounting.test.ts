/**
 * Issue #10 leftovers, with real sockets: the statistics add up when a client's Finished and bad
 * bytes arrive in one read (accept = acceptGood + handshakeFailures), and a client that announces
 * a large handshake message and sends little of it costs little. Loops and waits bounded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { createNodeProvider } from '@puretls/crypto';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { connectTcp, until, useServers, type RunningServer } from '@puretls/test-support/net';
import { TestClient13 } from '@puretls/test-support/tls13-client';

const certs = new CertDir();
let p256: TestCert;
const sockets: Socket[] = [];

beforeAll(() => {
  p256 = certs.make('p256');
}, 60_000);
afterAll(() => certs.cleanup());
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
});

const servers = useServers();
const serve = (): Promise<RunningServer> => servers.start({ key: p256.key, cert: p256.cert });

/** A raw TCP client driven by the in-memory TLS 1.3 test client, up to the server's Finished. */
async function clientUpToServerFinished(port: number): Promise<{ tcp: Socket; client: TestClient13 }> {
  const tcp = await connectTcp(port);
  sockets.push(tcp);
  const client = new TestClient13(createNodeProvider());
  tcp.on('data', (d: Buffer) => client.receive(new Uint8Array(d)));
  tcp.write(TestClient13.plaintextRecord(client.buildClientHello({ shareGroups: ['x25519'] })));
  await until('the server Finished', () => client.serverFinishedOk !== undefined);
  expect(client.serverFinishedOk).toBe(true);
  return { tcp, client };
}

describe('handshake statistics add up (issue #10)', () => {
  it("the client's Finished and garbage in one read: a completed handshake then a connection error, not a handshake failure", async () => {
    const r = await serve();
    const secure = r.nextSecure();
    const { tcp, client } = await clientUpToServerFinished(r.port);
    // An application_data record that cannot decrypt, right behind the Finished: bad_record_mac.
    const garbage = Buffer.from([23, 3, 3, 0, 32, ...new Uint8Array(32).fill(0x5a)]);
    tcp.write(Buffer.concat([client.finish(), garbage]));
    const s = await secure;
    await until('the connection is gone', () => r.server.handshakingCount === 0 && s.destroyed);
    const st = r.server.context.sessionStats;
    expect({ accept: st.accept, acceptGood: st.acceptGood, failures: r.server.handshakeFailures }).toEqual({ accept: 1, acceptGood: 1, failures: 0 });
    expect(r.clientErrors).toEqual([]);
    expect(r.secured).toHaveLength(1);
  });

  it('a bad Finished is one handshake failure and no completed handshake', async () => {
    const r = await serve();
    const failed = r.nextClientError();
    const { tcp, client } = await clientUpToServerFinished(r.port);
    tcp.write(client.finish({ corruptFinished: true }));
    expect(await failed).toMatchObject({ reason: 'BadFinished' });
    await until('no handshake in progress', () => r.server.handshakingCount === 0);
    const st = r.server.context.sessionStats;
    expect({ accept: st.accept, acceptGood: st.acceptGood, failures: r.server.handshakeFailures }).toEqual({ accept: 1, acceptGood: 0, failures: 1 });
  });
});

describe('a partial handshake message costs what arrived (issue #10)', () => {
  it('a ClientHello announcing 30 000 bytes of which 1 000 arrived holds about 1 KiB, not 30', async () => {
    const r = await serve();
    const tcp = await connectTcp(r.port);
    sockets.push(tcp);
    const body = Buffer.alloc(1000, 0x41);
    const hs = Buffer.concat([Buffer.from([1, 0, 0x75, 0x30]), body]); // ClientHello, 30 000 bytes announced
    tcp.write(Buffer.concat([Buffer.from([22, 3, 1, hs.length >> 8, hs.length & 0xff]), hs]));
    await until('the bytes are buffered', () => r.server.handshakeBufferedBytes >= 1004);
    expect(r.server.handshakeBufferedBytes).toBeLessThanOrEqual(1004);
    expect(r.server.handshakingCount).toBe(1);
  });
});
