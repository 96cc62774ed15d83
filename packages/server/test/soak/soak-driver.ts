/**
 * The soak driver (issue #10): many connections over loopback against an in-process
 * `createServer` (echo), from two concurrent client loops, each connection one of: a full TLS 1.3
 * or TLS 1.2 handshake with data, a resumption (TLS 1.3 PSK from a stateful single-use ticket, or
 * TLS 1.2), a disconnect at a random moment (mid-handshake included), a TCP reset after the
 * handshake, a half-sent ClientHello (then FIN, reset or silence until the handshake timeout), or
 * garbage. Seeded, bounded in count and time.
 *
 * It reports what must hold after such a run: the heap back within a few MB of where it started
 * (both after GC, with the session cache full at both points), no leaked sockets or timers (Node's
 * active resources, the server's connection counts), the session cache never above its bound, and
 * the statistics adding up: `accept = acceptGood + handshakeFailures`.
 *
 * Used by soak.test.ts (short, in CI) and main.ts (`pnpm soak`: 20,000 connections).
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { createNobleProvider, createSelfSignedCertificate, generateEcdsaP256Key, privateKeyToPem } from '@puretls/crypto';
import { createServer, type PureTlsServer } from '../../src/node';
import { TestClient13 } from '@puretls/test-support/tls13-client';

export interface SoakOptions {
  /** Connections in the measured run (after the warm-up). */
  readonly connections: number;
  /** Connections before the start measurement (fills the session cache, warms the JIT). Default min(1000, connections / 5). */
  readonly warmup?: number;
  /** Concurrent client loops. Default 2. */
  readonly clients?: number;
  /** Stop early after this long (ms); the report says how many ran. Default 30 min. */
  readonly maxDurationMs?: number;
  /** The server's session cache bound. Default 256. */
  readonly sessionCacheSize?: number;
  /** `'noble'` (default) or `'node'` crypto in the server. */
  readonly crypto?: 'noble' | 'node';
  /** Heap measurements (after GC, server quiet) spread over the run; the last one is the end. Default 1. */
  readonly checkpoints?: number;
  /** PRNG seed. Default 1. */
  readonly seed?: number;
  /** Progress lines (default none). */
  readonly log?: (line: string) => void;
}

export const SCENARIOS = ['full13', 'full12', 'resume', 'abort', 'reset', 'halfHello', 'garbage'] as const;
export type Scenario = (typeof SCENARIOS)[number];
/** Relative weights of the scenarios. */
const WEIGHTS: Readonly<Record<Scenario, number>> = { full13: 26, full12: 10, resume: 26, abort: 12, reset: 8, halfHello: 12, garbage: 6 };

export interface SoakReport {
  readonly connections: number;
  readonly completedAll: boolean;
  readonly durationMs: number;
  readonly byScenario: Readonly<Record<Scenario, number>>;
  /** Client operations that hit the per-connection timeout (a hang). Must be 0. */
  readonly hung: number;
  /** Client-side surprises (an echo that did not match, a resumption that did not resume …). */
  readonly clientErrors: readonly string[];
  readonly resumed: number;
  readonly heapStartBytes: number;
  readonly heapEndBytes: number;
  readonly heapDeltaBytes: number;
  /** Heap after GC at the end of each equal part of the run (see `SoakOptions.checkpoints`). */
  readonly heapCheckpointsBytes: readonly number[];
  readonly rssEndBytes: number;
  readonly activeResourcesStart: Readonly<Record<string, number>>;
  readonly activeResourcesEnd: Readonly<Record<string, number>>;
  readonly serverConnectionsEnd: number;
  readonly serverHandshakingEnd: number;
  readonly serverBufferedEnd: number;
  readonly cacheBound: number;
  readonly cacheMaxSeen: number;
  readonly stats: {
    readonly accept: number;
    readonly acceptGood: number;
    readonly handshakeFailures: number;
    readonly hits: number;
    readonly misses: number;
    readonly cacheFull: number;
    readonly number: number;
  };
}

/** Per-connection bound: any client operation longer than this counts as a hang. */
const OP_TIMEOUT_MS = 10_000;
/** The server's handshake timeout (silent half-sent ClientHellos end by it). */
const HANDSHAKE_TIMEOUT_MS = 1500;

/** xorshift32: deterministic, not for secrets. */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

/** `global.gc`, exposed at run time when node was started without --expose-gc. */
export function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function settleHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

/** Active resources by type (what keeps the loop alive: sockets, servers, ref'd timers). */
function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of process.getActiveResourcesInfo()) out[t] = (out[t] ?? 0) + 1;
  return out;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves when `cond()` holds (polled every 10 ms), or `false` after `ms`. */
async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}

