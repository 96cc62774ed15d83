/**
 * The targets of issues #9 and #19, evaluated on the rows of one run. Each becomes one plain sentence:
 * "node provider: TLS 1.3 full handshake, server CPU per connection 0.93× Node tls — target ≤ 0.8×
 * MISSED". A target whose rows are missing (suite not run, failed or skipped) is NOT MEASURED.
 */
import type { BenchRow } from './rows';

export type Verdict = 'met' | 'missed' | 'not measured';

export interface TargetResult {
  /** Which target of the issue this line checks. */
  readonly group: string;
  /** What is compared, in words. */
  readonly label: string;
  /** The ratio (this / peer) or the absolute value that is checked. */
  readonly value: number | null;
  /** `×` for ratios, or the unit of an absolute value. */
  readonly unit: string;
  readonly comparison: '≤' | '≥' | '<';
  readonly limit: number;
  readonly verdict: Verdict;
  /** The scenarios the number comes from (row, and peer where there is one). */
  readonly from: string;
  /** The whole line in plain words. */
  readonly sentence: string;
}

interface Check {
  readonly group: string;
  readonly label: string;
  readonly comparison: '≤' | '≥' | '<';
  readonly limit: number;
  readonly unit?: string;
  /** Compute the value from the rows, or null with a reason. */
  readonly compute: (find: (scenario: string) => BenchRow | undefined) => { value: number; from: string } | { missing: string };
}

const ratioOf = (scenario: string, peerScenario?: string): Check['compute'] => (find) => {
  const r = find(scenario);
  if (!r || r.ratio === undefined || !r.peer) return { missing: scenario };
  if (peerScenario && r.peer.scenario !== peerScenario) return { missing: `${scenario} vs ${peerScenario}` };
  return { value: r.ratio, from: `${r.scenario} / ${r.peer.scenario}` };
};

/** Ratio of two rows that live in different suites (not interleaved: said so in the label). */
const crossRatio = (scenario: string, peerScenario: string): Check['compute'] => (find) => {
  const a = find(scenario);
  const b = find(peerScenario);
  if (!a || !b) return { missing: !a ? scenario : peerScenario };
  return { value: a.median / b.median, from: `${a.scenario} / ${b.scenario}` };
};

const valueOf = (scenario: string): Check['compute'] => (find) => {
  const r = find(scenario);
  return r ? { value: r.median, from: r.scenario } : { missing: scenario };
};

const HS = 'x25519_ecdsa-p256';

