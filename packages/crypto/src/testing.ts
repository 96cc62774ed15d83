/**
 * `@puretls/crypto/testing`: hooks for tests, benchmarks and fuzzing harnesses. **Not for
 * production**: a server built with these sources is predictable.
 *
 * - {@link scriptedRandom}: answers a queue of byte strings in order (replays RFC 8448 byte for byte).
 * - {@link seededRandom}: a deterministic, seeded source for reproducible property tests.
 * - {@link x25519MlKem768ClientKeyPair}: the *client* side of X25519MLKEM768, for test clients.
 * - {@link recoverPssSalt}: the salt an RSA-PSS signature used, to check a replayed signature.
 */
export { scriptedRandom, seededRandom, type ScriptedEntry, type ScriptedRandomOptions } from './random';
export { x25519MlKem768ClientKeyPair, type HybridClientKeyPair } from './hybrid-client';
export { recoverPssSalt } from './signatures/pss-salt';
