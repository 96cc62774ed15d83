/**
 * The report of one `pnpm bench` run: the JSON (every row, every suite's status, the targets),
 * a Markdown page (targets in plain words, one table per suite) and the SVG chart. bench/run.mjs
 * bundles this file and calls {@link writeReport}; the smoke test calls it on synthetic rows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, type BenchRow } from './rows';
import { e2ePanels, renderChart } from './svg-chart';
import { evaluateTargets, type TargetResult } from './targets';

export interface RunMeta {
  /** ISO time the run started. */
  readonly startedAt: string;
  /** Short commit id, `-dirty` appended when the work tree had changes. */
  readonly commit: string;
  readonly quick: boolean;
  readonly node: string;
  readonly platform: string;
  readonly cpu: string;
  readonly cores: number;
  /** 1-minute load average when the run started (the machine may be shared). */
  readonly loadAverage: number;
  readonly argv: readonly string[];
}

export type SuiteStatus = 'ok' | 'failed' | 'skipped';

export interface SuiteResult {
  readonly name: string;
  readonly status: SuiteStatus;
  /** Why the suite failed or was skipped. */
  readonly reason?: string;
  readonly seconds: number;
  readonly rows: readonly BenchRow[];
}

export interface RunReport {
  readonly format: 'puretls-bench/1';
  readonly meta: RunMeta;
  readonly suites: readonly SuiteResult[];
  readonly targets: readonly TargetResult[];
}

export function buildReport(meta: RunMeta, suites: readonly SuiteResult[]): RunReport {
  return { format: 'puretls-bench/1', meta, suites, targets: evaluateTargets(suites.flatMap((s) => s.rows)) };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function ratioWords(r: BenchRow): string {
  if (r.ratio === undefined || r.ratio === null || !Number.isFinite(r.ratio)) return '';
  const x = r.ratio;
  // For "lower is better" a ratio < 1 means this row is cheaper than its peer.
  const good = r.better === 'lower' ? x < 1 : x > 1;
  return `${x.toFixed(3)}×${Math.abs(x - 1) < 0.02 ? '' : good ? ' (better)' : ' (worse)'}`;
}

export function renderMarkdown(report: RunReport, chartFile: string): string {
  const { meta } = report;
  const out: string[] = [];
  out.push(`# puretls benchmarks — ${meta.startedAt.slice(0, 10)}, commit ${meta.commit}${meta.quick ? ' (quick run: few, short rounds; smoke test, not numbers to quote)' : ''}`);
  out.push('');
  out.push(`Node ${meta.node}, ${meta.platform}, ${meta.cpu} × ${meta.cores}, load average ${meta.loadAverage.toFixed(2)} at start. Command: \`node bench/run.mjs ${meta.argv.join(' ')}\`.`);
  out.push('');
  out.push('Every row: the median of its rounds, the spread ((max − min) / median of the rounds), and the ratio to its peer (this / peer) measured in the same run with rounds interleaved A B A B. "server" rows are server CPU time (`process.cpuUsage`, or `/proc/<pid>/stat` for a server process), not wall time. See bench/README.md.');
  out.push('');
  out.push('## Targets (issue #9)');
  out.push('');
  const counts = { met: 0, missed: 0, 'not measured': 0 };
  for (const t of report.targets) counts[t.verdict]++;
  out.push(`${counts.met} met, ${counts.missed} missed, ${counts['not measured']} not measured.`);
  let group = '';
  for (const t of report.targets) {
    if (t.group !== group) {
      group = t.group;
      out.push('');
      out.push(`**${group}**`);
      out.push('');
    }
    const icon = t.verdict === 'met' ? '✅' : t.verdict === 'missed' ? '❌' : '⚪';
    out.push(t.verdict === 'not measured' ? `- ${icon} ${t.sentence}` : `- ${icon} ${t.sentence}  \n  <sub>${cell(t.from)}</sub>`);
  }
  out.push('');
  out.push('## Chart');
  out.push('');
  out.push(`![puretls vs Node tls](${chartFile})`);
  out.push('');
  out.push('## Suites');
  out.push('');
  out.push('| suite | status | rows | seconds | note |');
  out.push('|---|---|---:|---:|---|');
  for (const s of report.suites) out.push(`| ${s.name} | ${s.status === 'ok' ? 'ok' : s.status.toUpperCase()} | ${s.rows.length} | ${s.seconds.toFixed(0)} | ${cell(s.reason ?? '')} |`);
  for (const s of report.suites) {
    out.push('');
    out.push(`### ${s.name}`);
    out.push('');
    if (s.status !== 'ok') out.push(`**${s.status.toUpperCase()}**: ${cell(s.reason ?? 'no reason given')}`, '');
    if (s.rows.length === 0) {
      out.push('No rows.');
      continue;
    }
    out.push('| scenario | metric | median | unit | spread | rounds | peer | peer median | ratio |');
    out.push('|---|---|---:|---|---:|---:|---|---:|---|');
    for (const r of s.rows) {
      out.push(
        `| \`${r.scenario}\` | ${cell(r.metric)} (${r.better} is better) | ${fmt(r.median)} | ${r.unit} | ±${(r.spread * 100).toFixed(0)}% | ${r.rounds} | ${r.peer ? `\`${r.peer.scenario}\`` : ''} | ${r.peer ? `${fmt(r.peer.median)} ±${(r.peer.spread * 100).toFixed(0)}%` : ''} | ${ratioWords(r)} |`,
      );
    }
  }
  out.push('');
  return out.join('\n');
}

export function renderReportChart(report: RunReport): string {
  const rows = report.suites.flatMap((s) => s.rows);
  return renderChart(`puretls vs Node tls — ${report.meta.startedAt.slice(0, 10)}, ${report.meta.commit}${report.meta.quick ? ' (quick run)' : ''}`, e2ePanels(rows), 'End to end over loopback; medians of interleaved rounds; ECDSA P-256 certificate, X25519.');
}

/** Writes `<dir>/<base>.json`, `.md` and `.svg`; returns their paths. */
export function writeReport(report: RunReport, dir: string, base: string): { json: string; md: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { json: join(dir, `${base}.json`), md: join(dir, `${base}.md`), svg: join(dir, `${base}.svg`) };
  writeFileSync(paths.json, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(paths.svg, renderReportChart(report));
  writeFileSync(paths.md, renderMarkdown(report, `${base}.svg`));
  return paths;
}
