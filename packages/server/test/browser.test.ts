/**
 * A real browser against `puretls serve --www` (issue #7): Debian's Chromium (BoringSSL: GREASE,
 * X25519MLKEM768, ALPN, session tickets), headless, driven over the DevTools protocol. One Chromium
 * process loads the page, screenshots it, then loads it again on a new TLS connection, which
 * resumes the session with a ticket from the first one. Chromium reaches the server through a TCP
 * relay owned by the test, which ends every open connection before the second load: Chromium's
 * connection reuse (keep-alive, spare sockets) cannot decide which connection that load uses.
 *
 * The DevTools client is a minimal WebSocket client over `node:http` (client handshake, masked text
 * frames out, text frames in): no dependency, no browser download. Chromium comes from the project's
 * set-up (`scripts/setup.sh`, run by `pnpm test`); when it is missing every test fails naming that
 * command (this project skips none).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionSummary } from '../src/cli/www';
import { bundleCli, startCli, type CliProcess } from '@puretls/test-support/cli-process';
import { startTcpRelay, within, type TcpRelay } from '@puretls/test-support/net';
import { requireTool } from '@puretls/test-support/tools';

const CHROMIUM = '/usr/bin/chromium';
/** What BoringSSL may negotiate with a server that supports x25519 and X25519MLKEM768. */
const CHROMIUM_GROUPS = ['X25519MLKEM768', 'x25519'];

// ---------------------------------------------------------------------------------------------
// A minimal WebSocket client (RFC 6455), enough for the DevTools protocol.

