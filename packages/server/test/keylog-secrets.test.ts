/**
 * Secrets and the CLI (issue #10): `puretls serve --keylog FILE` writes NSS key log lines, and only
 * when asked; the logged SERVER_TRAFFIC_SECRET_0 decrypts the server's records captured on the
 * wire (HKDF-Expand-Label + AES-GCM from @puretls/crypto, nothing from the server); and at the
 * most verbose log level a full session (TLS 1.3 handshake, data, resumption; a TLS 1.2 handshake)
 * never prints a secret, in hex or base64.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createNetServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNobleProvider, hexToBytes, hkdfExpandLabel } from '@puretls/crypto';
import { CertDir } from '@puretls/test-support/certs';
import { useCli } from '@puretls/test-support/cli-process';
import { connectTls, readBytes, within } from '@puretls/test-support/net';

const cli = useCli();
const certs = new CertDir();
afterAll(() => certs.cleanup());
const start = cli.start;

/** A loopback TCP relay that records every byte the server sends to the client. */
async function captureProxy(targetPort: number): Promise<{ port: number; serverToClient: () => Buffer; close: () => void }> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createNetServer((client) => {
    const upstream = netConnect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      chunks.push(Buffer.from(d));
      client.write(d);
    });
    const done = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', done).on('error', done);
    upstream.on('close', done).on('error', done);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return {
    port: addr.port,
    serverToClient: () => Buffer.concat(chunks),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/** TLS records (type, header, fragment) of a byte stream; a trailing partial record is ignored. */
function records(b: Buffer): { type: number; header: Uint8Array; fragment: Uint8Array }[] {
  const out = [];
  for (let o = 0; o + 5 <= b.length; ) {
    const len = b.readUInt16BE(o + 3);
    if (o + 5 + len > b.length) break;
    out.push({ type: b[o]!, header: b.subarray(o, o + 5), fragment: b.subarray(o + 5, o + 5 + len) });
    o += 5 + len;
  }
  return out;
}

/**
 * Decrypts the server's TLS 1.3 application-key records (RFC 8446 §5.2, §7.3) with a logged
 * SERVER_TRAFFIC_SECRET_0 (TLS_AES_128_GCM_SHA256): returns the application data they carry.
 * Records under the handshake key do not open and come before; the first one that opens is seq 0.
 */
function decryptServerAppData(captured: Buffer, secretHex: string): Buffer {
  const p = createNobleProvider();
  const secret = hexToBytes(secretHex);
  const key = hkdfExpandLabel(p, 'sha256', secret, 'key', new Uint8Array(0), 16);
  const iv = hkdfExpandLabel(p, 'sha256', secret, 'iv', new Uint8Array(0), 12);
  const aead = p.createAead('aes-128-gcm', key);
  let seq = 0;
  const data: Buffer[] = [];
  for (const r of records(captured)) {
    if (r.type !== 23) continue;
    const nonce = iv.slice();
    for (let i = 0; i < 8; i++) nonce[11 - i]! ^= Number((BigInt(seq) >> BigInt(8 * i)) & 0xffn);
    const plain = aead.open(nonce, r.header, r.fragment);
    if (plain === null) {
      expect(seq).toBe(0); // only handshake-key records may fail, and only before the first success
      continue;
    }
    seq++;
    let end = plain.length;
    while (end > 0 && plain[end - 1] === 0) end--; // TLSInnerPlaintext padding
    const type = plain[end - 1];
    if (type === 23) data.push(Buffer.from(plain.subarray(0, end - 1)));
  }
  return Buffer.concat(data);
}

/** Key log lines: label → secret hex, all of them. */
function keylogSecrets(file: string): { label: string; random: string; secret: string }[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const [label, random, secret] = l.split(' ');
      return { label: label!, random: random!, secret: secret! };
    });
}

