/**
 * bench/crypto: ops/s of every primitive on both providers (noble, node), rounds interleaved,
 * with the ratio noble/node, plus MB/s of AEAD seal/open on 16 KiB and 1 KiB records.
 * Rows: `crypto_<primitive>_ops_noble` (peer `…_ops_node`), `aead_<seal|open>_<alg>_<16k|1k>_throughput_noble`
 * (peer `…_node`). It prints; it asserts nothing. Outputs are cross-checked between providers before timing.
 */
import { execFileSync } from 'node:child_process';
import {
  SignatureScheme,
  createNobleProvider,
  createNodeProvider,
  generateEcdsaP256Key,
  parsePrivateKey,
  publicKeyOf,
  tls12Prf,
  hkdfExpandLabel,
  type AeadAlgorithm,
  type CryptoProvider,
  type PrivateKey,
} from '@puretls/crypto';
import { seededRandom, x25519MlKem768ClientKeyPair } from '@puretls/crypto/testing';
import { interleave, median, printTable, quick } from '../lib/measure';
import { emit } from '../lib/rows';

const providers = { noble: createNobleProvider({ random: seededRandom(1) }), node: createNodeProvider({ random: seededRandom(1) }) };
type Name = keyof typeof providers;

/** Runs `op` repeatedly for about `ms` of wall time; returns ops per second. */
function opsPerSecond(op: () => unknown, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 4; i++) op();
    n += 4;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

const ROUND_MS = quick ? 40 : 250;
const ROUNDS = quick ? 2 : 5;
const rsaPem = execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const keys: Record<string, PrivateKey> = {
  p256: generateEcdsaP256Key(providers.noble),
  p384: parsePrivateKey(execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
  ed25519: parsePrivateKey(new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20, ...providers.noble.random(32)])),
  rsa2048: parsePrivateKey(rsaPem),
};
const msg1k = providers.noble.random(1024);
const key32 = providers.noble.random(32);

type Op = (p: CryptoProvider) => () => unknown;
const ops: Record<string, Op> = {
  'random 32 B': (p) => () => p.random(32),
  'sha256 1 KiB': (p) => () => p.hash('sha256', msg1k),
  'sha384 1 KiB': (p) => () => p.hash('sha384', msg1k),
  'hmac-sha256 1 KiB': (p) => () => p.hmac('sha256', key32, msg1k),
  'hkdf-expand-label sha256': (p) => () => hkdfExpandLabel(p, 'sha256', key32, 'c hs traffic', key32, 32),
  'tls12-prf sha256 48 B': (p) => () => tls12Prf(p, 'sha256', key32, 'master secret', msg1k.subarray(0, 64), 48),
  'x25519 keygen+agree': (p) => {
    const peer = p.generateKeyPair('x25519').publicKey;
    return () => p.generateKeyPair('x25519').agree(peer);
  },
  'secp256r1 keygen+agree': (p) => {
    const peer = p.generateKeyPair('secp256r1').publicKey;
    return () => p.generateKeyPair('secp256r1').agree(peer);
  },
  'secp384r1 keygen+agree': (p) => {
    const peer = p.generateKeyPair('secp384r1').publicKey;
    return () => p.generateKeyPair('secp384r1').agree(peer);
  },
  'X25519MLKEM768 server share': (p) => {
    const clientShare = mlkemClientShare;
    return () => p.keyShare('X25519MLKEM768', clientShare);
  },
  'ecdsa-p256 sign': (p) => () => p.sign(keys.p256!, SignatureScheme.ecdsa_secp256r1_sha256, msg1k),
  'ecdsa-p256 verify': (p) => {
    const sig = p.sign(keys.p256!, SignatureScheme.ecdsa_secp256r1_sha256, msg1k);
    return () => p.verify(publicKeyOf(keys.p256!), SignatureScheme.ecdsa_secp256r1_sha256, msg1k, sig);
  },
  'ecdsa-p384 sign': (p) => () => p.sign(keys.p384!, SignatureScheme.ecdsa_secp384r1_sha384, msg1k),
  'ed25519 sign': (p) => () => p.sign(keys.ed25519!, SignatureScheme.ed25519, msg1k),
  'ed25519 verify': (p) => {
    const sig = p.sign(keys.ed25519!, SignatureScheme.ed25519, msg1k);
    return () => p.verify(publicKeyOf(keys.ed25519!), SignatureScheme.ed25519, msg1k, sig);
  },
  'rsa-pss-2048 sign': (p) => () => p.sign(keys.rsa2048!, SignatureScheme.rsa_pss_rsae_sha256, msg1k),
  'rsa-pss-2048 verify': (p) => {
    const sig = p.sign(keys.rsa2048!, SignatureScheme.rsa_pss_rsae_sha256, msg1k);
    return () => p.verify(publicKeyOf(keys.rsa2048!), SignatureScheme.rsa_pss_rsae_sha256, msg1k, sig);
  },
  'rsa-pkcs1-2048 sign': (p) => () => p.sign(keys.rsa2048!, SignatureScheme.rsa_pkcs1_sha256, msg1k),
};