function checks(rows: readonly BenchRow[]): Check[] {
  const out: Check[] = [];
  const node = 'node provider vs Node tls (e2e over loopback, openssl s_time, server process CPU per connection)';
  for (const v of ['1.3', '1.2']) {
    out.push({ group: node, label: `node provider: TLS ${v} full handshake, server CPU per connection vs Node tls`, comparison: '≤', limit: 0.8, compute: ratioOf(`e2e_full_${v}_${HS}_server_node`) });
  }
  out.push({ group: node, label: 'node provider: TLS 1.3 resumed handshake (psk_dhe_ke, stateless ticket), server CPU per connection vs Node tls', comparison: '≤', limit: 0.7, compute: ratioOf(`e2e_resumed_1.3_${HS}_psk-dhe-ke_server_node`) });
  out.push({ group: node, label: 'node provider: TLS 1.2 resumed handshake (ticket), server CPU per connection vs Node tls', comparison: '≤', limit: 0.7, compute: ratioOf(`e2e_resumed_1.2_${HS}_ticket_server_node`) });
  out.push({ group: node, label: 'node provider: TLS 1.2 resumed handshake (session id), server CPU per connection vs Node tls', comparison: '≤', limit: 0.7, compute: ratioOf(`e2e_resumed_1.2_${HS}_session-id_server_node`) });
  for (const dir of ['down', 'up']) {
    out.push({ group: node, label: `node provider: bulk transfer ${dir === 'down' ? 'server → client' : 'client → server'} (TLS 1.3, aes-128-gcm), MB/s vs Node tls`, comparison: '≥', limit: 0.8, compute: ratioOf(`e2e_bulk-${dir}_1.3_${HS}_aes-128-gcm_throughput_node`) });
  }

  const noble = 'noble provider (pure TypeScript)';
  // Every full-handshake row of the handshake suite with its bare-crypto peer.
  for (const r of rows) {
    const m = /^handshake_full_(1\.[23])_(.+)_server_noble$/.exec(r.scenario);
    if (m && r.peer) out.push({ group: noble, label: `noble provider: TLS ${m[1]} full handshake (${m[2]!.replace(/_/g, ', ')}) server CPU vs its own crypto alone (in memory)`, comparison: '≤', limit: 1.15, compute: ratioOf(r.scenario) });
  }
  if (!rows.some((r) => /^handshake_full_1\.3_.+_server_noble$/.test(r.scenario))) {
    out.push({ group: noble, label: 'noble provider: full handshake server CPU vs its own crypto alone (in memory)', comparison: '≤', limit: 1.15, compute: ratioOf(`handshake_full_1.3_${HS}_server_noble`) });
  }
  out.push({ group: noble, label: 'noble provider: TLS 1.2 resumed (ticket) server CPU per connection vs Node tls, both e2e', comparison: '<', limit: 1, compute: ratioOf(`e2e_resumed_1.2_${HS}_ticket_server_noble`) });
  out.push({ group: noble, label: 'noble provider: TLS 1.2 resumed (session id) server CPU per connection vs Node tls, both e2e', comparison: '<', limit: 1, compute: ratioOf(`e2e_resumed_1.2_${HS}_session-id_server_noble`) });
  out.push({
    group: noble,
    label: 'noble provider: TLS 1.3 psk_ke resumed server CPU (in memory: s_time cannot offer psk_ke) vs Node tls TLS 1.3 resumed (e2e, psk_dhe_ke)',
    comparison: '<',
    limit: 1,
    compute: crossRatio(`handshake_resumed_1.3_${HS}_psk-ke_stateless_server_noble`, `e2e_resumed_1.3_${HS}_psk-dhe-ke_server_nodetls`),
  });

  const cache = 'session cache (issue #5 targets)';
  for (const size of ['100k', '1M']) {
    out.push({ group: cache, label: `session cache get (hit) at ${size} entries: puretls time vs lru-cache (fromCharCode key), i.e. ≥ 2× faster`, comparison: '≤', limit: 0.5, compute: ratioOf(`session-cache_get-hit_${size}_time_puretls`) });
  }
  for (const size of ['10k', '100k', '1M']) {
    if (!rows.some((r) => r.scenario === `session-cache_get-hit_${size}_alloc_puretls`) && size !== '100k') continue;
    out.push({ group: cache, label: `session cache get (hit) at ${size}: bytes allocated per lookup`, comparison: '<', limit: 1, unit: 'B', compute: valueOf(`session-cache_get-hit_${size}_alloc_puretls`) });
  }
  for (const size of ['10k', '100k', '1M']) {
    if (!rows.some((r) => r.scenario === `session-cache_entry_${size}_heap_puretls`) && size !== '100k') continue;
    out.push({ group: cache, label: `session cache at ${size}: heap bytes per entry vs lru-cache`, comparison: '≤', limit: 1, compute: ratioOf(`session-cache_entry_${size}_heap_puretls`) });
  }
  // Issue #19 tightens some of the above and adds bulk CPU and idle memory.
  const perf = 'issue #19 (faster than Node tls; idle memory; cache at its floor)';
  out.push({ group: perf, label: 'node provider: bulk server → client (TLS 1.3, aes-128-gcm, 16 KiB writes), MB/s vs Node tls', comparison: '≥', limit: 1, compute: ratioOf(`e2e_bulk-down_1.3_${HS}_aes-128-gcm_throughput_node`) });
  out.push({ group: perf, label: 'node provider: bulk server → client (TLS 1.3, aes-128-gcm), server CPU per MB vs Node tls', comparison: '≤', limit: 1.2, compute: ratioOf(`e2e_bulk-down_1.3_${HS}_aes-128-gcm_server_node`) });
  out.push({
    group: perf,
    label: 'platform floor: the node provider\'s AES-128-GCM alone (Node 20 createCipheriv per 16 KiB record, no TLS, no I/O), CPU per MB vs Node tls whole server CPU per MB; MISSED means the bulk CPU target above is out of reach through Node\'s crypto API',
    comparison: '≤',
    limit: 1.2,
    compute: ratioOf(`e2e_bulk-down_1.3_${HS}_aes-128-gcm_aead-floor_node`),
  });
  out.push({ group: perf, label: 'node provider: bulk client → server (TLS 1.3, aes-128-gcm), MB/s vs Node tls', comparison: '≥', limit: 1, compute: ratioOf(`e2e_bulk-up_1.3_${HS}_aes-128-gcm_throughput_node`) });
  out.push({ group: perf, label: 'idle TLS 1.3 connection, heap + external per connection', comparison: '≤', limit: 8, unit: 'KiB', compute: valueOf(`memory_idle-connection_1.3_${HS}_heap_puretls`) });
  for (const size of ['100k', '1M']) {
    out.push({ group: perf, label: `session cache get (hit) at ${size} entries: puretls time vs lru-cache (fromCharCode key)`, comparison: '≤', limit: 0.4, compute: ratioOf(`session-cache_get-hit_${size}_time_puretls`) });
  }
  return out;
}

function holds(value: number, cmp: Check['comparison'], limit: number): boolean {
  return cmp === '≤' ? value <= limit : cmp === '≥' ? value >= limit : value < limit;
}

export function evaluateTargets(rows: readonly BenchRow[]): TargetResult[] {
  const byName = new Map(rows.map((r) => [r.scenario, r]));
  const find = (s: string) => byName.get(s);
  return checks(rows).map((c) => {
    const unit = c.unit ?? '×';
    const res = c.compute(find);
    const limitText = `${c.comparison} ${c.limit}${unit === '×' ? '×' : ` ${unit}`}`;
    if ('missing' in res) {
      return { group: c.group, label: c.label, value: null, unit, comparison: c.comparison, limit: c.limit, verdict: 'not measured', from: res.missing, sentence: `${c.label}: no number (${res.missing} not in this run) — target ${limitText} NOT MEASURED` };
    }
    const verdict: Verdict = holds(res.value, c.comparison, c.limit) ? 'met' : 'missed';
    // Two decimals, three when two would print the limit itself (1.153 is not "1.15 ≤ 1.15").
    const digits = Number(res.value.toFixed(2)) === c.limit && res.value !== c.limit ? 3 : 2;
    const shown = unit === '×' ? `${res.value.toFixed(digits)}×` : `${res.value.toFixed(digits)} ${unit}`;
    return {
      group: c.group,
      label: c.label,
      value: res.value,
      unit,
      comparison: c.comparison,
      limit: c.limit,
      verdict,
      from: res.from,
      sentence: `${c.label}: ${shown} — target ${limitText} ${verdict.toUpperCase()}`,
    };
  });
}