describe('--keylog and logs', () => {
  it('without --keylog no key log is written and no keylog event is wired', async () => {
    const file = join(certs.dir, 'absent.log');
    const p = await start(['--echo', '--log-level', 'debug']);
    const c = await connectTls(p.port, { servername: 'localhost' });
    c.destroy();
    expect(await p.stop()).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(p.stderr()).not.toMatch(/TRAFFIC_SECRET|CLIENT_RANDOM/);
  }, 60_000);

  it('--keylog FILE: NSS lines whose SERVER_TRAFFIC_SECRET_0 decrypts the captured records; debug logs of a full session hold no secret', async () => {
    const keylog = join(certs.dir, 'keys.log');
    const p = await start(['--echo', '--log-level', 'debug', '--keylog', keylog, '--tickets', 'stateless']);
    const proxy = await captureProxy(p.port);
    try {
      // 1. TLS 1.3 through the capturing relay: handshake, echo, tickets.
      let session: Buffer | undefined;
      const c1 = await connectTls(proxy.port, { servername: 'localhost', ciphers: 'TLS_AES_128_GCM_SHA256' }, 10_000, (s) => s.on('session', (t: Buffer) => (session = t)));
      const msg = Buffer.from('the quick brown fox, echoed under SERVER_TRAFFIC_SECRET_0');
      const echoed = readBytes(c1, msg.length);
      c1.write(msg);
      await echoed;
      await within(5000, 'a session ticket', (async () => {
        while (!session) await new Promise((r) => setTimeout(r, 20));
      })());
      c1.end();
      await new Promise((r) => c1.once('close', r));
      // 2. Resumption (TLS 1.3 PSK) and 3. a TLS 1.2 handshake (its master secret: CLIENT_RANDOM).
      // The same suite: a TLS 1.3 PSK resumes only under its hash (tls.DEFAULT_CIPHERS would pick AES-256).
      const c2 = await connectTls(p.port, { servername: 'localhost', session, ciphers: 'TLS_AES_128_GCM_SHA256' });
      expect(c2.isSessionReused()).toBe(true);
      c2.end();
      const c3 = await connectTls(p.port, { servername: 'localhost', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
      expect(c3.getProtocol()).toBe('TLSv1.2');
      const echoed3 = readBytes(c3, 4);
      c3.write('1.2!');
      await echoed3;
      c3.end();
      await within(5000, 'three handshakes logged', (async () => {
        while ((p.stderr().match(/ handshake /g) ?? []).length < 3) await new Promise((r) => setTimeout(r, 20));
      })());
      expect(await p.stop()).toBe(0);

      // NSS format: LABEL <64 hex client random> <hex secret>, nothing else.
      const lines = keylogSecrets(keylog);
      for (const l of lines) {
        expect(l.label).toMatch(/^(CLIENT_RANDOM|CLIENT_EARLY_TRAFFIC_SECRET|CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET)$/);
        expect(l.random).toMatch(/^[0-9a-f]{64}$/);
        expect(l.secret).toMatch(/^([0-9a-f]{2}){32,48}$/);
      }
      expect(lines.filter((l) => l.label === 'CLIENT_RANDOM')).toHaveLength(1); // the TLS 1.2 master secret
      expect(lines.filter((l) => l.label === 'SERVER_TRAFFIC_SECRET_0')).toHaveLength(2);

      // The first connection's records decrypt with the logged secret: the echo is in them.
      const first = lines.find((l) => l.label === 'SERVER_TRAFFIC_SECRET_0')!;
      const plain = decryptServerAppData(proxy.serverToClient(), first.secret);
      expect(plain.toString()).toBe(msg.toString());
      // … and not with the other connection's secret (the check can fail).
      const other = lines.filter((l) => l.label === 'SERVER_TRAFFIC_SECRET_0')[1]!;
      expect(() => decryptServerAppData(proxy.serverToClient(), other.secret)).not.toThrow();
      expect(decryptServerAppData(proxy.serverToClient(), other.secret).length).toBe(0);

      // Debug logs of the whole session: no secret, in hex (either case) or base64.
      const logs = p.stderr() + p.stdout();
      expect(logs).toMatch(/ debug /);
      for (const l of lines) {
        const bytes = Buffer.from(l.secret, 'hex');
        for (const form of [l.secret, l.secret.toUpperCase(), bytes.toString('base64'), bytes.toString('base64url'), bytes.subarray(0, 12).toString('hex')]) {
          expect(logs.includes(form), `${l.label} leaked in the logs`).toBe(false);
        }
      }
    } finally {
      proxy.close();
    }
  }, 90_000);
});
