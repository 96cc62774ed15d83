/**
 * Signature schemes against Wycheproof (every case, including the invalid ones), with both
 * backends: `nobleSign`/`nobleVerify` and `nodeSign`/`nodeVerify`. Plus cross-checks with
 * `node:crypto` directly, RSA-3072/4096 round trips and scheme/key matching.
 */
import * as nodeCrypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isCryptoError } from '../src/errors';
import { parsePrivateKey, parseSpki, publicKeyOf } from '../src/keys/parse';
import type { PrivateKey, PublicKey, RsaPrivateKey } from '../src/keys/types';
import { SignatureScheme } from '../src/provider';
import { scriptedRandom, systemRandom } from '../src/random';
import type { RsaHashName } from '../src/rsa/emsa';
import { ecdsaRawToDer } from '../src/signatures/ecdsa-der';
import { NOBLE_DIGESTS, nobleSign, nobleVerify, rsaPkcs1Sign } from '../src/signatures/noble';
import { nodeRsaPkcs1Sign, nodeSign, nodeVerify } from '../src/node/signatures';
import { isTls13SignatureScheme, keyCanUseScheme, signatureSchemesFor } from '../src/signatures/schemes';
import { hex, toHex, wycheproof, wycheproofCases, type WycheproofTest } from './vectors';

/** Wycheproof files take a few seconds on the first (cold) noble P-384 run. */
const SLOW = { timeout: 60_000 };

type RandomFn = (n: number, purpose?: string) => Uint8Array;
interface Backend {
  readonly name: 'noble' | 'node';
  sign(key: PrivateKey, scheme: number, message: Uint8Array, random: RandomFn): Uint8Array;
  verify(key: PublicKey, scheme: number, message: Uint8Array, signature: Uint8Array): boolean;
  pkcs1SignWithHash(key: RsaPrivateKey, hash: RsaHashName, message: Uint8Array): Uint8Array;
}
const BACKENDS: readonly Backend[] = [
  {
    name: 'noble',
    sign: nobleSign,
    verify: nobleVerify,
    pkcs1SignWithHash: (key, hash, message) => rsaPkcs1Sign(key, NOBLE_DIGESTS[hash], message),
  },
  {
    name: 'node',
    sign: (key, scheme, message, random) => nodeSign(key, scheme, message, random, nodeCrypto),
    verify: (key, scheme, message, signature) => nodeVerify(key, scheme, message, signature, nodeCrypto),
    pkcs1SignWithHash: (key, hash, message) => nodeRsaPkcs1Sign(key, hash, message, nodeCrypto),
  },
];

const sysRandom = systemRandom();
const random: RandomFn = (n, purpose) => sysRandom.random(n, purpose);

interface SigTest extends WycheproofTest {
  readonly msg: string;
  readonly sig: string;
}

/**
 * Runs every case of a Wycheproof verification file. `valid` must verify, `invalid` must not;
 * `acceptable` may go either way (the outcome is counted). Returns the summary line.
 */
function runVerifyFile(
  backend: Backend,
  file: string,
  scheme: number,
  toSignature: (sig: Uint8Array) => Uint8Array | null = (s) => s,
): { total: number; mismatches: string[]; acceptable: { accepted: number; rejected: number } } {
  const data = wycheproof<SigTest>(file);
  const mismatches: string[] = [];
  const acceptable = { accepted: 0, rejected: 0 };
  let total = 0;
  const keys = new Map<unknown, PublicKey | null>();
  for (const { group, test } of wycheproofCases(data)) {
    total++;
    if (!keys.has(group)) {
      let key: PublicKey | null = null;
      try {
        key = parseSpki(hex(group['publicKeyDer'] as string));
      } catch {
        key = null;
      }
      keys.set(group, key);
    }
    const key = keys.get(group)!;
    const sig = toSignature(hex(test.sig));
    const ok = key !== null && sig !== null && backend.verify(key, scheme, hex(test.msg), sig);
    if (test.result === 'acceptable') ok ? acceptable.accepted++ : acceptable.rejected++;
    else if (ok !== (test.result === 'valid')) mismatches.push(`tcId ${test.tcId} (${test.result}, ${test.flags.join(',')}): got ${ok}`);
  }
  expect(total).toBe(data.numberOfTests);
  console.log(`[${backend.name}] ${file}: ${total} cases, ${mismatches.length} mismatches, acceptable accepted/rejected ${acceptable.accepted}/${acceptable.rejected}`);
  return { total, mismatches, acceptable };
}

/** IEEE P1363 `r ‖ s` to DER: only exactly 2 × curve bytes converts; other sizes are rejected. */
const p1363 = (curve: 'secp256r1' | 'secp384r1') => (sig: Uint8Array): Uint8Array | null =>
  sig.length === (curve === 'secp256r1' ? 64 : 96) ? ecdsaRawToDer(curve, sig) : null;