interface Target {
  readonly port: number;
  readonly sessions: { data: Buffer; version: 'TLSv1.2' | 'TLSv1.3' }[];
  readonly random: () => number;
  readonly clientHello: Uint8Array;
  readonly errors: string[];
  /** Silent half-sent ClientHellos waiting for the server's timeout, off the client loops. */
  readonly background: Set<Promise<string>>;
  resumed: number;
}

/** Settles with 'ok' / 'hung'; never rejects. */
function bounded(run: (done: (why?: string) => void) => void): Promise<'ok' | 'hung' | string> {
  return new Promise((resolve) => {
    let finished = false;
    const timer = setTimeout(() => finish('hung'), OP_TIMEOUT_MS);
    function finish(why?: string): void {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      resolve(why ?? 'ok');
    }
    try {
      run(finish);
    } catch (e) {
      finish(`threw: ${(e as Error).message}`);
    }
  });
}

/** A TLS client that handshakes, echoes `n` bytes and closes cleanly. */
function echoSession(t: Target, version: 'TLSv1.2' | 'TLSv1.3', session: Buffer | undefined): Promise<string> {
  return bounded((done) => {
    const n = 1 + Math.floor(t.random() * 4096);
    const data = Buffer.alloc(n, 0x61 + (n % 26));
    let got = 0;
    const s = tlsConnect({ host: '127.0.0.1', port: t.port, rejectUnauthorized: false, minVersion: version, maxVersion: version, servername: 'localhost', ...(session ? { session } : {}) });
    s.on('session', (d: Buffer) => {
      if (t.sessions.length >= 32) t.sessions.splice(Math.floor(t.random() * t.sessions.length), 1);
      t.sessions.push({ data: d, version });
    });
    s.on('error', (e) => done(`tls ${version} error: ${e.message}`));
    s.on('secureConnect', () => {
      if (session && s.isSessionReused()) t.resumed++;
      s.write(data);
    });
    s.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= n) s.end();
    });
    s.on('close', () => done(got === n ? undefined : `echo: ${got} of ${n} bytes`));
  });
}

/** A TLS client destroyed after 0–4 ms, wherever its handshake is. */
function abort(t: Target): Promise<string> {
  return bounded((done) => {
    const s = tlsConnect({ host: '127.0.0.1', port: t.port, rejectUnauthorized: false, servername: 'localhost' });
    s.on('error', () => {});
    s.on('close', () => done());
    setTimeout(() => s.destroy(), Math.floor(t.random() * 5));
  });
}

/** A TLS 1.3 handshake over our own TCP socket, then an RST instead of close_notify/FIN. */
function reset(t: Target): Promise<string> {
  return bounded((done) => {
    const tcp: Socket = netConnect(t.port, '127.0.0.1');
    tcp.on('error', () => {});
    tcp.on('close', () => done());
    const s: TLSSocket = tlsConnect({ socket: tcp, rejectUnauthorized: false, servername: 'localhost' });
    s.on('error', () => {});
    s.on('secureConnect', () => {
      s.write('x');
      setTimeout(() => tcp.resetAndDestroy(), Math.floor(t.random() * 3));
    });
  });
}

/**
 * Part of a ClientHello, then FIN, RST, or silence until the server's handshake timeout (those
 * wait in the background, so that the client loop goes on: slow clients pile up meanwhile).
 */
function halfHello(t: Target): Promise<string> {
  const silent = t.random() >= 0.8;
  const op = bounded((done) => {
    const tcp: Socket = netConnect(t.port, '127.0.0.1');
    const k = 1 + Math.floor(t.random() * (t.clientHello.length - 1));
    const fin = t.random() < 0.5;
    const delay = Math.floor(t.random() * 5);
    tcp.on('error', () => {});
    tcp.on('close', () => done());
    tcp.on('connect', () => {
      tcp.write(t.clientHello.subarray(0, k));
      tcp.resume();
      if (silent) return; // the server's timeout closes it (and we see the close)
      if (fin) tcp.end();
      else setTimeout(() => tcp.resetAndDestroy(), delay);
    });
  });
  if (!silent) return op;
  t.background.add(op);
  void op.then(() => t.background.delete(op));
  return Promise.resolve('ok');
}

/** Random bytes: the server answers with an alert (or nothing) and closes. */
function garbage(t: Target): Promise<string> {
  return bounded((done) => {
    const tcp: Socket = netConnect(t.port, '127.0.0.1');
    tcp.on('error', () => {});
    tcp.on('close', () => done());
    tcp.on('connect', () => {
      const b = Buffer.alloc(1 + Math.floor(t.random() * 600));
      for (let i = 0; i < b.length; i++) b[i] = Math.floor(t.random() * 256);
      if (t.random() < 0.5) b[0] = 22; // looks like a handshake record
      tcp.end(b);
      tcp.resume();
    });
  });
}

