/**
 * Smoke test of the benchmark harness (CI proves the benchmarks run; it asserts nothing about
 * speed). Three parts:
 * - the report writer on synthetic rows: JSON, Markdown and SVG well-formed, targets judged;
 * - the runner on fixture suites: one that emits rows, one that skips (like the Redis suite when
 *   Redis is unreachable) and one that crashes — the run goes on and reports each;
 * - the runner on a real suite (`handshake --quick`, a few seconds).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, writeReport, type RunMeta, type RunReport, type SuiteResult } from '../lib/report';
import { makeRow, type BenchRow } from '../lib/rows';

const here = dirname(fileURLToPath(import.meta.url));
const runner = join(here, '..', 'run.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'puretls-bench-smoke-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Checks that every tag opened in `svg` is closed in order (a minimal XML well-formedness check). */
function assertWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<?xml')).toBe(true);
  expect(svg).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
  const body = svg.replace(/<\?xml[^>]*\?>/, '');
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, attrs, selfClosing] = m;
    // Attribute values must be quoted and free of raw '<' or '&' that is not an entity.
    expect(attrs!.replace(/"[^"]*"/g, '')).not.toMatch(/[<"&]/);
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
  // Text between tags: no unescaped '<' or stray '&'.
  for (const text of body.split(/<[^>]*>/)) expect(text).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)|</);
}

