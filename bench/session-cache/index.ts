/**
 * Session cache hot path: `SessionCache.get` (hit and miss), `add` with eviction (cache full) and a
 * 90 % get / 10 % add mix, at 10k, 100k and 1M entries with 32-byte random ids — beside, in the
 * same run, `lru-cache` 11 keyed by `String.fromCharCode` of the 32 bytes (its fastest key) and by
 * a hex string, and a plain `Map` (fromCharCode key; eviction via `map.keys().next()`). Keys are
 * built from the id bytes inside the timed loop: a server only has the bytes of the ClientHello.
 *
 * Rounds alternate the implementations (A B C D A B C D …) after a warm-up; the median ns/op of
 * each is printed with the ratio to puretls. Heap bytes per entry = (heapUsed + arrayBuffers)
 * growth after filling one structure, measured with `gc()` (the runner passes --expose-gc); the
 * sessions themselves exist before and are shared, so only the structure is counted. Allocation
 * per lookup = heap growth over 10k lookups without a GC in between. Each size runs in a fresh
 * process (this file re-spawns itself with `--size=N`). Outputs are cross-checked before timing.
 * Ratios and targets are printed, never asserted.
 *
 * Rows: `session-cache_<op>_<size>_time_<impl>` (ns/op; puretls's peer is lru-cache-fcc, the others'
 * peer is puretls), `session-cache_get-hit_<size>_alloc_<impl>` (B per lookup) and
 * `session-cache_entry_<size>_heap_<impl>` (B per entry).
 *
 * Run: `node bench/run.mjs session-cache [--quick]`.
 */
import { spawnSync } from 'node:child_process';
import { LRUCache } from 'lru-cache';
import { SessionCache, createSession, type Session } from '@puretls/session-cache';
import { emit } from '../lib/rows';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const sizeArg = argv.find((a) => a.startsWith('--size='));
const gc = (globalThis as { gc?: () => void }).gc;

const ROUNDS = quick ? 3 : 9;
const WARMUP = quick ? 1 : 2;
const ROUND_OPS = quick ? 20_000 : 100_000;
const ROUND_MAX_MS = quick ? 30 : 150;
const BATCH = 64;
const NOW = 1_700_000_000_000;

interface Impl {
  readonly name: string;
  get(id: Uint8Array): Session | undefined;
  add(s: Session): void;
  readonly size: number;
}

/** lru-cache's fastest key: one character per byte (a one-byte string, no hex expansion). */
function fcc(b: Uint8Array): string {
  return String.fromCharCode(
    b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!, b[12]!, b[13]!, b[14]!, b[15]!,
    b[16]!, b[17]!, b[18]!, b[19]!, b[20]!, b[21]!, b[22]!, b[23]!, b[24]!, b[25]!, b[26]!, b[27]!, b[28]!, b[29]!, b[30]!, b[31]!,
  );
}
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

/** The cache's deadline timer (never started here: every lookup is synchronous). */
const setTimer = (ms: number, fn: () => void): (() => void) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

