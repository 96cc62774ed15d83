/**
 * ClientHello parse cost against its size (issue 16.1): `readHello` (the strict reader every
 * handshake runs: every extension decoded once, duplicates found, the key-share bound applied) on
 * TLS 1.3 ClientHellos with 4, 400 and 4,000 unknown extensions, and on the other large shapes
 * clients and test suites send (a 65 KB padding extension, 32,000 signature_algorithms, 16,000
 * groups). The peer, measured in the same run with rounds interleaved, is SHA-256 of the same
 * bytes — what the transcript costs anyway; a ratio that stays flat from 4 to 4,000 extensions
 * is parsing linear in the size (the ns per extension are printed too). Nothing is asserted.
 *
 * Rows: `clienthello_parse_1.3_<shape>_time_puretls` (µs per ClientHello), peer
 * `…_time_bare-sha256`.
 *
 * Run: `node bench/run.mjs clienthello [--quick]`.
 */
import { createNobleProvider } from '@puretls/crypto';
import {
  HandshakeType,
  readHello,
  writeClientHello,
  writeKeyShareClientHello,
  writeServerName,
  writeSignatureSchemeList,
  writeSupportedGroups,
  writeSupportedVersionsClientHello,
  type Extension,
} from '@puretls/handshake-state-machine/internal';
import { cpuMs, interleave, median } from '../lib/measure';
import { emit, quick } from '../lib/rows';

const ROUNDS = quick ? 3 : 11;
/** Target CPU time of one round, ms. */
const ROUND_MS = quick ? 15 : 60;
const provider = createNobleProvider();
let sink = 0;

/** A TLS 1.3 ClientHello with the usual extensions plus `extra`, and optional replacements. */
function clientHello(extra: Extension[], o: { sigAlgs?: number[]; groups?: number[] } = {}): Uint8Array {
  const share = provider.generateKeyPair('x25519').publicKey;
  return writeClientHello({
    random: provider.random(32),
    legacySessionId: provider.random(32),
    cipherSuites: [0x1301, 0x1302, 0x1303],
    extensions: [
      writeServerName('bench.example'),
      writeSupportedGroups(o.groups ?? [0x001d, 0x0017]),
      writeSignatureSchemeList(o.sigAlgs ?? [0x0403, 0x0804]),
      writeSupportedVersionsClientHello([0x0304]),
      { type: 45, data: Uint8Array.of(1, 1) },
      writeKeyShareClientHello([{ group: 0x001d, keyExchange: share }]),
      ...extra,
    ],
  });
}
const unknown = (n: number): Extension[] => Array.from({ length: n }, (_, i) => ({ type: 0x7000 + i, data: Uint8Array.of(i & 0xff, 1, 2, 3) }));

const shapes: [string, Uint8Array, number][] = [
  ['ext-4', clientHello(unknown(4)), 4],
  ['ext-400', clientHello(unknown(400)), 400],
  ['ext-4000', clientHello(unknown(4000)), 4000],
  ['padding-65k', clientHello([{ type: 21, data: new Uint8Array(65_000) }]), 1],
  ['sigalgs-32000', clientHello([], { sigAlgs: [...Array.from({ length: 32_000 }, (_, i) => 0x0900 + i), 0x0403] }), 1],
  ['groups-16000', clientHello([], { groups: [...Array.from({ length: 16_000 }, (_, i) => 0x0200 + i), 0x001d] }), 1],
];

console.log(`ClientHello parse (readHello) vs SHA-256 of the same bytes — ${ROUNDS} rounds per side, interleaved, medians${quick ? ' (quick)' : ''}`);
const perExtension: Record<string, number> = {};
for (const [name, raw, extensions] of shapes) {
  const msg = { kind: 'handshake' as const, type: HandshakeType.client_hello, raw, body: raw.subarray(4) };
  // Cross-check before timing: the parse sees every extension.
  const parsed = readHello(msg);
  if (parsed.ch.extensions.length !== 6 + (name.startsWith('ext-') ? extensions : name === 'padding-65k' ? 1 : 0)) throw new Error(`cross-check failed: ${name}`);
  // Calibrate: enough parses per round for about ROUND_MS of CPU time.
  const probe = Math.max(1, Math.round(2_000_000 / raw.length));
  const t = Math.max(0.01, cpuMs(() => {
    for (let i = 0; i < probe; i++) sink ^= readHello(msg).ch.extensions.length;
  }));
  const n = Math.max(1, Math.round((probe * ROUND_MS) / t));
  const rounds = interleave(
    {
      parse: () => cpuMs(() => {
        for (let i = 0; i < n; i++) sink ^= readHello(msg).ch.extensions.length;
      }) * 1000 / n,
      hash: () => cpuMs(() => {
        for (let i = 0; i < n; i++) sink ^= provider.hash('sha256', raw)[0]!;
      }) * 1000 / n,
    },
    ROUNDS,
  );
  const row = emit({
    scenario: `clienthello_parse_1.3_${name}_time_puretls`,
    metric: 'readHello CPU time per ClientHello',
    unit: 'µs',
    better: 'lower',
    samples: rounds.parse,
    peer: { scenario: `clienthello_parse_1.3_${name}_time_bare-sha256`, samples: rounds.hash },
    extra: { bytes: raw.length, extensions: parsed.ch.extensions.length, parsesPerRound: n, nsPerByte: Number(((median(rounds.parse) * 1000) / raw.length).toFixed(3)) },
  });
  if (name.startsWith('ext-')) perExtension[name] = (row.median * 1000) / extensions;
}
console.log(
  `  ns per extension: ${Object.entries(perExtension)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(', ')} (flat = linear); 4000 / 400: ${(perExtension['ext-4000']! / perExtension['ext-400']!).toFixed(2)}×`,
);
if (sink === 0.5) console.log(sink);