describe.each(BACKENDS)('Wycheproof signature verification ($name)', (backend) => {
  it('ecdsa_secp256r1_sha256_test (DER)', SLOW, () => {
    expect(runVerifyFile(backend, 'ecdsa_secp256r1_sha256_test', SignatureScheme.ecdsa_secp256r1_sha256).mismatches).toEqual([]);
  });
  it('ecdsa_secp384r1_sha384_test (DER)', SLOW, () => {
    expect(runVerifyFile(backend, 'ecdsa_secp384r1_sha384_test', SignatureScheme.ecdsa_secp384r1_sha384).mismatches).toEqual([]);
  });
  it('ecdsa_secp256r1_sha256_p1363_test', SLOW, () => {
    const r = runVerifyFile(backend, 'ecdsa_secp256r1_sha256_p1363_test', SignatureScheme.ecdsa_secp256r1_sha256, p1363('secp256r1'));
    expect(r.mismatches).toEqual([]);
  });
  it('ecdsa_secp384r1_sha384_p1363_test', SLOW, () => {
    const r = runVerifyFile(backend, 'ecdsa_secp384r1_sha384_p1363_test', SignatureScheme.ecdsa_secp384r1_sha384, p1363('secp384r1'));
    expect(r.mismatches).toEqual([]);
  });
  it('ed25519_test', SLOW, () => {
    expect(runVerifyFile(backend, 'ed25519_test', SignatureScheme.ed25519).mismatches).toEqual([]);
  });
  it('rsa_pss_2048_sha256_mgf1_32_test', SLOW, () => {
    expect(runVerifyFile(backend, 'rsa_pss_2048_sha256_mgf1_32_test', SignatureScheme.rsa_pss_rsae_sha256).mismatches).toEqual([]);
  });
  it('rsa_signature_2048_sha256_test (PKCS#1 v1.5 verify)', SLOW, () => {
    expect(runVerifyFile(backend, 'rsa_signature_2048_sha256_test', SignatureScheme.rsa_pkcs1_sha256).mismatches).toEqual([]);
  });

  it('rsa_pkcs1_2048_sig_gen_test (PKCS#1 v1.5 signing, byte-exact, then verified)', SLOW, () => {
    const data = wycheproof<SigTest>('rsa_pkcs1_2048_sig_gen_test');
    const hashes: Record<string, RsaHashName> = { 'SHA-1': 'sha1', 'SHA-224': 'sha224', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
    const schemes: Partial<Record<RsaHashName, number>> = {
      sha256: SignatureScheme.rsa_pkcs1_sha256,
      sha384: SignatureScheme.rsa_pkcs1_sha384,
      sha512: SignatureScheme.rsa_pkcs1_sha512,
    };
    let total = 0;
    let viaScheme = 0;
    const mismatches: string[] = [];
    for (const { group, test } of wycheproofCases(data)) {
      total++;
      const key = parsePrivateKey(hex(group['privateKeyPkcs8'] as string)) as RsaPrivateKey;
      const hash = hashes[group['sha'] as string]!;
      const msg = hex(test.msg);
      const scheme = schemes[hash];
      let sig: Uint8Array;
      if (scheme !== undefined) {
        viaScheme++;
        sig = backend.sign(key, scheme, msg, () => {
          throw new Error('PKCS#1 v1.5 signing must not draw randomness');
        });
        if (!backend.verify(publicKeyOf(key), scheme, msg, sig)) mismatches.push(`tcId ${test.tcId}: own signature does not verify`);
      } else {
        // SHA-1 / SHA-224 are not TLS schemes: exercised through the PKCS#1 layer directly.
        sig = backend.pkcs1SignWithHash(key, hash, msg);
      }
      if (toHex(sig) !== test.sig) mismatches.push(`tcId ${test.tcId} (${group['sha']}, ${test.result}): signature differs`);
    }
    expect(total).toBe(data.numberOfTests);
    console.log(`[${backend.name}] rsa_pkcs1_2048_sig_gen_test: ${total} cases (${viaScheme} via TLS schemes, ${total - viaScheme} SHA-1/224 via the PKCS#1 layer), ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
  });
});

// ---- keys generated with node:crypto for round trips and cross-checks ---------------------------

function genKey(type: 'rsa' | 'ec' | 'ed25519', opt: object = {}): PrivateKey {
  const { privateKey } = nodeCrypto.generateKeyPairSync(type as 'rsa', opt as nodeCrypto.RSAKeyPairOptions<'pem', 'pem'>);
  return parsePrivateKey(new Uint8Array((privateKey as unknown as nodeCrypto.KeyObject).export({ format: 'der', type: 'pkcs8' })));
}
const KEYS = {
  rsa2048: genKey('rsa', { modulusLength: 2048 }),
  rsa2049: genKey('rsa', { modulusLength: 2049 }), // modBits ≡ 1 (mod 8): EM is one byte shorter than k
  p256: genKey('ec', { namedCurve: 'P-256' }),
  p384: genKey('ec', { namedCurve: 'P-384' }),
  ed25519: genKey('ed25519'),
};
const bigKeys = new Map<number, PrivateKey>();
/** Generated once per file (RSA-4096 generation takes seconds). */
function bigRsaKey(bits: 3072 | 4096): PrivateKey {
  let key = bigKeys.get(bits);
  if (!key) bigKeys.set(bits, (key = genKey('rsa', { modulusLength: bits })));
  return key;
}
const SCHEMES_BY_KEY: Record<keyof typeof KEYS, number[]> = {
  rsa2048: [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601],
  rsa2049: [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601],
  p256: [0x0403],
  p384: [0x0503],
  ed25519: [0x0807],
};

/** How `node:crypto` itself signs/verifies a scheme (independent of our code). */
function nodeOptions(scheme: number): { alg: string | null; opts: Record<string, unknown> } {
  const c = nodeCrypto.constants;
  switch (scheme) {
    case 0x0403: return { alg: 'sha256', opts: { dsaEncoding: 'der' } };
    case 0x0503: return { alg: 'sha384', opts: { dsaEncoding: 'der' } };
    case 0x0807: return { alg: null, opts: {} };
    case 0x0804: return { alg: 'sha256', opts: { padding: c.RSA_PKCS1_PSS_PADDING, saltLength: 32 } };
    case 0x0805: return { alg: 'sha384', opts: { padding: c.RSA_PKCS1_PSS_PADDING, saltLength: 48 } };
    case 0x0806: return { alg: 'sha512', opts: { padding: c.RSA_PKCS1_PSS_PADDING, saltLength: 64 } };
    case 0x0401: return { alg: 'sha256', opts: { padding: c.RSA_PKCS1_PADDING } };
    case 0x0501: return { alg: 'sha384', opts: { padding: c.RSA_PKCS1_PADDING } };
    case 0x0601: return { alg: 'sha512', opts: { padding: c.RSA_PKCS1_PADDING } };
  }
  throw new Error(`no node mapping for ${scheme}`);
}

function nodeKeys(key: PrivateKey): { priv: nodeCrypto.KeyObject; pub: nodeCrypto.KeyObject } {
  const priv = nodeCrypto.createPrivateKey({ key: Buffer.from(encodePkcs8Local(key)), format: 'der', type: 'pkcs8' });
  return { priv, pub: nodeCrypto.createPublicKey(priv) };
}
import { encodePkcs8 as encodePkcs8Local } from '../src/keys/encode';

describe.each(BACKENDS)('round trips and node:crypto cross-checks ($name)', (backend) => {
  const msg = new TextEncoder().encode('puretls cross-check message');
  for (const [name, key] of Object.entries(KEYS) as [keyof typeof KEYS, PrivateKey][]) {
    for (const scheme of SCHEMES_BY_KEY[name]) {
      it(`${name} scheme 0x${scheme.toString(16)}: ours → node:crypto.verify, node:crypto.sign → ours`, () => {
        const { priv, pub } = nodeKeys(key);
        const { alg, opts } = nodeOptions(scheme);
        const ours = backend.sign(key, scheme, msg, random);
        expect(nodeCrypto.verify(alg, msg, { key: pub, ...opts } as nodeCrypto.VerifyKeyObjectInput, ours)).toBe(true);
        expect(backend.verify(publicKeyOf(key), scheme, msg, ours)).toBe(true);
        const theirs = nodeCrypto.sign(alg, msg, { key: priv, ...opts } as nodeCrypto.SignKeyObjectInput);
        expect(backend.verify(publicKeyOf(key), scheme, msg, new Uint8Array(theirs))).toBe(true);
        // a flipped bit anywhere fails
        const bad = ours.slice();
        bad[bad.length >> 1]! ^= 0x01;
        expect(backend.verify(publicKeyOf(key), scheme, msg, bad)).toBe(false);
        expect(backend.verify(publicKeyOf(key), scheme, msg.subarray(1), ours)).toBe(false);
      });
    }
  }

  it('RSA-3072 and RSA-4096: PSS and PKCS#1 round trips, verified by node:crypto', { timeout: 120_000 }, () => {
    for (const bits of [3072, 4096] as const) {
      const key = bigRsaKey(bits);
      const { pub } = nodeKeys(key);
      for (const scheme of [0x0804, 0x0805, 0x0806, 0x0401, 0x0601]) {
        const sig = backend.sign(key, scheme, msg, random);
        expect(sig.length).toBe(bits / 8);
        expect(backend.verify(publicKeyOf(key), scheme, msg, sig)).toBe(true);
        const { alg, opts } = nodeOptions(scheme);
        expect(nodeCrypto.verify(alg, msg, { key: pub, ...opts } as nodeCrypto.VerifyKeyObjectInput, sig)).toBe(true);
      }
    }
  });

  it('PSS draws exactly one hLen salt named pss_salt, and the salt determines the signature', () => {
    const salt = new Uint8Array(48).fill(7);
    const a = backend.sign(KEYS.rsa2048, 0x0805, msg, (n, p) => scriptedRandom([{ bytes: salt, purpose: 'pss_salt' }]).random(n, p));
    const src = scriptedRandom([{ bytes: salt, purpose: 'pss_salt' }]);
    const b = backend.sign(KEYS.rsa2048, 0x0805, msg, (n, p) => src.random(n, p));
    expect(src.remaining).toBe(0);
    expect(toHex(a)).toBe(toHex(b));
  });

  it('deterministic schemes draw no randomness (PKCS#1, Ed25519; ECDSA noble RFC 6979)', () => {
    const none: RandomFn = () => {
      throw new Error('unexpected random draw');
    };
    for (const [key, scheme] of [[KEYS.rsa2048, 0x0401], [KEYS.ed25519, 0x0807], [KEYS.p256, 0x0403], [KEYS.p384, 0x0503]] as const) {
      const s1 = backend.sign(key, scheme, msg, none);
      const s2 = backend.sign(key, scheme, msg, none);
      // ECDSA through OpenSSL uses a random nonce (documented in node/signatures.ts).
      if (!(backend.name === 'node' && key.kind === 'ec')) expect(toHex(s1)).toBe(toHex(s2));
    }
  });

  it('SchemeKeyMismatch for every scheme a key cannot make; verify returns false instead', () => {
    const all = Object.values(SignatureScheme) as number[];
    for (const [name, key] of Object.entries(KEYS) as [keyof typeof KEYS, PrivateKey][]) {
      for (const scheme of [...all, 0x0808, 0x0203, 0xffff]) {
        if (SCHEMES_BY_KEY[name].includes(scheme)) continue;
        let err: unknown;
        try {
          backend.sign(key, scheme, msg, random);
        } catch (e) {
          err = e;
        }
        expect(isCryptoError(err) && err.reason === 'SchemeKeyMismatch', `${name} 0x${scheme.toString(16)}`).toBe(true);
        expect(backend.verify(publicKeyOf(key), scheme, msg, new Uint8Array(64))).toBe(false);
      }
    }
  });

  it('verify never throws on garbage signatures', () => {
    const garbage = [new Uint8Array(0), new Uint8Array(1), new Uint8Array(64).fill(0xff), new Uint8Array(256), new Uint8Array(257).fill(1), hex('3006020101020101'), hex('30060201010201')];
    for (const [name, key] of Object.entries(KEYS) as [keyof typeof KEYS, PrivateKey][]) {
      for (const scheme of SCHEMES_BY_KEY[name]) {
        for (const g of garbage) expect(backend.verify(publicKeyOf(key), scheme, msg, g)).toBe(false);
      }
    }
  });
});

describe('signatureSchemesFor', () => {
  it('orders schemes and separates TLS 1.3 from TLS 1.2', () => {
    expect(signatureSchemesFor(KEYS.rsa2048)).toEqual([0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601]);
    expect(signatureSchemesFor(KEYS.rsa2048, 'tls1.3')).toEqual([0x0804, 0x0805, 0x0806]);
    expect(signatureSchemesFor(publicKeyOf(KEYS.p256), 'tls1.3')).toEqual([0x0403]);
    expect(signatureSchemesFor(KEYS.p384)).toEqual([0x0503]);
    expect(signatureSchemesFor(KEYS.ed25519, 'tls1.3')).toEqual([0x0807]);
    expect(isTls13SignatureScheme(0x0401)).toBe(false);
    expect(isTls13SignatureScheme(0x0804)).toBe(true);
  });
  it('RSA-1024 cannot do PSS-SHA512 (RFC 8017 §9.1.1 step 3: emLen >= hLen + sLen + 2)', () => {
    const small = { kind: 'rsa', n: (1n << 1023n) + 1n, e: 65537n, bits: 1024 } as const;
    expect(keyCanUseScheme(small, 0x0806)).toBe(false);
    expect(signatureSchemesFor(small, 'tls1.3')).toEqual([0x0804, 0x0805]);
  });
});
