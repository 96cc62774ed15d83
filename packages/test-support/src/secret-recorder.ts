/**
 * A `CryptoProvider` wrapper that keeps a live reference to every secret buffer passing through it,
 * so a test can assert through the public `crypto:` option that the engine wiped them (all zero)
 * when a connection ends, without looking inside the engine:
 *
 * - handed out: HKDF-Extract outputs, HKDF-Expand outputs (named by their TLS 1.3 label), ECDH
 *   shared secrets (`agree`, `keyShare`), random bytes drawn for a named purpose (`ticket_key`, …);
 * - handed in as key material: HKDF PRKs (named by the label expanded), HMAC keys, AEAD keys;
 * - objects: whether every AEAD key and every ephemeral key pair it made was `clean()`ed.
 *
 * The buffers are the engine's own (never copies): a later `fill(0)` shows here.
 */
import type { AeadAlgorithm, AeadKey, CryptoProvider, HashAlgorithm, KeyExchangeKeyPair, KeyShareResult, NamedGroup } from '@puretls/crypto';

/** One secret buffer and where it passed: `extract`, `expand <label>`, `prk <label>`, `hmac key`, `aead key`, `agree`, `keyShare`, `random <purpose>`. */
export interface SecretSeen {
  readonly role: string;
  readonly bytes: Uint8Array;
}

/** An object the provider made that holds key material (`key`: the AEAD key it was made from). */
export interface CleanableSeen {
  readonly what: string;
  readonly key?: Uint8Array;
  cleaned: boolean;
}

/** Whether `b` is non-empty and all zero. */
export function isWiped(b: Uint8Array): boolean {
  return b.length > 0 && b.every((x) => x === 0);
}

export class SecretRecorder {
  readonly secrets: SecretSeen[] = [];
  readonly aeadKeys: CleanableSeen[] = [];
  readonly keyPairs: CleanableSeen[] = [];
  /** The provider to pass as `crypto:`. */
  readonly provider: CryptoProvider;
  private readonly seen = new Map<string, Set<Uint8Array>>();

  constructor(inner: CryptoProvider) {
    const keep = (role: string, bytes: Uint8Array): Uint8Array => this.keep(role, bytes);
    const wrapAead = (what: string, key: Uint8Array, k: AeadKey): AeadKey => {
      const rec: CleanableSeen = { what, key, cleaned: false };
      this.aeadKeys.push(rec);
      return {
        algorithm: k.algorithm,
        seal: (nonce, aad, plaintext, output) => k.seal(nonce, aad, plaintext, output),
        open: (nonce, aad, ciphertextAndTag, output) => k.open(nonce, aad, ciphertextAndTag, output),
        clean: () => {
          rec.cleaned = true;
          k.clean();
        },
      };
    };
    const wrapPair = (pair: KeyExchangeKeyPair): KeyExchangeKeyPair => {
      const rec: CleanableSeen = { what: pair.group, cleaned: false };
      this.keyPairs.push(rec);
      return {
        group: pair.group,
        publicKey: pair.publicKey,
        agree: (peer) => keep('agree', pair.agree(peer)),
        clean: () => {
          rec.cleaned = true;
          pair.clean();
        },
      };
    };
    // What holds or yields key material is wrapped; every other method (hashing, signatures, and
    // whatever the interface gains) is the inner provider's own.
    const wrapped: Partial<CryptoProvider> = {
      random: (n: number, purpose?: string) => {
        const out = inner.random(n, purpose);
        return purpose === undefined ? out : keep(`random ${purpose}`, out);
      },
      hmac: (a: HashAlgorithm, key: Uint8Array, data: Uint8Array) => inner.hmac(a, keep('hmac key', key), data),
      hkdfExtract: (a: HashAlgorithm, salt: Uint8Array, ikm: Uint8Array) => keep('extract', inner.hkdfExtract(a, salt, ikm)),
      hkdfExpand: (a: HashAlgorithm, prk: Uint8Array, info: Uint8Array, length: number) => {
        const label = tls13Label(info);
        return keep(`expand ${label}`, inner.hkdfExpand(a, keep(`prk ${label}`, prk), info, length));
      },
      createAead: (a: AeadAlgorithm, key: Uint8Array) => wrapAead(a, key, inner.createAead(a, keep('aead key', key))),
      generateKeyPair: (group: Exclude<NamedGroup, 'X25519MLKEM768'>) => wrapPair(inner.generateKeyPair(group)),
      keyShare: (group: NamedGroup, clientShare: Uint8Array): KeyShareResult => {
        const r = inner.keyShare(group, clientShare);
        keep('keyShare', r.sharedSecret);
        return r;
      },
    };
    this.provider = new Proxy(inner, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && prop in wrapped) return wrapped[prop as keyof CryptoProvider];
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  /** The distinct buffers seen in `role` (exact name, or every role the pattern matches), in order. */
  find(role: string | RegExp): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const [r, set] of this.seen) if (typeof role === 'string' ? r === role : role.test(r)) out.push(...set);
    return out;
  }

  /** Roles seen so far (for messages). */
  roles(): string[] {
    return [...this.seen.keys()];
  }

  private keep(role: string, bytes: Uint8Array): Uint8Array {
    let set = this.seen.get(role);
    if (!set) this.seen.set(role, (set = new Set()));
    if (!set.has(bytes)) {
      set.add(bytes);
      this.secrets.push({ role, bytes });
    }
    return bytes;
  }
}

/**
 * The label of a TLS 1.3 HkdfLabel (RFC 8446 §7.1: `uint16 length; opaque label<7..255> = "tls13 "
 * + Label; opaque context<0..255>`) without its prefix, or `?` when `info` is not one.
 */
function tls13Label(info: Uint8Array): string {
  const n = info[2];
  if (n === undefined || info.length < 3 + n) return '?';
  const text = String.fromCharCode(...info.subarray(3, 3 + n));
  return text.startsWith('tls13 ') ? text.slice(6) : '?';
}
