/**
 * bench/handshake: server CPU per handshake, in memory (no sockets). A live test client drives
 * each handshake; only the time inside the server's calls (`receive` + `takeOutput`) is counted
 * (`process.cpuUsage`). Beside every case, the bare cost of exactly the crypto calls the server
 * made in that kind of handshake (recorded once on a twin context, replayed on a fresh provider)
 * is measured in the same run, rounds interleaved (case, its crypto, next case, its crypto, …).
 *
 * Cases, for both crypto providers (noble, node):
 * - TLS 1.3 full: X25519 with ECDSA P-256, Ed25519 and RSA-2048 certificates; X25519MLKEM768
 *   with ECDSA P-256.
 * - TLS 1.3 resumed (X25519, ECDSA P-256): psk_dhe_ke and psk_ke, stateless and stateful tickets.
 * - TLS 1.2 full (ECDHE-ECDSA and ECDHE-RSA, AES-128-GCM) and resumed by session id and by
 *   RFC 5077 ticket.
 *
 * Rows: `handshake_<full|resumed>_<1.2|1.3>_<group>_<cert>[_<kind>]_server_<provider>` with the
 * peer `…_server_bare-<provider>` (ratio = handshake / its crypto alone; the target for
 * noble full handshakes is ≤ 1.15). Run: `node bench/run.mjs handshake [--quick]`.
 */
import { execFileSync } from 'node:child_process';
import {
  createNobleProvider,
  createNodeProvider,
  createSelfSignedCertificate,
  generateEcdsaP256Key,
  parsePrivateKey,
  privateKeyToPem,
  type CryptoProvider,
  type NamedGroup,
  type PrivateKey,
} from '@puretls/crypto';
import { seededRandom } from '@puretls/crypto/testing';
import { ServerConnection, ServerContext, type ServerContextOptions } from '@puretls/server';
import { TestClient13, type ClientTicket } from '@puretls/test-support/tls13-client';
import { TestClient12, type ClientHello12Options, type ClientSession12 } from '@puretls/test-support/tls12-client';
import { CallRecorder, type Call } from './recording-provider';
import { cpuMs, interleave, quick } from '../lib/measure';
import { emit } from '../lib/rows';

type CertType = 'ecdsa-p256' | 'ed25519' | 'rsa-2048';
const FULL13: { group: NamedGroup; cert: CertType }[] = [
  { group: 'x25519', cert: 'ecdsa-p256' },
  { group: 'x25519', cert: 'ed25519' },
  { group: 'x25519', cert: 'rsa-2048' },
  { group: 'X25519MLKEM768', cert: 'ecdsa-p256' },
];
const PROVIDERS: Record<'noble' | 'node', (seed: number) => CryptoProvider> = {
  noble: (seed) => createNobleProvider({ random: seededRandom(seed) }),
  node: (seed) => createNodeProvider({ random: seededRandom(seed) }),
};
/** Least handshakes per round, most per round, CPU ms a round aims at, rounds per case. */
const N = quick ? 3 : 20;
const MAX_PER_ROUND = quick ? 20 : 400;
const ROUND_MS = quick ? 3 : 40;
const ROUNDS = quick ? 2 : 7;
const clientProvider = createNodeProvider();

const keyCache = new Map<CertType, { key: string; cert: string }>();
function certificate(type: CertType): { key: string; cert: string } {
  const hit = keyCache.get(type);
  if (hit) return hit;
  const keyProvider = createNobleProvider({ random: seededRandom(7) });
  let key: PrivateKey;
  switch (type) {
    case 'ecdsa-p256':
      key = generateEcdsaP256Key(keyProvider);
      break;
    case 'ed25519':
      key = parsePrivateKey(new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, ...keyProvider.random(32)]));
      break;
    case 'rsa-2048':
      key = parsePrivateKey(execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      break;
  }
  const out = { key: privateKeyToPem(key), cert: createSelfSignedCertificate(keyProvider, { key, commonName: 'localhost' }).pem };
  keyCache.set(type, out);
  return out;
}

/**
 * Two contexts with the same options: one timed (plain provider), one whose provider records
 * its crypto calls (the recording proxy costs time, so it never runs in a timed handshake).
 */
function contexts(pname: keyof typeof PROVIDERS, cert: CertType, extra: Partial<ServerContextOptions>): { ctx: ServerContext; rctx: ServerContext; recorder: CallRecorder } {
  const recorder = new CallRecorder();
  const base = { certificates: [certificate(cert)], ...extra };
  return {
    ctx: new ServerContext({ ...base, crypto: PROVIDERS[pname](1) }),
    rctx: new ServerContext({ ...base, crypto: recorder.wrap(PROVIDERS[pname](1)) }),
    recorder,
  };
}

