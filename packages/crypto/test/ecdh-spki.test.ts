/**
 * Wycheproof ECDH with ASN.1 (SPKI) public keys: `parseSpki` must take named-curve keys only
 * (explicit parameters, other curves, bad points rejected), then both providers agree with the
 * parsed point using a key pair whose scalar is scripted through `scriptedRandom`.
 */
import { describe, expect, it } from 'vitest';
import { parseSpki } from '../src/keys/parse';
import { createNobleProvider } from '../src/noble/provider';
import { createNodeProvider } from '../src/node/provider';
import type { CryptoProvider } from '../src/provider';
import { scriptedRandom, type RandomSource } from '../src/random';
import { hex, toHex, wycheproof, wycheproofCases, type WycheproofTest } from './vectors';

interface EcdhTest extends WycheproofTest {
  readonly public: string;
  readonly private: string;
  readonly shared: string;
}

const PROVIDERS: readonly { name: string; create: (random: RandomSource) => CryptoProvider }[] = [
  { name: 'noble', create: (random) => createNobleProvider({ random }) },
  { name: 'node', create: (random) => createNodeProvider({ random }) },
];

/** The private scalar as exactly `len` bytes (Wycheproof adds a sign octet or drops leading zeros). */
function padScalar(h: string, len: number): Uint8Array {
  const v = BigInt('0x' + (h || '0'));
  return hex(v.toString(16).padStart(2 * len, '0'));
}

describe.each(PROVIDERS)('Wycheproof ECDH with SPKI public keys ($name)', ({ name, create }) => {
  for (const [file, group, len] of [
    ['ecdh_secp256r1_test', 'secp256r1', 32],
    ['ecdh_secp384r1_test', 'secp384r1', 48],
  ] as const) {
    it(file, { timeout: 120_000 }, () => {
      const data = wycheproof<EcdhTest>(file);
      const mismatches: string[] = [];
      let total = 0;
      let parseRejected = 0;
      let agreeRejected = 0;
      const acceptable = { accepted: 0, rejected: 0 };
      for (const { test } of wycheproofCases(data)) {
        total++;
        let shared: Uint8Array | null = null;
        try {
          const pub = parseSpki(hex(test.public));
          if (pub.kind !== 'ec' || pub.curve !== group) throw new Error('wrong curve');
          try {
            const random = scriptedRandom([padScalar(test.private, len)]);
            shared = create(random).generateKeyPair(group).agree(pub.publicKey);
          } catch {
            agreeRejected++;
          }
        } catch {
          parseRejected++;
        }
        const ok = shared !== null && toHex(shared) === test.shared;
        if (test.result === 'acceptable') ok ? acceptable.accepted++ : acceptable.rejected++;
        else if (test.result === 'valid' && !ok) mismatches.push(`tcId ${test.tcId} (valid, ${test.flags.join(',')}): ${shared ? 'wrong secret' : 'rejected'}`);
        else if (test.result === 'invalid' && shared !== null) mismatches.push(`tcId ${test.tcId} (invalid, ${test.flags.join(',')}): accepted`);
      }
      expect(total).toBe(data.numberOfTests);
      console.log(
        `[${name}] ${file}: ${total} cases, ${mismatches.length} mismatches; rejected by parseSpki ${parseRejected}, by agree ${agreeRejected}; ` +
          `acceptable accepted/rejected ${acceptable.accepted}/${acceptable.rejected}`,
      );
      expect(mismatches).toEqual([]);
    });
  }
});
