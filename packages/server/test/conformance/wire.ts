/**
 * Byte-level conformance set-up: the same hostile bytes sent to `puretls` (through the Node adapter,
 * so that what reaches the wire is what we check) and to `openssl s_server`, each on port 0, with a
 * test client that reads — and, under TLS 1.3 handshake keys, decrypts — what comes back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { createNobleProvider, type CryptoProvider } from '@puretls/crypto';
import { createEncrypter, type RecordEncrypter, type TrafficKeys } from '@puretls/record-layer';
import type { ServerContextOptions } from '../../src/index';
import { CertDir, type TestCert } from '@puretls/test-support/certs';
import { connectTcp, startServer, within, type RunningServer } from '@puretls/test-support/net';
import { TestClient13 } from '@puretls/test-support/tls13-client';
import { TestClient12 } from '@puretls/test-support/tls12-client';

/** A server under test, listening on 127.0.0.1:`port`. */
export interface Peer {
  readonly name: 'puretls' | 'openssl';
  readonly port: number;
  stop(): Promise<void>;
}

/** `openssl s_server -www` on an ephemeral port (it prints the port it bound). */
export async function startOpenssl(cert: TestCert, extra: readonly string[] = []): Promise<Peer> {
  const child: ChildProcess = spawn('openssl', ['s_server', '-accept', '0', '-cert', cert.certFile, '-key', cert.keyFile, '-www', ...extra], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await within(
    10_000,
    'openssl s_server ACCEPT line',
    new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = /ACCEPT .*:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`openssl s_server exited (${code}): ${out}`)));
    }),
  ).catch((e: unknown) => {
    child.kill('SIGKILL'); // never leave it running when it did not start as expected
    throw e;
  });
  return {
    name: 'openssl',
    port,
    stop: () =>
      within(
        5000,
        'openssl s_server exit',
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
      ),
  };
}

/** `createServer` with `cert` (an HTTP-ish answer to any data, like `s_server -www`). */
export async function startPuretls(cert: TestCert, options: Partial<ServerContextOptions> = {}): Promise<Peer & { readonly running: RunningServer }> {
  const running = await startServer({ certificates: [{ cert: cert.cert, key: cert.key }], ...options } as ServerContextOptions, (s) => {
    s.once('data', () => s.end('HTTP/1.0 200 ok\r\n\r\nhello\n'));
  });
  return { name: 'puretls', port: running.port, running, stop: () => running.close() };
}