function assertReportFiles(paths: { json: string; md: string; svg: string }): RunReport {
  const report = JSON.parse(readFileSync(paths.json, 'utf8')) as RunReport;
  expect(report.format).toBe('puretls-bench/1');
  for (const s of report.suites) {
    for (const r of s.rows) {
      expect(r.scenario).toMatch(/^[a-z0-9.-]+(_[a-zA-Z0-9.-]+)+$/);
      expect(Number.isFinite(r.median)).toBe(true);
      expect(r.spread).toBeGreaterThanOrEqual(0);
      if (r.peer) expect(r.ratio).toBeCloseTo(r.median / r.peer.median, 9);
    }
  }
  const md = readFileSync(paths.md, 'utf8');
  expect(md).toMatch(/^# puretls benchmarks/);
  expect(md).toContain('## Targets');
  expect(md).toContain(`](${paths.svg.split('/').at(-1)})`);
  // Every table row has as many cells as its header.
  const tables = md.split('\n\n').filter((b) => b.startsWith('|'));
  for (const t of tables) {
    const lines = t.split('\n').filter(Boolean);
    const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
    for (const l of lines) expect(cells(l)).toBe(cells(lines[0]!));
  }
  assertWellFormedSvg(readFileSync(paths.svg, 'utf8'));
  return report;
}

const meta: RunMeta = {
  startedAt: '2026-01-02T03:04:05.000Z',
  commit: 'abc1234',
  quick: true,
  node: process.version,
  platform: 'linux x64',
  cpu: 'Test CPU <&>',
  cores: 2,
  loadAverage: 0.5,
  argv: ['--quick'],
};

describe('report writer on synthetic rows', () => {
  const row = (scenario: string, samples: number[], peer?: [string, number[]], better: 'lower' | 'higher' = 'lower'): BenchRow =>
    makeRow('e2e', { scenario, metric: 'server CPU per connection', unit: 'ms', better, samples, ...(peer ? { peer: { scenario: peer[0], samples: peer[1] } } : {}) });
  const hs = 'x25519_ecdsa-p256';
  const e2eRows = [
    row(`e2e_full_1.3_${hs}_server_node`, [0.3, 0.4, 0.35], [`e2e_full_1.3_${hs}_server_nodetls`, [0.5, 0.5, 0.5]]), // 0.7× → met
    row(`e2e_full_1.3_${hs}_server_nodetls`, [0.5, 0.5, 0.5]),
    row(`e2e_full_1.2_${hs}_server_node`, [0.6], [`e2e_full_1.2_${hs}_server_nodetls`, [0.5]]), // 1.2× → missed
    row(`e2e_bulk-down_1.3_${hs}_aes-128-gcm_throughput_node`, [90, 100, 110], [`e2e_bulk-down_1.3_${hs}_aes-128-gcm_throughput_nodetls`, [100]], 'higher'),
  ];
  const suites: SuiteResult[] = [
    { name: 'e2e', status: 'ok', seconds: 12, rows: e2eRows },
    { name: 'session-store-redis', status: 'skipped', reason: 'Redis unreachable at 127.0.0.1:6379 | <ECONNREFUSED>', seconds: 0.2, rows: [] },
    { name: 'handshake', status: 'failed', reason: 'exit 1: Error: boom', seconds: 1, rows: [] },
  ];

  it('writes well-formed JSON, Markdown and SVG, and judges each target', () => {
    const report = buildReport(meta, suites);
    const paths = writeReport(report, join(tmp, 'synthetic'), 'synthetic');
    const back = assertReportFiles(paths);
    const verdict = (label: RegExp) => back.targets.find((t) => label.test(t.label))?.verdict;
    expect(verdict(/TLS 1\.3 full handshake, server CPU per connection/)).toBe('met');
    expect(verdict(/TLS 1\.2 full handshake, server CPU per connection/)).toBe('missed');
    expect(verdict(/bulk transfer server → client/)).toBe('met'); // 100 / 100 = 1.0 ≥ 0.8
    expect(verdict(/bulk transfer client → server/)).toBe('not measured');
    const md = readFileSync(paths.md, 'utf8');
    expect(md).toContain('TLS 1.2 full handshake, server CPU per connection vs Node tls: 1.20× — target ≤ 0.8× MISSED');
    expect(md).toMatch(/\| session-store-redis \| SKIPPED \| 0 \|/);
    expect(md).toMatch(/\| handshake \| FAILED \|/);
    const svg = readFileSync(paths.svg, 'utf8');
    expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThanOrEqual(1 + 3 + 3); // background, legend, bars
  });

  it('draws a chart that says so when there are no e2e rows', () => {
    const paths = writeReport(buildReport(meta, [{ name: 'crypto', status: 'ok', seconds: 1, rows: [] }]), join(tmp, 'empty'), 'empty');
    assertReportFiles(paths);
    expect(readFileSync(paths.svg, 'utf8')).toContain('no rows for this panel in this run');
  });
});

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [runner, ...args], { timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function onlyReport(dir: string): { json: string; md: string; svg: string } {
  const files = readdirSync(dir);
  const base = files.find((f) => f.endsWith('.json'))!.slice(0, -'.json'.length);
  expect(files.sort()).toEqual([`${base}.json`, `${base}.md`, `${base}.svg`]);
  return { json: join(dir, `${base}.json`), md: join(dir, `${base}.md`), svg: join(dir, `${base}.svg`) };
}

describe('runner', () => {
  it('reports a suite that skips and one that crashes, and still writes the report', async () => {
    const suitesDir = join(tmp, 'fixtures');
    const rowsModule = join(here, '..', 'lib', 'rows.ts').replace(/\\/g, '/');
    const fixture = (name: string, body: string) => {
      mkdirSync(join(suitesDir, name), { recursive: true });
      writeFileSync(join(suitesDir, name, 'index.ts'), `import { emit, skip, quick } from ${JSON.stringify(rowsModule)};\nvoid emit; void skip; void quick;\n${body}\n`);
    };
    fixture('fixture-ok', `emit({ scenario: 'fixture_op_1.3_server_a', metric: 'm', unit: 'ms', better: 'lower', samples: [1, 2, 3], peer: { scenario: 'fixture_op_1.3_server_b', samples: [2, 2, 2] } });`);
    fixture('fixture-skip', `skip('Redis unreachable at 127.0.0.1:1 (ECONNREFUSED)');`);
    fixture('fixture-crash', `throw new Error('fixture crashed on purpose');`);
    const out = join(tmp, 'fixture-out');
    const r = await run(['--suites-dir', suitesDir, '--out', out, '--quick']);
    expect(r.code).toBe(1); // one suite failed
    expect(r.stdout).toContain('fixture_op_1.3_server_a');
    const report = assertReportFiles(onlyReport(out));
    const by = Object.fromEntries(report.suites.map((s) => [s.name, s]));
    expect(by['fixture-ok']!.status).toBe('ok');
    expect(by['fixture-ok']!.rows[0]!.ratio).toBe(1);
    expect(by['fixture-skip']!.status).toBe('skipped');
    expect(by['fixture-skip']!.reason).toContain('Redis unreachable');
    expect(by['fixture-crash']!.status).toBe('failed');
    expect(by['fixture-crash']!.reason).toContain('fixture crashed on purpose');
  }, 120_000);

  it('runs a real suite (handshake --quick) into a report', async () => {
    const out = join(tmp, 'handshake-out');
    const r = await run(['handshake', '--quick', '--out', out]);
    expect(r.code).toBe(0);
    const report = assertReportFiles(onlyReport(out));
    const rows = report.suites[0]!.rows;
    expect(report.suites[0]!.status).toBe('ok');
    // Both providers, full and resumed, TLS 1.2 and 1.3, each beside its bare crypto.
    for (const name of ['handshake_full_1.3_x25519_ecdsa-p256_server_noble', 'handshake_resumed_1.3_x25519_ecdsa-p256_psk-ke_stateful_server_node', 'handshake_resumed_1.2_x25519_rsa-2048_ticket_server_noble']) {
      const row = rows.find((x) => x.scenario === name);
      expect(row?.peer?.scenario).toBe(name.replace(/_server_(\w+)$/, '_server_bare-$1'));
    }
    expect(report.targets.find((t) => t.from.startsWith('handshake_full_1.3_x25519_ecdsa-p256_server_noble'))?.verdict).toMatch(/^(met|missed)$/);
  }, 120_000);
});
