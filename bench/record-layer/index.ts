/**
 * Record-layer throughput: seal+frame (`RecordLayer.writeApplicationData` + `takeOutputChunks`) and
 * read+open (`receive` + draining `next()`) for 16 KiB and 1 KiB records, each AEAD, TLS 1.2 and
 * 1.3, both providers — beside the bare AEAD (`AeadKey.seal` / `open`, each allocating its result)
 * on the same sizes, measured in the same run.
 *
 * Rounds alternate bare, layer, bare, layer … after a warm-up; each side's median round is
 * reported (wall time from `performance.now()`, CPU time from `process.cpuUsage()`), with the
 * framing overhead = layer time / bare time − 1. Target: ≤ 5 % for 16 KiB records. The ratio is
 * printed, never asserted. Outputs are cross-checked before timing.
 *
 * Rows: `record_<seal|open>_<1.2|1.3>_<aead>_<16k|1k>_throughput_<provider>` (MB/s per CPU second),
 * peer `…_throughput_bare-<provider>`.
 *
 * Run: `node bench/run.mjs record-layer [--quick]`.
 */
import { createNobleProvider, createNodeProvider, type AeadAlgorithm, type CryptoProvider } from '@puretls/crypto';
import { RecordLayer, type TlsVersion, type TrafficKeys } from '@puretls/record-layer';
import { emit } from '../lib/rows';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 11;
const WARMUP = quick ? 1 : 2;
/** Target duration of one bare round, ms. */
const ROUND_MS = quick ? 10 : 40;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
let sink = 0;

const KEY_LENGTH: Record<AeadAlgorithm, number> = { 'aes-128-gcm': 16, 'aes-256-gcm': 32, 'chacha20-poly1305': 32 };