/** What a raw client saw from a server: every byte, and whether (and how) the server closed. */
export class Wire {
  private chunks: Buffer[] = [];
  ended = false;
  reset = false;
  private listeners: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {
      this.reset = true;
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  static async connect(port: number): Promise<Wire> {
    return new Wire(await connectTcp(port));
  }

  private wake(): void {
    for (const l of this.listeners.splice(0)) l();
  }

  /** Bytes received and not yet taken. */
  take(): Uint8Array {
    const b = Buffer.concat(this.chunks);
    this.chunks = [];
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  /** Sends `bytes` (ignored once the server has closed: a reset would hide what it sent). */
  send(...parts: Uint8Array[]): void {
    if (this.ended || this.reset) return;
    for (const p of parts) this.socket.write(p);
  }

  /** Waits until `cond()` holds or the server closes, at most `ms` (then rejects). */
  async until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
    await within(
      ms,
      what,
      (async () => {
        while (!cond() && !this.ended && !this.reset) await new Promise<void>((r) => this.listeners.push(r));
      })(),
    );
  }

  /** Waits for the server to close the connection (bounded). */
  closed(ms = 10_000): Promise<void> {
    return this.until('server closes the connection', () => false, ms);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A TLS 1.3 test client on a wire: feeds it what arrives. */
export class Client13 {
  readonly client = new TestClient13(createNobleProvider());
  private constructor(readonly wire: Wire) {}

  static async connect(port: number): Promise<Client13> {
    return new Client13(await Wire.connect(port));
  }

  /** Feeds what arrived to the client; parsing stops at the first record it cannot read. */
  pump(): void {
    const b = this.wire.take();
    if (b.length === 0) return;
    try {
      this.client.receive(b);
    } catch {
      // The server's bytes are not ours to judge here; what was read (alerts) stays.
    }
  }

  async until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
    await this.wire.until(what, () => (this.pump(), cond()), ms);
    this.pump();
  }

  /** Sends the ClientHello record(s) and waits for the server's Finished (or its refusal). */
  async hello(records: Uint8Array): Promise<void> {
    this.wire.send(records);
    await this.until('server Finished', () => this.client.serverFinishedOk !== undefined || this.client.alerts.length > 0);
  }

  private finished = false;
  /** Sends the client's Finished (once the server's has arrived). */
  async finish(): Promise<void> {
    await this.until('server Finished', () => this.client.serverFinishedOk !== undefined);
    if (this.finished || this.client.serverFinishedOk === undefined) return;
    this.finished = true;
    this.wire.send(this.client.finish());
  }

  /** Completes the handshake if needed, sends an HTTP request, and waits for the answer (or the close). */
  async request(): Promise<void> {
    await this.finish();
    if (this.client.serverFinishedOk) this.wire.send(this.client.sendApplicationData(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n')));
    await this.until('application data', () => this.client.appData.length > 0);
  }

  /** Waits for the close, then returns the alerts received (descriptions). */
  async alertsAtClose(ms = 10_000): Promise<number[]> {
    await this.wire.closed(ms);
    this.pump();
    return [...this.client.alerts];
  }
}

/** A TLS 1.2 test client on a wire. */
export class Client12 {
  readonly client = new TestClient12(createNobleProvider());
  private constructor(readonly wire: Wire) {}

  static async connect(port: number): Promise<Client12> {
    return new Client12(await Wire.connect(port));
  }

  pump(): void {
    const b = this.wire.take();
    if (b.length === 0) return;
    try {
      this.client.receive(b);
    } catch {
      // see Client13.pump
    }
  }

  async until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
    await this.wire.until(what, () => (this.pump(), cond()), ms);
    this.pump();
  }

  /** Sends the ClientHello and waits for ServerHelloDone (type 14), a resumed Finished, or a refusal. */
  async hello(records: Uint8Array): Promise<void> {
    this.wire.send(records);
    await this.until('ServerHelloDone', () => this.client.received.some((m) => m.type === 14) || this.client.serverFinishedOk !== undefined || this.client.alerts.length > 0);
  }

  private finished = false;
  /** Sends the client's second flight (once ServerHelloDone, or the resumed Finished, has arrived). */
  async finish(): Promise<void> {
    await this.until('ServerHelloDone', () => this.client.received.some((m) => m.type === 14) || this.client.serverFinishedOk !== undefined);
    if (this.finished || this.client.alerts.some((a) => a.level === 2)) return;
    this.finished = true;
    this.wire.send(this.client.finish());
    await this.until('server Finished', () => this.client.serverFinishedOk !== undefined);
  }

  /** Completes the handshake if needed, sends an HTTP request, and waits for the answer (or the close). */
  async request(): Promise<void> {
    await this.finish();
    if (this.client.serverFinishedOk) this.wire.send(this.client.sendApplicationData(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n')));
    await this.until('application data', () => this.client.appData.length > 0);
  }

  async alertsAtClose(ms = 10_000): Promise<{ level: number; description: number }[]> {
    await this.wire.closed(ms);
    this.pump();
    return [...this.client.alerts];
  }
}

/** Certificates for one test file (RSA and ECDSA), removed by `cleanup()`. */
export function testCerts(): { dir: CertDir; ecdsa: TestCert; rsa: TestCert } {
  const dir = new CertDir();
  return { dir, ecdsa: dir.make('p256'), rsa: dir.make('rsa2048') };
}

/** Wraps `payload` in records of `type`, at most `max` bytes each (a TLS 1.2/1.3 plaintext record header). */
export function records(payload: Uint8Array, max = 16384, type = 22, version = 0x0301): Uint8Array {
  const n = Math.max(1, Math.ceil(payload.length / max));
  const out = new Uint8Array(payload.length + 5 * n);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const part = payload.subarray(i * max, Math.min(payload.length, (i + 1) * max));
    out.set([type, version >> 8, version & 0xff, part.length >> 8, part.length & 0xff], o);
    out.set(part, o + 5);
    o += 5 + part.length;
  }
  return out;
}

/**
 * Seals records of any content type, length and padding under one key, with its own sequence
 * numbers (0, 1, …): what a hostile client sends that a well-behaved record layer would refuse to.
 */
export class Sealer {
  private readonly e: RecordEncrypter;
  constructor(provider: CryptoProvider, keys: TrafficKeys) {
    this.e = createEncrypter(provider, keys);
  }
  record(type: number, content: Uint8Array, padding = 0): Uint8Array {
    const out = new Uint8Array(this.e.recordLength(content.length, padding));
    this.e.sealInto(type as 20, content, padding, out, 0);
    return out;
  }
}