function makeImpls(n: number): (() => Impl)[] {
  return [
    () => {
      const c = new SessionCache({ now: () => NOW, setTimer, maxEntries: n, mode: ['server', 'noAutoClear'], logger: { warn: () => {} } });
      return { name: 'puretls', get: (id) => c.get(id), add: (s) => void c.add(s), get size() { return c.size; } };
    },
    () => {
      const c = new LRUCache<string, Session>({ max: n });
      return { name: 'lru-cache fcc', get: (id) => c.get(fcc(id)), add: (s) => void c.set(fcc(s.id), s), get size() { return c.size; } };
    },
    () => {
      const c = new LRUCache<string, Session>({ max: n });
      return { name: 'lru-cache hex', get: (id) => c.get(hex(id)), add: (s) => void c.set(hex(s.id), s), get size() { return c.size; } };
    },
    () => {
      const m = new Map<string, Session>();
      return {
        name: 'Map fcc',
        get: (id) => m.get(fcc(id)),
        add: (s) => {
          m.set(fcc(s.id), s);
          if (m.size > n) m.delete(m.keys().next().value!); // insertion order, O(holes) in V8
        },
        get size() { return m.size; },
      };
    },
  ];
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}
function makeSessions(count: number): Session[] {
  const ids = randomBytes(32 * count);
  // Opaque state the size of an encoded TLS 1.3 SessionState (format, version, suite, flags,
  // 32-byte PSK, SNI, ALPN, 32-byte context, ticket_age_add, max_early_data, no client chain).
  const state = new Uint8Array(112).fill(1);
  const out: Session[] = new Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = createSession({ id: ids.subarray(32 * i, 32 * i + 32), createdAt: NOW, timeout: 7200, singleUse: true, state });
  }
  return out;
}
const heap = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let sink = 0;

interface SizeResult {
  size: number;
  ns: Record<string, Record<string, number[]>>; // op → impl → ns/op of each round
  bytesPerEntry: Record<string, number>;
  allocPerGet: Record<string, number>;
}

function runSize(n: number): SizeResult {
  const base = makeSessions(n);
  const missIds = makeSessions(Math.min(n, 100_000)).map((s) => s.id);
  const poolSize = (WARMUP + ROUNDS) * ROUND_OPS * 1.1 + BATCH;
  // Fresh sessions for adds, shared by every implementation (each walks it with its own cursor).
  const pool = makeSessions(Math.ceil(poolSize));
  // The order lookups visit ids in: random, so no cache-line luck.
  const order = new Int32Array(1 << 20);
  for (let i = 0; i < order.length; i++) order[i] = Math.floor(Math.random() * n);
  const hitIds = base.map((s) => s.id.slice()); // the "ClientHello" copies: other objects than the stored ids

  // Build each structure in isolation and measure its heap growth.
  const impls: Impl[] = [];
  const bytesPerEntry: Record<string, number> = {};
  for (const make of makeImpls(n)) {
    gc?.();
    gc?.();
    const h0 = heap();
    const impl = make();
    for (const s of base) impl.add(s);
    gc?.();
    gc?.();
    bytesPerEntry[impl.name] = (heap() - h0) / n;
    impls.push(impl);
  }

  // Cross-check before timing.
  for (const impl of impls) {
    if (impl.size !== n) throw new Error(`${impl.name}: size ${impl.size} after ${n} adds`);
    for (let i = 0; i < 1000; i++) {
      const k = order[i]!;
      if (impl.get(hitIds[k]!) !== base[k]) throw new Error(`${impl.name}: wrong session for a hit`);
      if (impl.get(missIds[i % missIds.length]!) !== undefined) throw new Error(`${impl.name}: hit for a miss id`);
    }
  }

  // Allocation per lookup: heap growth over 10k hits, no GC in between (the young generation holds it).
  const allocPerGet: Record<string, number> = {};
  for (const impl of impls) {
    for (let i = 0; i < 20_000; i++) sink ^= impl.get(hitIds[order[i]!]!) ? 1 : 0; // warm
    gc?.();
    const h0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) sink ^= impl.get(hitIds[order[i]!]!) ? 1 : 0;
    allocPerGet[impl.name] = Math.max(0, (process.memoryUsage().heapUsed - h0) / 10_000);
  }

  const cursors = new Map<string, number>(impls.map((i) => [i.name, 0]));
  const nextFresh = (impl: Impl): Session => {
    const c = cursors.get(impl.name)!;
    cursors.set(impl.name, c + 1);
    return pool[c % pool.length]!;
  };

  type Op = (impl: Impl, i: number) => void;
  const ops: Record<string, Op> = {
    get_hit: (impl, i) => {
      sink ^= impl.get(hitIds[order[i & (order.length - 1)]!]!) ? 1 : 0;
    },
    get_miss: (impl, i) => {
      sink ^= impl.get(missIds[i % missIds.length]!) ? 1 : 0;
    },
    mixed_90_10: (impl, i) => {
      if (i % 10 === 9) impl.add(nextFresh(impl));
      else sink ^= impl.get(hitIds[order[i & (order.length - 1)]!]!) ? 1 : 0;
    },
    add_evict: (impl) => impl.add(nextFresh(impl)),
  };

  const ns: SizeResult['ns'] = {};
  for (const [opName, op] of Object.entries(ops)) {
    const samples = new Map<string, number[]>(impls.map((i) => [i.name, []]));
    let offset = 0;
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      for (const impl of impls) {
        let done = 0;
        const t0 = performance.now();
        let t = t0;
        while (done < ROUND_OPS && t - t0 < ROUND_MAX_MS) {
          for (let k = 0; k < BATCH; k++) op(impl, offset + done + k);
          done += BATCH;
          t = performance.now();
        }
        if (round >= WARMUP) samples.get(impl.name)!.push(((t - t0) * 1e6) / done);
      }
      offset += ROUND_OPS;
    }
    ns[opName] = Object.fromEntries(samples);
  }
  return { size: n, ns, bytesPerEntry, allocPerGet };
}