function fill(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

function keysFor(version: TlsVersion, algorithm: AeadAlgorithm): TrafficKeys {
  const ivLength = version === 'tls12' && algorithm !== 'chacha20-poly1305' ? 4 : 12;
  return { version, algorithm, key: fill(KEY_LENGTH[algorithm], 1), iv: fill(ivLength, 2) };
}

interface Sample {
  wall: number;
  cpu: number;
}

function time(f: () => void): Sample {
  gc();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A bare/layer pair doing `n` records per call; `prepare` runs untimed before each layer round. */
interface Case {
  bare: (n: number) => void;
  layer: (n: number) => void;
  prepare?: (n: number) => void;
}

function run(name: string, pname: string, bytesPerRecord: number, c: Case): number {
  // Warm up both sides, then calibrate n so that a bare round takes about ROUND_MS (best of 3).
  for (let i = 0; i < 3; i++) {
    c.bare(4);
    c.prepare?.(4);
    c.layer(4);
  }
  const probe = 16;
  const t = Math.min(...[0, 1, 2].map(() => time(() => c.bare(probe)).wall));
  const n = Math.min(1 << 14, Math.max(16, Math.round((probe * ROUND_MS) / Math.max(t, 0.001))));
  const bare: Sample[] = [];
  const layer: Sample[] = [];
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    const b = time(() => c.bare(n));
    c.prepare?.(n);
    const l = time(() => c.layer(n));
    if (r >= WARMUP) {
      bare.push(b);
      layer.push(l);
    }
  }
  const mb = (n * bytesPerRecord) / 1e6;
  const bw = median(bare.map((s) => s.wall));
  const lw = median(layer.map((s) => s.wall));
  const bc = median(bare.map((s) => s.cpu));
  const lc = median(layer.map((s) => s.cpu));
  overheadCpu.push(lc / bc - 1);
  // Row: MB/s from CPU time (the machine is shared), the bare AEAD as the peer.
  const mbPerS = (xs: Sample[]) => xs.map((x) => (mb / Math.max(x.cpu, 1e-3)) * 1000);
  emit({
    scenario: `${name}_throughput_${pname}`,
    metric: `${name.startsWith('record_seal') ? 'seal + frame (server → client)' : 'deframe + open (client → server)'}, per CPU second`,
    unit: 'MB/s',
    better: 'higher',
    samples: mbPerS(layer),
    peer: { scenario: `${name}_throughput_bare-${pname}`, samples: mbPerS(bare) },
    extra: { recordsPerRound: n, wallMBps: Number(((mb / lw) * 1000).toFixed(1)), bareWallMBps: Number(((mb / bw) * 1000).toFixed(1)) },
  });
  return lc / bc - 1;
}
const overheadCpu: number[] = [];

function sealCase(provider: CryptoProvider, version: TlsVersion, alg: AeadAlgorithm, size: number): Case {
  const keys = keysFor(version, alg);
  const aead = provider.createAead(alg, keys.key);
  const nonce = fill(12, 3);
  const aad = version === 'tls13' ? fill(5, 4) : fill(13, 4);
  const data = fill(size, 5);
  const rl = new RecordLayer({ provider });
  rl.setVersion(version);
  rl.setWriteProtection(keys);
  // Cross-check: the layer's record opens with a reader of the same keys.
  const check = new RecordLayer({ provider });
  check.setVersion(version);
  check.setReadProtection(keys);
  rl.writeApplicationData(data);
  check.receive(rl.takeOutput());
  const ev = check.next();
  if (ev?.kind !== 'applicationData' || ev.data.length !== size || ev.data[size - 1] !== data[size - 1]) throw new Error(`cross-check failed: seal ${version} ${alg}`);
  return {
    bare: (n) => {
      for (let i = 0; i < n; i++) sink ^= aead.seal(nonce, aad, data)[i & 15]!;
    },
    layer: (n) => {
      for (let i = 0; i < n; i++) rl.writeApplicationData(data);
      for (const c of rl.takeOutputChunks()) sink ^= c[7]!;
    },
  };
}

function openCase(provider: CryptoProvider, version: TlsVersion, alg: AeadAlgorithm, size: number): Case {
  const keys = keysFor(version, alg);
  const aead = provider.createAead(alg, keys.key);
  const nonce = fill(12, 3);
  const aad = version === 'tls13' ? fill(5, 4) : fill(13, 4);
  const data = fill(size, 5);
  const sealed = aead.seal(nonce, aad, data);
  if (aead.open(nonce, aad, sealed)?.[size - 1] !== data[size - 1]) throw new Error(`cross-check failed: bare open ${alg}`);
  let stream: Uint8Array = new Uint8Array(0);
  let streamRecords = -1;
  let rl: RecordLayer | null = null;
  let input: Uint8Array = new Uint8Array(0);
  const makeStream = (n: number) => {
    const w = new RecordLayer({ provider });
    w.setVersion(version);
    w.setWriteProtection(keys);
    for (let i = 0; i < n; i++) w.writeApplicationData(data);
    stream = w.takeOutput();
    streamRecords = n;
  };
  return {
    bare: (n) => {
      for (let i = 0; i < n; i++) sink ^= aead.open(nonce, aad, sealed)![i & 15]!;
    },
    // Untimed: a fresh copy of the stream (opening is in place) and a reader at sequence 0.
    prepare: (n) => {
      if (streamRecords !== n) makeStream(n);
      input = stream.slice();
      rl = new RecordLayer({ provider });
      rl.setVersion(version);
      rl.setReadProtection(keys);
    },
    layer: (n) => {
      const r = rl!;
      r.receive(input);
      let count = 0;
      for (let ev = r.next(); ev !== null; ev = r.next()) {
        if (ev.kind === 'applicationData') {
          sink ^= ev.data[ev.data.length - 1]!;
          count++;
        }
      }
      if (count !== n) throw new Error(`read ${count} records, expected ${n}`);
    },
  };
}

const providers: Array<[string, CryptoProvider]> = [
  ['noble', createNobleProvider()],
  ['node', createNodeProvider()],
];
const algs: AeadAlgorithm[] = ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'];
const sizes: Array<[string, number]> = [
  ['16k', 16384],
  ['1k', 1024],
];

console.log(`record layer vs bare AEAD — ${ROUNDS} rounds per side after ${WARMUP} warm-up, medians${quick ? ' (quick)' : ''}`);
const overhead16k: number[] = [];
for (const [pname, provider] of providers) {
  for (const version of ['tls13', 'tls12'] as const) {
    const v = version === 'tls13' ? '1.3' : '1.2';
    for (const alg of algs) {
      for (const [sname, size] of sizes) {
        const s = run(`record_seal_${v}_${alg}_${sname}`, pname, size, sealCase(provider, version, alg, size));
        const o = run(`record_open_${v}_${alg}_${sname}`, pname, size, openCase(provider, version, alg, size));
        if (size === 16384) overhead16k.push(s, o);
      }
    }
  }
}
console.log(`median framing overhead (CPU time) for 16 KiB records: ${(median(overhead16k) * 100).toFixed(1)}% (target ≤ 5%), all sizes: ${(median(overheadCpu) * 100).toFixed(1)}%`);
console.log(`(sink ${sink & 1})`);