// A valid X25519MLKEM768 client share (ML-KEM-768 ek ‖ X25519), made by the client-side helper.
const mlkemClientShare = x25519MlKem768ClientKeyPair(providers.noble).share;

// Cross-check before timing: same inputs, same outputs where deterministic.
for (const [label, mk] of Object.entries({ sha: ops['sha256 1 KiB']!, hmac: ops['hmac-sha256 1 KiB']!, prf: ops['tls12-prf sha256 48 B']! })) {
  const a = mk(providers.noble)() as Uint8Array;
  const b = mk(providers.node)() as Uint8Array;
  if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) throw new Error(`providers disagree on ${label}`);
}

const rows: string[][] = [];
for (const [label, op] of Object.entries(ops)) {
  const fns = { noble: op(providers.noble), node: op(providers.node) } as Record<Name, () => unknown>;
  const r = interleave({ noble: () => opsPerSecond(fns.noble, ROUND_MS), node: () => opsPerSecond(fns.node, ROUND_MS) }, ROUNDS);
  const n = median(r.noble);
  const d = median(r.node);
  rows.push([`crypto_${label.replace(/ /g, '_')}`, fmt(n), fmt(d), (n / d).toFixed(3)]);
  const token = label.toLowerCase().replace(/[ +]/g, "-");
  emit({ scenario: `crypto_${token}_ops_noble`, metric: label, unit: 'ops/s', better: 'higher', samples: r.noble, peer: { scenario: `crypto_${token}_ops_node`, samples: r.node } });
}
console.log('\nPrimitives: ops/s (median of interleaved rounds)');
printTable(['primitive', 'noble ops/s', 'node ops/s', 'noble/node'], rows);

// AEAD throughput, seal and open, 16 KiB and 1 KiB records.
const aeadRows: string[][] = [];
const algs: AeadAlgorithm[] = ['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'];
for (const alg of algs) {
  for (const size of [16384, 1024]) {
    const pt = providers.noble.random(size);
    const aad = new Uint8Array(13);
    const nonce = new Uint8Array(12);
    const res: Record<string, number> = {};
    const cases: Record<string, () => number> = {};
    for (const name of ['noble', 'node'] as const) {
      const k = providers[name].createAead(alg, providers.noble.random(alg === 'aes-128-gcm' ? 16 : 32));
      const out = new Uint8Array(size + 16);
      const ct = k.seal(nonce, aad, pt);
      const back = new Uint8Array(size);
      cases[`${name} seal`] = () => (opsPerSecond(() => k.seal(nonce, aad, pt, out), ROUND_MS) * size) / 1e6;
      cases[`${name} open`] = () => (opsPerSecond(() => k.open(nonce, aad, ct, back), ROUND_MS) * size) / 1e6;
    }
    const r = interleave(cases, ROUNDS);
    for (const k of Object.keys(r)) res[k] = median(r[k]!);
    for (const dir of ['seal', 'open']) {
      const name = `aead_${dir}_${alg}_${size === 16384 ? '16k' : '1k'}_throughput`;
      emit({ scenario: `${name}_noble`, metric: `bare AEAD ${dir}`, unit: 'MB/s', better: 'higher', samples: r[`noble ${dir}`]!, peer: { scenario: `${name}_node`, samples: r[`node ${dir}`]! } });
    }
    aeadRows.push([
      `aead_${alg}_${size === 16384 ? '16k' : '1k'}`,
      res['noble seal']!.toFixed(1),
      res['node seal']!.toFixed(1),
      (res['noble seal']! / res['node seal']!).toFixed(3),
      res['noble open']!.toFixed(1),
      res['node open']!.toFixed(1),
      (res['noble open']! / res['node open']!).toFixed(3),
    ]);
  }
}
console.log('\nAEAD: MB/s (median of interleaved rounds)');
printTable(['case', 'noble seal', 'node seal', 'ratio', 'noble open', 'node open', 'ratio'], aeadRows);

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x.toFixed(1);
}