// ---- child: one size ------------------------------------------------------------------------------
if (sizeArg) {
  const r = runSize(Number(sizeArg.slice('--size='.length)));
  console.log('RESULT ' + JSON.stringify(r) + ` sink=${sink & 1}`);
  process.exit(0);
}

// ---- parent: one fresh process per size, then the table --------------------------------------------
if (!gc) console.warn('note: run with --expose-gc (node bench/run.mjs does) for heap numbers');
const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
const results: SizeResult[] = [];
for (const n of sizes) {
  const child = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=6144', process.argv[1]!, `--size=${n}`, ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) {
    console.error(`size ${n} failed (status ${child.status}):\n${child.stderr}`);
    process.exit(1);
  }
  results.push(JSON.parse(line.slice('RESULT '.length).replace(/ sink=\d$/, '')) as SizeResult);
}

const NAMES = ['puretls', 'lru-cache fcc', 'lru-cache hex', 'Map fcc'];
const fmtN = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const pad = (s: string, w: number): string => s.padStart(w);
console.log(`\nsession-cache, ${quick ? 'quick' : 'full'} run: median of ${ROUNDS} interleaved rounds (≤ ${ROUND_OPS} ops / ${ROUND_MAX_MS} ms each), 32-byte random ids, Node ${process.version}`);
console.log(`ns/op (ratio = other / puretls; > 1 means puretls is faster)\n`);
console.log(['size', 'op'.padEnd(28), ...NAMES.map((n) => pad(n, 15)), pad('lru fcc ratio', 14), pad('lru hex ratio', 14), pad('Map ratio', 10)].join(' '));
const med = (r: SizeResult): Record<string, Record<string, number>> =>
  Object.fromEntries(Object.entries(r.ns).map(([op, byImpl]) => [op, Object.fromEntries(Object.entries(byImpl).map(([k, v]) => [k, median(v)]))]));