function pick(random: () => number): Scenario {
  const total = SCENARIOS.reduce((n, s) => n + WEIGHTS[s], 0);
  let r = random() * total;
  for (const s of SCENARIOS) {
    r -= WEIGHTS[s];
    if (r < 0) return s;
  }
  return 'full13';
}

async function one(t: Target, scenario: Scenario): Promise<string> {
  switch (scenario) {
    case 'full13':
      return echoSession(t, 'TLSv1.3', undefined);
    case 'full12':
      return echoSession(t, 'TLSv1.2', undefined);
    case 'resume': {
      const s = t.sessions.length > 0 ? t.sessions.splice(Math.floor(t.random() * t.sessions.length), 1)[0]! : undefined;
      return echoSession(t, s?.version ?? 'TLSv1.3', s?.data);
    }
    case 'abort':
      return abort(t);
    case 'reset':
      return reset(t);
    case 'halfHello':
      return halfHello(t);
    case 'garbage':
      return garbage(t);
  }
}

/** Runs `count` connections from `clients` concurrent loops; stops early at `deadline`. */
async function drive(t: Target, count: number, clients: number, deadline: number, onEach: (s: Scenario, result: string) => void): Promise<number> {
  let next = 0;
  const loop = async () => {
    while (next < count && Date.now() < deadline) {
      next++;
      const s = pick(t.random);
      onEach(s, await one(t, s));
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  return next;
}

/** Runs the soak; resolves with the report (never throws for what the connections do). */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => {});
  const gc = getGc();
  const random = prng(options.seed ?? 1);
  const bound = options.sessionCacheSize ?? 256;
  const clients = options.clients ?? 2;
  const warmup = options.warmup ?? Math.min(1000, Math.floor(options.connections / 5));
  const p = createNobleProvider();
  const key = generateEcdsaP256Key(p);
  const cert = createSelfSignedCertificate(p, { key, commonName: 'localhost', dnsNames: ['localhost'] }).pem;
  const server: PureTlsServer = createServer(
    {
      certificates: [{ cert, key: privateKeyToPem(key) }],
      crypto: options.crypto ?? 'noble',
      tickets: 'stateful', // TLS 1.3 tickets in the cache too: the bound is exercised
      sessionCacheSize: bound,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    },
    (s) => {
      s.on('error', () => {});
      s.pipe(s);
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const hello = new TestClient13(p);
  const t: Target = {
    port: addr.port,
    sessions: [],
    random,
    clientHello: TestClient13.plaintextRecord(hello.buildClientHello({ shareGroups: ['x25519'] })),
    errors: [],
    background: new Set(),
    resumed: 0,
  };
  const byScenario = Object.fromEntries(SCENARIOS.map((s) => [s, 0])) as Record<Scenario, number>;
  let hung = 0;
  let cacheMaxSeen = 0;
  const onEach = (s: Scenario, result: string) => {
    byScenario[s]++;
    if (result === 'hung') hung++;
    else if (result !== 'ok' && (s === 'full13' || s === 'full12' || s === 'resume') && t.errors.length < 20) t.errors.push(`${s}: ${result}`);
    cacheMaxSeen = Math.max(cacheMaxSeen, server.context.sessionStats.number);
  };
  const quiet = async () => {
    for (const r of await Promise.all([...t.background])) if (r === 'hung') hung++;
    await waitFor(() => server.connectionCount === 0 && server.handshakingCount === 0, 15_000);
  };
  const deadline = Date.now() + (options.maxDurationMs ?? 30 * 60_000);

  try {
    log(`warm-up: ${warmup} connections`);
    await drive(t, warmup, clients, deadline, onEach);
    await quiet();
    await sleep(50);
    const heapStartBytes = await settleHeap(gc);
    const activeResourcesStart = activeResources();
    // Warm-up connections are not part of the measured counts.
    for (const s of SCENARIOS) byScenario[s] = 0;
    const t0 = Date.now();
    let done = 0;
    const progressEvery = Math.max(1000, Math.floor(options.connections / 10));
    // The run in equal parts, each ending quiet and measured after GC: a leak shows as a heap
    // that keeps growing from checkpoint to checkpoint, noise as one that levels off.
    const parts = Math.max(1, Math.min(options.checkpoints ?? 1, options.connections));
    const heapCheckpointsBytes: number[] = [];
    let ran = 0;
    for (let i = 0; i < parts && Date.now() < deadline; i++) {
      const n = Math.floor((options.connections * (i + 1)) / parts) - Math.floor((options.connections * i) / parts);
      ran += await drive(t, n, clients, deadline, (s, r) => {
        onEach(s, r);
        if (++done % progressEvery === 0) log(`${done}/${options.connections} connections, ${((Date.now() - t0) / 1000).toFixed(0)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(1)} MiB, cache ${server.context.sessionStats.number}`);
      });
      await quiet();
      await sleep(50);
      heapCheckpointsBytes.push(await settleHeap(gc));
    }
    const durationMs = Date.now() - t0;
    const heapEndBytes = heapCheckpointsBytes[heapCheckpointsBytes.length - 1] ?? (await settleHeap(gc));
    const activeResourcesEnd = activeResources();
    const st = server.context.sessionStats;
    return {
      connections: ran,
      completedAll: ran === options.connections,
      durationMs,
      byScenario,
      hung,
      clientErrors: t.errors,
      resumed: t.resumed,
      heapStartBytes,
      heapEndBytes,
      heapDeltaBytes: heapEndBytes - heapStartBytes,
      heapCheckpointsBytes,
      rssEndBytes: process.memoryUsage().rss,
      activeResourcesStart,
      activeResourcesEnd,
      serverConnectionsEnd: server.connectionCount,
      serverHandshakingEnd: server.handshakingCount,
      serverBufferedEnd: server.handshakeBufferedBytes,
      cacheBound: bound,
      cacheMaxSeen,
      stats: {
        accept: st.accept,
        acceptGood: st.acceptGood,
        handshakeFailures: server.handshakeFailures,
        hits: st.hits,
        misses: st.misses,
        cacheFull: st.cacheFull,
        number: st.number,
      },
    };
  } finally {
    await new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  }
}

/** The checks the report must pass, as messages (empty = all good). `heapSlackBytes`: "a few MB". */
export function soakProblems(r: SoakReport, heapSlackBytes: number): string[] {
  const problems: string[] = [];
  if (r.hung > 0) problems.push(`${r.hung} connections hung`);
  if (r.clientErrors.length > 0) problems.push(`client errors: ${r.clientErrors.join('; ')}`);
  if (r.heapDeltaBytes > heapSlackBytes) problems.push(`heap grew by ${(r.heapDeltaBytes / 2 ** 20).toFixed(2)} MiB`);
  for (const k of new Set([...Object.keys(r.activeResourcesStart), ...Object.keys(r.activeResourcesEnd)])) {
    if ((r.activeResourcesEnd[k] ?? 0) > (r.activeResourcesStart[k] ?? 0)) problems.push(`active ${k}: ${r.activeResourcesStart[k] ?? 0} → ${r.activeResourcesEnd[k]}`);
  }
  if (r.serverConnectionsEnd !== 0 || r.serverHandshakingEnd !== 0 || r.serverBufferedEnd !== 0) {
    problems.push(`server still holds ${r.serverConnectionsEnd} connections, ${r.serverHandshakingEnd} handshakes, ${r.serverBufferedEnd} bytes`);
  }
  if (r.cacheMaxSeen > r.cacheBound) problems.push(`session cache reached ${r.cacheMaxSeen} > ${r.cacheBound}`);
  const { accept, acceptGood, handshakeFailures } = r.stats;
  if (accept !== acceptGood + handshakeFailures) problems.push(`accept ${accept} ≠ acceptGood ${acceptGood} + failures ${handshakeFailures}`);
  return problems;
}

/** The report as text lines. */
export function formatReport(r: SoakReport): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
  return [
    `connections: ${r.connections}${r.completedAll ? '' : ' (stopped at the time limit)'} in ${(r.durationMs / 1000).toFixed(1)} s (${((r.connections * 1000) / Math.max(1, r.durationMs)).toFixed(0)}/s)`,
    `  by scenario: ${SCENARIOS.map((s) => `${s} ${r.byScenario[s]}`).join(', ')}; resumed ${r.resumed} (whole run)`,
    `heap (after GC): start ${mib(r.heapStartBytes)}, end ${mib(r.heapEndBytes)}, delta ${(r.heapDeltaBytes / 2 ** 20).toFixed(2)} MiB; rss ${mib(r.rssEndBytes)}`,
    `  checkpoints: ${r.heapCheckpointsBytes.map((b) => (b / 2 ** 20).toFixed(2)).join(' → ')} MiB`,
    `active resources: start ${JSON.stringify(r.activeResourcesStart)}, end ${JSON.stringify(r.activeResourcesEnd)}`,
    `server at the end: ${r.serverConnectionsEnd} connections, ${r.serverHandshakingEnd} handshaking, ${r.serverBufferedEnd} bytes buffered`,
    `session cache: max ${r.cacheMaxSeen} (bound ${r.cacheBound}), now ${r.stats.number}, evicted ${r.stats.cacheFull}`,
    `stats (whole run): accept ${r.stats.accept} = acceptGood ${r.stats.acceptGood} + failures ${r.stats.handshakeFailures}; hits ${r.stats.hits}, misses ${r.stats.misses}`,
    `hung: ${r.hung}; client errors: ${r.clientErrors.length}`,
  ].join('\n');
}