/** One TLS 1.3 server handshake: returns server CPU ms. The client's work is not counted. */
function handshake13(ctx: ServerContext, group: NamedGroup, resume?: { ticket: ClientTicket; pskModes: number[] }): number {
  const client = new TestClient13(clientProvider);
  let t = 0;
  const ch = TestClient13.plaintextRecord(
    client.buildClientHello({
      shareGroups: [group],
      groups: [0x11ec, 0x001d, 0x0017, 0x0018],
      ...(resume ? { pskModes: resume.pskModes, resume: { tickets: [resume.ticket] } } : {}),
    }),
  );
  const conn = new ServerConnection(ctx);
  let failed: Error | undefined;
  conn.on('error', (e) => (failed = e));
  let out: Uint8Array = new Uint8Array(0);
  t += cpuMs(() => {
    conn.receive(ch);
    out = conn.takeOutput();
  });
  client.receive(out);
  const fin = client.finish();
  t += cpuMs(() => {
    conn.receive(fin);
    conn.takeOutput();
  });
  if (failed || conn.phase !== 'open') throw new Error(`handshake failed: ${failed?.message ?? conn.phase}`);
  if (resume && !conn.info?.resumed) throw new Error('expected a resumed handshake');
  return t;
}

/** TLS 1.3 tickets from one full handshake on `ctx` (stateful tickets are single use). */
function mintTickets(ctx: ServerContext, n: number): ClientTicket[] {
  const client = new TestClient13(clientProvider);
  const conn = new ServerConnection(ctx);
  conn.receive(TestClient13.plaintextRecord(client.buildClientHello({ shareGroups: ['x25519'] })));
  client.receive(conn.takeOutput());
  conn.receive(client.finish());
  client.receive(conn.takeOutput());
  conn.sendSessionTicket(n);
  client.receive(conn.takeOutput());
  return client.tickets;
}

/** One TLS 1.2 server handshake (full or abbreviated), server CPU only. */
function handshake12(ctx: ServerContext, opts: ClientHello12Options): { ms: number; session: ClientSession12 } {
  const client = new TestClient12(clientProvider);
  let t = 0;
  const ch = TestClient12.plaintextRecord(client.buildClientHello(opts));
  const conn = new ServerConnection(ctx);
  let failed: Error | undefined;
  conn.on('error', (e) => (failed = e));
  let out: Uint8Array = new Uint8Array(0);
  t += cpuMs(() => {
    conn.receive(ch);
    out = conn.takeOutput();
  });
  client.receive(out);
  const early = failed as Error | undefined; // set by the listener above
  if (early) throw new Error(`TLS 1.2 first flight failed: ${early.message}`);
  const second = client.finish();
  t += cpuMs(() => {
    conn.receive(second);
    out = conn.takeOutput();
  });
  client.receive(out);
  if (failed || conn.phase !== 'open') throw new Error(`TLS 1.2 handshake failed: ${failed?.message ?? conn.phase}`);
  if (opts.resume && !conn.info?.resumed) throw new Error('expected a resumed TLS 1.2 handshake');
  return { ms: t, session: client.session };
}

/**
 * A case: `run(ctx)` does one handshake on `ctx` and returns its server CPU ms; `prepare(ctx, n)`
 * (untimed) gets what `n` runs need, e.g. single-use tickets.
 */
interface Case {
  readonly scenario: string;
  readonly prepare?: (ctx: ServerContext, n: number) => void;
  readonly run: (ctx: ServerContext, i: number) => number;
}

/**
 * Measures cases on one context pair: each case interleaved with the replay of its crypto. A
 * round runs at least N handshakes and, for cheap ones, enough to last about ROUND_MS of CPU (so
 * a GC pause or a scheduler hiccup is a small part of a round).
 */