const IMPL_TOKEN: Record<string, string> = { puretls: 'puretls', 'lru-cache fcc': 'lru-cache-fcc', 'lru-cache hex': 'lru-cache-hex', 'Map fcc': 'map-fcc' };
for (const r of results) {
  for (const [op, byImpl] of Object.entries(r.ns)) {
    const name = `session-cache_${op.replace(/_/g, '-')}_${fmtN(r.size)}_time`;
    const metric = `${op.replace(/_/g, ' ')}, ${fmtN(r.size)} entries`;
    emit({ scenario: `${name}_puretls`, metric, unit: 'ns/op', better: 'lower', samples: byImpl['puretls']!, peer: { scenario: `${name}_lru-cache-fcc`, samples: byImpl['lru-cache fcc']! } });
    for (const other of ['lru-cache hex', 'Map fcc']) {
      emit({ scenario: `${name}_${IMPL_TOKEN[other]}`, metric, unit: 'ns/op', better: 'lower', samples: byImpl[other]!, peer: { scenario: `${name}_puretls`, samples: byImpl['puretls']! } });
    }
  }
  for (const impl of NAMES) {
    emit({ scenario: `session-cache_get-hit_${fmtN(r.size)}_alloc_${IMPL_TOKEN[impl]}`, metric: 'heap bytes allocated per get (hit), 10k lookups', unit: 'B', better: 'lower', samples: [r.allocPerGet[impl]!] });
  }
  emit({ scenario: `session-cache_entry_${fmtN(r.size)}_heap_puretls`, metric: 'heap bytes per entry (structure only)', unit: 'B', better: 'lower', samples: [r.bytesPerEntry['puretls']!], peer: { scenario: `session-cache_entry_${fmtN(r.size)}_heap_lru-cache-fcc`, samples: [r.bytesPerEntry['lru-cache fcc']!] } });
  for (const other of ['lru-cache hex', 'Map fcc']) {
    emit({ scenario: `session-cache_entry_${fmtN(r.size)}_heap_${IMPL_TOKEN[other]}`, metric: 'heap bytes per entry (structure only)', unit: 'B', better: 'lower', samples: [r.bytesPerEntry[other]!], peer: { scenario: `session-cache_entry_${fmtN(r.size)}_heap_puretls`, samples: [r.bytesPerEntry['puretls']!] } });
  }
}
for (const r of results) {
  for (const [op, byImpl] of Object.entries(med(r))) {
    const p = byImpl['puretls']!;
    const name = `session_cache_${op}_${fmtN(r.size)}`;
    console.log(
      [
        pad(fmtN(r.size), 4),
        name.padEnd(28),
        ...NAMES.map((n) => pad(byImpl[n]!.toFixed(1), 15)),
        pad(`${(byImpl['lru-cache fcc']! / p).toFixed(2)}×`, 14),
        pad(`${(byImpl['lru-cache hex']! / p).toFixed(2)}×`, 14),
        pad(`${(byImpl['Map fcc']! / p).toFixed(2)}×`, 10),
      ].join(' '),
    );
  }
}
console.log(`\nheap bytes per entry (structure only; sessions excluded) / bytes allocated per get hit`);
console.log(['size', ...NAMES.map((n) => pad(n, 22))].join(' '));
for (const r of results) {
  console.log([pad(fmtN(r.size), 4), ...NAMES.map((n) => pad(`${r.bytesPerEntry[n]!.toFixed(1)} B / ${r.allocPerGet[n]!.toFixed(1)} B`, 22))].join(' '));
}

console.log('\ntargets (issue #5):');
for (const r of results) {
  if (r.size < 100_000) continue;
  const ratio = median(r.ns['get_hit']!['lru-cache fcc']!) / median(r.ns['get_hit']!['puretls']!);
  console.log(`  get hit at ${fmtN(r.size)}: ${ratio.toFixed(2)}× faster than lru-cache (fromCharCode key) — target ≥ 2×: ${ratio >= 2 ? 'MET' : 'MISSED'}`);
}
for (const r of results) {
  const a = r.allocPerGet['puretls']!;
  console.log(`  no allocation per lookup at ${fmtN(r.size)}: ${a.toFixed(2)} B/get — ${a < 1 ? 'MET' : 'MISSED'}`);
}
for (const r of results) {
  const p = r.bytesPerEntry['puretls']!, l = r.bytesPerEntry['lru-cache fcc']!;
  console.log(`  per-entry overhead at ${fmtN(r.size)}: ${p.toFixed(1)} B vs lru-cache ${l.toFixed(1)} B — target ≤ lru-cache: ${p <= l ? 'MET' : 'MISSED'}`);
}
