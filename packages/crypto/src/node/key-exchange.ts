/**
 * Ephemeral key exchange of the node provider. X25519 goes through `KeyObject`s and
 * `crypto.diffieHellman`; P-256/P-384 through `crypto.createECDH`. Never `export({ format:
 * 'jwk' })` an X25519 key: it can hang on Node 20.20.
 *
 * X25519 keys are *imported* as JWK where possible: OpenSSL 3's DER decoder costs ~1.3 ms per
 * PKCS#8 key and ~0.4 ms per SPKI key on Node 20, the raw JWK path ~0.14 ms / ~0.06 ms. Node reads
 * only `d` of a private OKP JWK (it still insists on a string `x`, which it does not check); if a
 * Node version ever refuses that, we fall back to the DER path.
 */
import type { KeyObject } from 'node:crypto';
import type { KeyExchangeKeyPair } from '../provider';
import { concatBytes, hexToBytes, wipe } from '../bytes';
import {
  checkEcdhGroup,
  checkNistPeerEncoding,
  checkX25519Peer,
  checkX25519Secret,
  drawScalar,
  invalidPeerKey,
  type EcdhGroup,
  type NistGroup,
} from '../noble/key-exchange';
import { u8, type NodeCrypto } from './crypto';

/** RFC 8410 §7 PKCS#8 OneAsymmetricKey for id-X25519 (1.3.101.110) up to the 32-byte key. */
const X25519_PKCS8_PREFIX = hexToBytes('302e020100300506032b656e04220420');
/** RFC 8410 §4 SubjectPublicKeyInfo for id-X25519 up to the 32-byte key. */
const X25519_SPKI_PREFIX = hexToBytes('302a300506032b656e032100');

/** OpenSSL curve names. */
const ECDH_CURVE: Readonly<Record<NistGroup, string>> = { secp256r1: 'prime256v1', secp384r1: 'secp384r1' };

/** Placeholder `x` member for a private OKP JWK: Node derives the key from `d` alone. */
const JWK_PLACEHOLDER_X = 'A'.repeat(43);
let jwkImportWorks = true;

/** RFC 7748 §4.1: the X25519 base point u = 9. */
const X25519_BASE_POINT = new Uint8Array(32);
X25519_BASE_POINT[0] = 9;
/** The base point as a KeyObject, imported once per `node:crypto` instance. */
const basePointKeys = new WeakMap<NodeCrypto, KeyObject>();
function x25519BasePoint(c: NodeCrypto): KeyObject {
  let k = basePointKeys.get(c);
  if (k === undefined) basePointKeys.set(c, (k = importX25519Public(c, X25519_BASE_POINT)));
  return k;
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

function importX25519Private(c: NodeCrypto, secret: Uint8Array): KeyObject {
  if (jwkImportWorks) {
    try {
      return c.createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: base64url(secret), x: JWK_PLACEHOLDER_X }, format: 'jwk' });
    } catch {
      jwkImportWorks = false;
    }
  }
  const der = concatBytes(X25519_PKCS8_PREFIX, secret);
  try {
    return c.createPrivateKey({ key: der as Buffer, format: 'der', type: 'pkcs8' });
  } finally {
    wipe(der);
  }
}

/** The peer's 32 bytes as a KeyObject (length already checked). */
function importX25519Public(c: NodeCrypto, peer: Uint8Array): KeyObject {
  if (jwkImportWorks) return c.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: base64url(peer) }, format: 'jwk' });
  return c.createPublicKey({ key: concatBytes(X25519_SPKI_PREFIX, peer) as Buffer, format: 'der', type: 'spki' });
}

class NodeX25519KeyPair implements KeyExchangeKeyPair {
  readonly group = 'x25519';
  readonly publicKey: Uint8Array;
  private privateKey: KeyObject | null;

  constructor(
    private readonly c: NodeCrypto,
    secret: Uint8Array,
  ) {
    this.privateKey = importX25519Private(c, secret);
    wipe(secret);
    // public = X25519(secret, 9) (RFC 7748 §6.1): one scalar multiplication, like deriving the public
    // KeyObject, but without that and its SPKI export (together ~3x the cost on Node 20).
    this.publicKey = u8(c.diffieHellman({ privateKey: this.privateKey, publicKey: x25519BasePoint(c) }));
  }

  agree(peer: Uint8Array): Uint8Array {
    checkX25519Peer(peer);
    if (this.privateKey === null) throw new TypeError('KeyExchangeKeyPair(x25519) used after clean()');
    let secret: Uint8Array;
    try {
      const publicKey = importX25519Public(this.c, peer);
      secret = u8(this.c.diffieHellman({ privateKey: this.privateKey, publicKey }));
    } catch (e) {
      // OpenSSL refuses to derive the all-zero secret of a low-order point.
      throw invalidPeerKey('x25519 key agreement failed (peer sent a low-order point)', e);
    }
    return checkX25519Secret(secret);
  }

  clean(): void {
    this.privateKey = null; // a KeyObject cannot be wiped from JS
  }
}

class NodeNistKeyPair implements KeyExchangeKeyPair {
  readonly publicKey: Uint8Array;
  private ecdh: ReturnType<NodeCrypto['createECDH']> | null;

  constructor(
    c: NodeCrypto,
    readonly group: NistGroup,
    secret: Uint8Array,
  ) {
    const ecdh = c.createECDH(ECDH_CURVE[group]);
    ecdh.setPrivateKey(secret);
    wipe(secret);
    this.ecdh = ecdh;
    this.publicKey = u8(ecdh.getPublicKey(null, 'uncompressed'));
  }

  agree(peer: Uint8Array): Uint8Array {
    // createECDH also takes compressed and hybrid points: TLS allows only uncompressed.
    checkNistPeerEncoding(this.group, peer);
    if (this.ecdh === null) throw new TypeError(`KeyExchangeKeyPair(${this.group}) used after clean()`);
    try {
      // RFC 8446 §7.4.1: the shared secret is the X coordinate; computeSecret returns exactly that.
      return u8(this.ecdh.computeSecret(peer));
    } catch (e) {
      throw invalidPeerKey(`${this.group} peer public key is not a valid point on the curve`, e);
    }
  }

  clean(): void {
    this.ecdh = null; // the ECDH object keeps its key inside OpenSSL; nothing to wipe from JS
  }
}

export function nodeGenerateKeyPair(
  c: NodeCrypto,
  group: EcdhGroup,
  random: (n: number, purpose?: string) => Uint8Array,
): KeyExchangeKeyPair {
  checkEcdhGroup(group);
  const secret = drawScalar(group, random);
  return group === 'x25519' ? new NodeX25519KeyPair(c, secret) : new NodeNistKeyPair(c, group, secret);
}