function measure(pname: keyof typeof PROVIDERS, pair: ReturnType<typeof contexts>, cases: readonly Case[]): void {
  const bare = PROVIDERS[pname](2);
  const recordings = new Map<string, readonly Call[]>();
  const counts = new Map<string, number>();
  for (const c of cases) {
    c.prepare?.(pair.rctx, 2);
    c.run(pair.rctx, 0); // warm-up (lazily built tables are not part of the recording)
    recordings.set(c.scenario, pair.recorder.record(() => c.run(pair.rctx, 1)));
    c.prepare?.(pair.ctx, 3);
    const probe = Math.min(c.run(pair.ctx, 0), c.run(pair.ctx, 1), c.run(pair.ctx, 2));
    counts.set(c.scenario, Math.max(N, Math.min(MAX_PER_ROUND, Math.ceil(ROUND_MS / Math.max(probe, 0.001)))));
  }
  const fns: Record<string, () => number> = {};
  for (const c of cases) {
    const calls = recordings.get(c.scenario)!;
    const n = counts.get(c.scenario)!;
    fns[c.scenario] = () => {
      c.prepare?.(pair.ctx, n);
      let t = 0;
      for (let i = 0; i < n; i++) t += c.run(pair.ctx, i);
      return t / n;
    };
    fns[`${c.scenario} bare`] = () => cpuMs(() => {
      for (let i = 0; i < n; i++) pair.recorder.replay(bare, calls);
    }) / n;
  }
  const res = interleave(fns, ROUNDS);
  for (const c of cases) {
    const peer = c.scenario.replace(/_server_(\w+)$/, '_server_bare-$1');
    emit({
      scenario: c.scenario,
      metric: 'server CPU per handshake',
      unit: 'ms',
      better: 'lower',
      samples: res[c.scenario]!,
      peer: { scenario: peer, samples: res[`${c.scenario} bare`]! },
      extra: { handshakesPerRound: counts.get(c.scenario)!, cryptoCalls: pair.recorder.summary(recordings.get(c.scenario)!) },
    });
  }
}

const groupToken = (g: NamedGroup) => g.toLowerCase();

for (const pname of ['noble', 'node'] as const) {
  // ---- TLS 1.3 full: each certificate type and group ----
  for (const sc of FULL13) {
    const pair = contexts(pname, sc.cert, { groups: [sc.group] });
    measure(pname, pair, [{ scenario: `handshake_full_1.3_${groupToken(sc.group)}_${sc.cert}_server_${pname}`, run: (ctx) => handshake13(ctx, sc.group) }]);
  }

  // ---- TLS 1.3 resumed: psk_dhe_ke / psk_ke × stateless / stateful tickets ----
  for (const tickets of ['stateless', 'stateful'] as const) {
    const pair = contexts(pname, 'ecdsa-p256', { groups: ['x25519'], tickets, sessionCacheSize: 0 });
    const pools = new Map<ServerContext, ClientTicket[]>();
    const cases: Case[] = (
      [
        ['psk-dhe-ke', [1]],
        ['psk-ke', [0]],
      ] as const
    ).map(([mode, pskModes]) => ({
      scenario: `handshake_resumed_1.3_x25519_ecdsa-p256_${mode}_${tickets}_server_${pname}`,
      // A stateless ticket resumes any number of times; stateful ones are single use.
      prepare: (ctx, n) => {
        const one = tickets === 'stateless' ? mintTickets(ctx, 1)[0]! : undefined;
        const pool: ClientTicket[] = [];
        if (one) while (pool.length < n) pool.push(one);
        else while (pool.length < n) pool.push(...mintTickets(ctx, Math.min(16, n - pool.length)));
        pools.set(ctx, pool);
      },
      run: (ctx, i) => handshake13(ctx, 'x25519', { ticket: pools.get(ctx)![i]!, pskModes: [...pskModes] }),
    }));
    measure(pname, pair, cases);
  }

  // ---- TLS 1.2: full ECDHE-ECDSA / ECDHE-RSA, resumed by session id and by RFC 5077 ticket ----
  for (const [cert, suite] of [['ecdsa-p256', 0xc02b], ['rsa-2048', 0xc02f]] as const) {
    const pair = contexts(pname, cert, { groups: ['x25519'] });
    const base: ClientHello12Options = { cipherSuites: [suite], groups: [0x001d, 0x0017] }; // P-256 listed: RFC 8422 §5.3 (the ECDSA certificate's curve)
    const sessions = new Map<ServerContext, { byId: ClientSession12; byTicket: ClientSession12 }>();
    const prepare = (ctx: ServerContext) => {
      if (!sessions.has(ctx)) sessions.set(ctx, { byId: handshake12(ctx, base).session, byTicket: handshake12(ctx, { ...base, sessionTicket: true }).session });
    };
    measure(pname, pair, [
      { scenario: `handshake_full_1.2_x25519_${cert}_server_${pname}`, run: (ctx) => handshake12(ctx, base).ms },
      { scenario: `handshake_resumed_1.2_x25519_${cert}_session-id_server_${pname}`, prepare, run: (ctx) => handshake12(ctx, { ...base, resume: sessions.get(ctx)!.byId }).ms },
      { scenario: `handshake_resumed_1.2_x25519_${cert}_ticket_server_${pname}`, prepare, run: (ctx) => handshake12(ctx, { ...base, resume: sessions.get(ctx)!.byTicket, sessionTicket: true }).ms },
    ]);
  }
}
