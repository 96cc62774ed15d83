/**
 * A grouped horizontal bar chart as a standalone SVG string (no browser, no dependency): one
 * panel per metric, one group per scenario, one bar per implementation, the value printed at the
 * end of each bar. Used for puretls vs Node `tls` in the report.
 */
import type { BenchRow } from './rows';
import { fmt } from './rows';

export interface ChartBar {
  readonly series: string;
  readonly value: number;
}
export interface ChartGroup {
  readonly label: string;
  readonly bars: readonly ChartBar[];
}
export interface ChartPanel {
  readonly title: string;
  readonly unit: string;
  readonly groups: readonly ChartGroup[];
}

const COLORS = ['#6b7280', '#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626'];
const WIDTH = 860;
const LABEL_W = 230;
const BAR_H = 16;
const GAP = 4;
const GROUP_GAP = 14;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Renders the panels; series get the same colour in every panel (legend at the top). */
export function renderChart(title: string, panels: readonly ChartPanel[], note?: string): string {
  const series = [...new Set(panels.flatMap((p) => p.groups.flatMap((g) => g.bars.map((b) => b.series))))];
  const color = (s: string) => COLORS[series.indexOf(s) % COLORS.length]!;
  const parts: string[] = [];
  let y = 30;
  parts.push(`<text x="16" y="${y}" font-size="17" font-weight="600" ${FONT}>${escapeXml(title)}</text>`);
  y += 22;
  let x = 16;
  for (const s of series) {
    parts.push(`<rect x="${x}" y="${y - 11}" width="12" height="12" fill="${color(s)}"/>`);
    parts.push(`<text x="${x + 17}" y="${y}" font-size="12" ${FONT}>${escapeXml(s)}</text>`);
    x += 30 + s.length * 7;
  }
  y += 14;
  if (note) {
    y += 12;
    parts.push(`<text x="16" y="${y}" font-size="11" fill="#555" ${FONT}>${escapeXml(note)}</text>`);
  }
  const plotW = WIDTH - LABEL_W - 90;
  for (const panel of panels) {
    y += 28;
    parts.push(`<text x="16" y="${y}" font-size="14" font-weight="600" ${FONT}>${escapeXml(panel.title)} (${escapeXml(panel.unit)})</text>`);
    y += 10;
    if (panel.groups.length === 0) {
      y += 18;
      parts.push(`<text x="16" y="${y}" font-size="12" fill="#555" ${FONT}>no rows for this panel in this run</text>`);
      continue;
    }
    const max = Math.max(...panel.groups.flatMap((g) => g.bars.map((b) => b.value)).filter(Number.isFinite), 1e-9);
    for (const g of panel.groups) {
      const gh = g.bars.length * (BAR_H + GAP) - GAP;
      parts.push(`<text x="${LABEL_W - 8}" y="${y + gh / 2 + 4}" font-size="12" text-anchor="end" ${FONT}>${escapeXml(g.label)}</text>`);
      for (const b of g.bars) {
        const w = Number.isFinite(b.value) ? Math.max(1, (b.value / max) * plotW) : 0;
        parts.push(`<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${color(b.series)}"><title>${escapeXml(`${b.series}: ${fmt(b.value)} ${panel.unit}`)}</title></rect>`);
        parts.push(`<text x="${(LABEL_W + w + 5).toFixed(1)}" y="${y + BAR_H - 4}" font-size="11" ${FONT}>${escapeXml(fmt(b.value))}</text>`);
        y += BAR_H + GAP;
      }
      y += GROUP_GAP - GAP;
    }
  }
  y += 16;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    ...parts,
    `</svg>`,
    '',
  ].join('\n');
}

const IMPLS: readonly [string, string][] = [
  ['nodetls', 'Node tls (OpenSSL)'],
  ['node', 'puretls, node provider'],
  ['noble', 'puretls, noble provider'],
  ['openssl', 'openssl s_server (reference)'],
];

/**
 * The panels of the report's chart from the e2e rows: handshake server CPU and bulk MB/s, bars
 * for whichever of Node tls, puretls (node, noble) and openssl s_server have rows.
 */
export function e2ePanels(rows: readonly BenchRow[]): ChartPanel[] {
  const by = new Map(rows.map((r) => [r.scenario, r]));
  const group = (label: string, prefix: string): ChartGroup | null => {
    const bars = IMPLS.flatMap(([impl, series]) => {
      const r = by.get(`${prefix}_${impl}`);
      return r ? [{ series, value: r.median }] : [];
    });
    return bars.length ? { label, bars } : null;
  };
  const hs = 'x25519_ecdsa-p256';
  const handshakes = [
    group('TLS 1.3 full', `e2e_full_1.3_${hs}_server`),
    group('TLS 1.3 resumed (psk_dhe_ke)', `e2e_resumed_1.3_${hs}_psk-dhe-ke_server`),
    group('TLS 1.2 full', `e2e_full_1.2_${hs}_server`),
    group('TLS 1.2 resumed (ticket)', `e2e_resumed_1.2_${hs}_ticket_server`),
    group('TLS 1.2 resumed (session id)', `e2e_resumed_1.2_${hs}_session-id_server`),
  ].filter((g): g is ChartGroup => g !== null);
  const bulk = [
    group('server → client, TLS 1.3', `e2e_bulk-down_1.3_${hs}_aes-128-gcm_throughput`),
    group('client → server, TLS 1.3', `e2e_bulk-up_1.3_${hs}_aes-128-gcm_throughput`),
  ].filter((g): g is ChartGroup => g !== null);
  return [
    { title: 'Server CPU per connection, openssl s_time (lower is better)', unit: 'ms', groups: handshakes },
    { title: 'Bulk throughput, Node tls.connect client (higher is better)', unit: 'MB/s', groups: bulk },
  ];
}