class WsClient {
  private buf: Buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;
  onMessage: (text: string) => void = () => {};
  onClose: (why: string) => void = () => {};

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.parse();
    });
    socket.on('error', (e) => this.close(`socket error: ${e.message}`));
    socket.on('close', () => this.close('socket closed'));
  }

  /** Opens `url` (`ws://host:port/path`), bounded by `ms`. */
  static connect(url: string, ms = 10_000): Promise<WsClient> {
    const u = new URL(url);
    const key = randomBytes(16).toString('base64');
    const expected = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
    return within(
      ms,
      `WebSocket ${url}`,
      new Promise<WsClient>((resolve, reject) => {
        const req = httpRequest({
          host: u.hostname,
          port: Number(u.port),
          path: u.pathname + u.search,
          headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
        });
        req.on('upgrade', (res, socket, head) => {
          if (res.headers['sec-websocket-accept'] !== expected) {
            socket.destroy();
            return reject(new Error('bad Sec-WebSocket-Accept'));
          }
          const ws = new WsClient(socket);
          if (head.length > 0) socket.unshift(head);
          resolve(ws);
        });
        req.on('response', (res) => reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`)));
        req.on('error', reject);
        req.end();
      }),
    );
  }

  send(text: string): void {
    this.frame(0x1, Buffer.from(text, 'utf8'));
  }

  close(why = 'closed by us'): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.frame(0x8, Buffer.alloc(0));
    } catch {
      // the socket is gone already
    }
    this.socket.destroy();
    this.onClose(why);
  }

  /** Writes one masked frame (FIN set). */
  private frame(opcode: number, payload: Buffer): void {
    if (this.closed && opcode !== 0x8) throw new Error('WebSocket closed');
    const n = payload.length;
    const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n]) : n < 0x10000 ? Buffer.alloc(4) : Buffer.alloc(10);
    if (n >= 126 && n < 0x10000) {
      head[0] = 0x80 | opcode;
      head[1] = 0x80 | 126;
      head.writeUInt16BE(n, 2);
    } else if (n >= 0x10000) {
      head[0] = 0x80 | opcode;
      head[1] = 0x80 | 127;
      head.writeBigUInt64BE(BigInt(n), 2);
    }
    const mask = randomBytes(4);
    const masked = Buffer.alloc(n);
    for (let i = 0; i < n; i++) masked[i] = payload[i]! ^ mask[i & 3]!;
    this.socket.write(Buffer.concat([head, mask, masked]));
  }

  /** Reads every complete frame in the buffer (the server's frames are unmasked). */
  private parse(): void {
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0]!;
      const b1 = this.buf[1]!;
      let len = b1 & 0x7f;
      let at = 2;
      if (len === 126) {
        if (this.buf.length < 4) return;
        len = this.buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) return;
        len = Number(this.buf.readBigUInt64BE(2));
        at = 10;
      }
      const maskLen = b1 & 0x80 ? 4 : 0;
      if (this.buf.length < at + maskLen + len) return;
      let payload = this.buf.subarray(at + maskLen, at + maskLen + len);
      if (maskLen) {
        const mask = this.buf.subarray(at, at + 4);
        payload = Buffer.from(payload.map((x, i) => x ^ mask[i & 3]!));
      }
      this.buf = this.buf.subarray(at + maskLen + len);
      const opcode = b0 & 0x0f;
      if (opcode === 0x8) return this.close('closed by the peer');
      if (opcode === 0x9) {
        this.frame(0xa, Buffer.from(payload));
        continue;
      }
      if (opcode === 0xa) continue;
      // 0x1 text, 0x2 binary, 0x0 continuation
      this.fragments.push(Buffer.from(payload));
      if (b0 & 0x80) {
        const text = Buffer.concat(this.fragments).toString('utf8');
        this.fragments = [];
        this.onMessage(text);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A DevTools protocol session on one page target.

interface CdpEvent {
  method: string;
  params: Record<string, unknown>;
}

class Cdp {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void; method: string }>();
  private readonly waiters: { method: string; resolve: (e: CdpEvent) => void }[] = [];
  private closedWhy: string | undefined;

  constructor(private readonly ws: WsClient) {
    ws.onMessage = (text) => {
      const msg = JSON.parse(text) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown> };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(`${p.method}: ${msg.error.message}`));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method) {
        const i = this.waiters.findIndex((w) => w.method === msg.method);
        if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve({ method: msg.method, params: msg.params ?? {} });
      }
    };
    ws.onClose = (why) => {
      this.closedWhy = why;
      for (const p of this.pending.values()) p.reject(new Error(`DevTools connection ${why} during ${p.method}`));
      this.pending.clear();
    };
  }

  send(method: string, params: Record<string, unknown> = {}, ms = 15_000): Promise<Record<string, unknown>> {
    if (this.closedWhy !== undefined) return Promise.reject(new Error(`DevTools connection ${this.closedWhy}`));
    const id = ++this.nextId;
    const p = new Promise<Record<string, unknown>>((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
    this.ws.send(JSON.stringify({ id, method, params }));
    return within(ms, `DevTools ${method}`, p);
  }

  /** The next `method` event after this call. */
  event(method: string, ms = 15_000): Promise<CdpEvent> {
    return within(ms, `DevTools event ${method}`, new Promise<CdpEvent>((resolve) => this.waiters.push({ method, resolve })));
  }

  close(): void {
    this.ws.close();
  }
}

/** GET `url` as JSON (the DevTools HTTP endpoints), bounded by `ms`. */
function getJson<T>(url: string, ms = 5000): Promise<T> {
  return within(
    ms,
    `GET ${url}`,
    new Promise<T>((resolve, reject) => {
      httpGet(url, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as T);
          } catch (e) {
            reject(e as Error);
          }
        });
      }).on('error', reject);
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Chromium.

interface Browser {
  readonly proc: ChildProcess;
  readonly cdp: Cdp;
  stderr(): string;
}

/** Starts headless Chromium with a fresh profile and a DevTools port; connects to its page target. */
async function startChromium(profile: string, ms = 30_000): Promise<Browser> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--ignore-certificate-errors',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-dev-shm-usage',
    '--hide-scrollbars',
    '--window-size=1000,1400',
    `--user-data-dir=${profile}`,
    '--remote-debugging-port=0',
    'about:blank',
  ];
  const proc = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  try {
    // Chromium writes "<port>\n/devtools/browser/<id>" to DevToolsActivePort once it listens.
    const portFile = join(profile, 'DevToolsActivePort');
    const port = await within(
      ms,
      'Chromium to write DevToolsActivePort',
      new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          if (proc.exitCode !== null || proc.signalCode !== null) {
            clearInterval(timer);
            return reject(new Error(`Chromium exited (${proc.exitCode ?? proc.signalCode}): ${stderr}`));
          }
          if (!existsSync(portFile)) return;
          const m = /^(\d+)\n/.exec(readFileSync(portFile, 'utf8'));
          if (m) {
            clearInterval(timer);
            resolve(Number(m[1]));
          }
        }, 100);
      }),
    );
    const targets = await getJson<{ type: string; webSocketDebuggerUrl: string }[]>(`http://127.0.0.1:${port}/json/list`);
    const page = targets.find((t) => t.type === 'page');
    if (!page) throw new Error(`no page target in ${JSON.stringify(targets)}`);
    const cdp = new Cdp(await WsClient.connect(page.webSocketDebuggerUrl));
    await cdp.send('Page.enable');
    await cdp.send('Runtime.enable');
    return { proc, cdp, stderr: () => stderr };
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
}

/** Navigates to `url` and waits for its load event; returns the page's text. */
async function load(cdp: Cdp, url: string, ms = 20_000): Promise<string> {
  const loaded = cdp.event('Page.loadEventFired', ms);
  const nav = await cdp.send('Page.navigate', { url });
  if (typeof nav.errorText === 'string') throw new Error(`navigating to ${url}: ${nav.errorText}`);
  await loaded;
  return evaluate<string>(cdp, 'document.body.innerText');
}

async function evaluate<T>(cdp: Cdp, expression: string): Promise<T> {
  const r = await cdp.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (r.exceptionDetails) throw new Error(`${expression}: ${JSON.stringify(r.exceptionDetails)}`);
  return (r.result as { value: T }).value;
}

/** The value of the page's row `key` (innerText renders a row as "key\tvalue"). */
function row(text: string, key: string): string | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}\\t(.*)$`, 'm').exec(text)?.[1];
}

// ---------------------------------------------------------------------------------------------

let dir: string;
let cleanupBundle: () => void = () => {};
let server: CliProcess;
/** Chromium → relay → server: the test can end every connection Chromium holds. */
let relay: TcpRelay;
let browser: Browser | undefined;
/** Why the set-up failed: every test then fails with it (a failed beforeAll would report them skipped). */
let setupError: unknown;

beforeAll(async () => {
  try {
    requireTool(CHROMIUM, ['--version'], 'chromium');
    dir = mkdtempSync(join(tmpdir(), 'puretls-browser-'));
    const b = await bundleCli();
    cleanupBundle = b.cleanup;
    server = await startCli(b.script, ['--www', '--log-level', 'error']);
    relay = await startTcpRelay(server.port);
    browser = await startChromium(join(dir, 'profile'));
  } catch (e) {
    setupError = e;
  }
}, 700_000);
beforeEach(() => {
  if (setupError !== undefined) throw setupError;
});
afterAll(async () => {
  browser?.cdp.close();
  if (browser && browser.proc.exitCode === null && browser.proc.signalCode === null) {
    const exited = new Promise((resolve) => browser!.proc.on('exit', resolve));
    browser.proc.kill('SIGTERM');
    const timer = setTimeout(() => browser!.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await relay?.close();
  await server?.stop();
  cleanupBundle();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 20_000);

describe('Chromium (headless, DevTools protocol) → puretls serve --www', () => {
  let firstText = '';

  it('loads the page over TLS 1.3: the page names TLSv1.3, a hybrid or x25519 group, the cipher, SNI, ALPN', async () => {
    const { cdp } = browser!;
    firstText = await load(cdp, `https://localhost:${relay.port}/`);
    expect(firstText).toMatch(/^New, TLSv1\.3, Cipher is TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/m);
    expect(row(firstText, 'Protocol')).toBe('TLSv1.3');
    expect(row(firstText, 'Cipher')).toMatch(/^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$/);
    expect(CHROMIUM_GROUPS).toContain(row(firstText, 'Group'));
    expect(row(firstText, 'Signature scheme')).toBe('ecdsa_secp256r1_sha256');
    expect(row(firstText, 'SNI')).toBe('localhost');
    expect(row(firstText, 'ALPN')).toBe('http/1.1');
    expect(row(firstText, 'HelloRetryRequest')).toBe('no');
    expect(row(firstText, 'Session reused')).toBe('no');
    // The same connection answers /stats.json (keep-alive): the JSON agrees with the page.
    const stats = await evaluate<ConnectionSummary>(cdp, "fetch('/stats.json').then((r) => r.json())");
    expect(stats.protocol).toBe('TLSv1.3');
    expect(stats.cipher).toBe(row(firstText, 'Cipher'));
    expect(stats.group).toBe(row(firstText, 'Group'));
    expect(stats.sni).toBe('localhost');
  }, 60_000);

  it('renders: a screenshot is a PNG of the window size', async () => {
    const { cdp } = browser!;
    const shot = await cdp.send('Page.captureScreenshot', { format: 'png' }, 30_000);
    const png = Buffer.from(shot.data as string, 'base64');
    const file = join(dir, 'page.png');
    writeFileSync(file, png);
    if (process.env.PURETLS_BROWSER_SCREENSHOT) writeFileSync(process.env.PURETLS_BROWSER_SCREENSHOT, png);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    expect(width).toBeGreaterThanOrEqual(800);
    expect(height).toBeGreaterThanOrEqual(600);
    // A rendered page of text and tables, not a blank or error page: several KiB of PNG.
    expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(statSync(file).size).toBeLessThan(5_000_000);
  }, 60_000);

  it('a second load on a new connection resumes the session (TLS 1.3 ticket): the page says so', async () => {
    const { cdp } = browser!;
    // Chromium keeps the first connection alive and may hold spare ones opened before that
    // connection's tickets arrived; the relay ends them all, so this load needs a new connection,
    // opened after the tickets were stored (they precede the first page's answer on the wire).
    const acceptedBefore = relay.accepted();
    expect(await relay.dropAll()).toBeGreaterThanOrEqual(1);
    expect(relay.open()).toBe(0);
    const text = await load(cdp, `https://localhost:${relay.port}/?again`);
    expect(relay.accepted()).toBeGreaterThan(acceptedBefore);
    expect(row(text, 'Requests on this connection'), text).toBe('1');
    expect(row(text, 'Client')).not.toBe(row(firstText, 'Client'));
    expect(row(text, 'Session reused')).toBe('yes (stateless ticket)');
    expect(row(text, 'PSK mode')).toBe('psk_dhe_ke');
    expect(text).toMatch(/^Reused, TLSv1\.3, Cipher is TLS_\w+$/m);
    expect(row(text, 'Protocol')).toBe('TLSv1.3');
    expect(CHROMIUM_GROUPS).toContain(row(text, 'Group'));
    expect(row(text, 'SNI')).toBe('localhost');
    const stats = await evaluate<ConnectionSummary>(cdp, "fetch('/stats.json').then((r) => r.json())");
    expect(stats.resumed).toBe(true);
    expect(stats.resumption).toBe('stateless ticket');
  }, 60_000);
});
