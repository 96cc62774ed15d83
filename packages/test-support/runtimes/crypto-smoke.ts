/**
 * Runs under Deno and Bun (scripts/test/runtimes.test.ts): `@puretls/crypto` from its TypeScript
 * sources (the `development` condition), SHA-256 and AES-128-GCM with the noble provider. Prints one
 * JSON line: the runtime, where `@puretls/crypto` resolved, the inputs and the results, which the
 * test recomputes with Node's own crypto.
 */
import { bytesToHex, createNobleProvider, hexToBytes } from '@puretls/crypto';

const runtime = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
const p = createNobleProvider();
const message = new TextEncoder().encode('puretls on another runtime');
const key = hexToBytes('000102030405060708090a0b0c0d0e0f');
const nonce = hexToBytes('cafebabefacedbaddecaf888');
const aad = hexToBytes('17030300');
const aead = p.createAead('aes-128-gcm', key);
const sealed = aead.seal(nonce, aad, message);
const opened = aead.open(nonce, aad, sealed);
const tampered = sealed.slice();
tampered[0]! ^= 1;

console.log(
  JSON.stringify({
    runtime: runtime.Deno ? `deno ${runtime.Deno.version.deno}` : runtime.Bun ? `bun ${runtime.Bun.version}` : 'unknown',
    resolved: import.meta.resolve('@puretls/crypto'),
    provider: p.name,
    message: bytesToHex(message),
    sha256: bytesToHex(p.hash('sha256', message)),
    key: bytesToHex(key),
    nonce: bytesToHex(nonce),
    aad: bytesToHex(aad),
    sealed: bytesToHex(sealed),
    opened: opened === null ? null : bytesToHex(opened),
    tamperedOpens: aead.open(nonce, aad, tampered) !== null,
  }),
);
