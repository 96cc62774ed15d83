/**
 * The read-only `tls.TLSSocket` accessors of a `PureTlsSocket` (`getProtocol()`, `getCipher()`,
 * `alpnProtocol`, …), answered from the connection's `NegotiatedInfo` in Node's shapes. A base
 * class, so that the socket class itself is only the stream glue.
 */
import { Duplex, type DuplexOptions } from 'node:stream';
import { nodePeerCertificate, parseCertificate, toNodeX509Certificate, type NodeCertificateObject, type NodeX509Certificate } from '@puretls/crypto';
import type { NegotiatedInfo } from '@puretls/handshake-state-machine';
import { encodeSession } from '@puretls/session-cache';
import { CacheSessionGlue, sessionOfHandle } from '../core/sessions';
import { cipherName, type ServerConnection } from '../core/connection';
import type { ServerContext } from '../core/context';
import { exportKeyingMaterial } from './keying-material';

/** A connection of a `ServerContext` (what the Node adapter makes). */
export type Conn = ServerConnection<ServerContext>;

/** What `getEphemeralKeyInfo()` returns (Node's shape). */
export interface EphemeralKeyInfo {
  readonly type: 'ECDH';
  readonly name: string;
  readonly size: number;
}

/** Node's names and sizes (OpenSSL's `EVP_PKEY_bits`) for our groups. */
const GROUP_KEY_INFO: Readonly<Record<string, EphemeralKeyInfo>> = {
  x25519: { type: 'ECDH', name: 'X25519', size: 253 },
  secp256r1: { type: 'ECDH', name: 'prime256v1', size: 256 },
  secp384r1: { type: 'ECDH', name: 'secp384r1', size: 384 },
  // Hybrid: reported by its IANA name, sized by its ECDH half.
  X25519MLKEM768: { type: 'ECDH', name: 'X25519MLKEM768', size: 253 },
};

export abstract class TlsSocketInfo extends Duplex {
  /** Always `true` (Node's `TLSSocket.encrypted`). */
  readonly encrypted = true;

  constructor(options: DuplexOptions) {
    super(options);
  }

  /** The sans-IO connection (for `keyUpdate()`, `info`, …); `undefined` until the ClientHello chose it. */
  abstract get connection(): Conn | undefined;

  /** What the handshake negotiated (`undefined` before it completed). */
  get info(): NegotiatedInfo | undefined {
    return this.connection?.info;
  }
  /** The negotiated ALPN protocol, or `false`. */
  get alpnProtocol(): string | false {
    return this.connection?.info?.alpnProtocol ?? false;
  }
  /** The client's SNI host name, or `false`. */
  get servername(): string | false {
    return this.connection?.info?.serverName ?? false;
  }
  /** `'TLSv1.3'` / `'TLSv1.2'`, or `null` before the handshake completed. */
  getProtocol(): string | null {
    const v = this.connection?.info?.version;
    return v === 0x0304 ? 'TLSv1.3' : v === 0x0303 ? 'TLSv1.2' : null;
  }
  /** `{ name, standardName, version }` of the negotiated suite, or `undefined` before the handshake. */
  getCipher(): { name: string; standardName: string; version: string } | undefined {
    const info = this.connection?.info;
    return info ? cipherName(info.cipherSuite) : undefined;
  }
  /** The key exchange (`{ type: 'ECDH', name, size }`), or `{}` before the handshake or without one (psk_ke). */
  getEphemeralKeyInfo(): EphemeralKeyInfo | Record<string, never> {
    const g = this.connection?.info?.group;
    return (g !== undefined && GROUP_KEY_INFO[g]) || {};
  }
  /** True when the handshake resumed a session (TLS 1.3 PSK; TLS 1.2 abbreviated handshake). */
  isSessionReused(): boolean {
    return this.connection?.info?.resumed ?? false;
  }
  /**
   * Node's `getSession()` (OpenSSL `SSL_get_session` + `i2d_SSL_SESSION`): the connection's session
   * in the session cache's serialized form (`encodeSession`, which `decodeSession` reads back and a
   * `resumeSession` answer takes) — the session it made last (TLS 1.3: the last ticket's, the bytes
   * the last `newSession` event got; TLS 1.2: the session id's, or the RFC 5077 ticket's), or else the
   * one it resumed. It holds the session's secret: protect it like a private key. `undefined` before
   * the handshake, when the connection made and resumed none (tickets off, no session id), and with
   * a custom `sessions` glue (its sessions are not cache `Session`s). A fresh Buffer per call.
   */
  getSession(): Buffer | undefined {
    const conn = this.connection;
    if (conn?.info === undefined) return undefined;
    const glue = conn.context.sessions;
    const session = glue instanceof CacheSessionGlue ? glue.sessionOf(conn) : sessionOfHandle(conn.info.resumedSession?.handle);
    if (session === undefined) return undefined;
    const der = encodeSession(session);
    return Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  }

  /**
   * Node's `exportKeyingMaterial(length, label[, context])`: keying material from this connection's
   * exporter (RFC 8446 §7.5 / RFC 5705 §4), the same bytes the client's `exportKeyingMaterial` gives.
   * @throws Node's errors for bad arguments and before the handshake (see `keying-material.ts`).
   */
  exportKeyingMaterial(length: number, label: string, context?: Buffer | NodeJS.ArrayBufferView): Buffer {
    return exportKeyingMaterial(this.connection, length, label, context);
  }

  /** Node's `getFinished()`: our Finished message's verify_data, `undefined` before the handshake completed. */
  getFinished(): Buffer | undefined {
    return copyToBuffer(this.connection?.finished);
  }

  /** Node's `getPeerFinished()`: the client's Finished verify_data, `undefined` before the handshake completed. */
  getPeerFinished(): Buffer | undefined {
    return copyToBuffer(this.connection?.peerFinished);
  }

  // ---- client certificates (requestCert) -------------------------------------------------------

  /**
   * Node's `authorized`: the client sent a certificate chain that verified against the context's
   * `ca` (for a resumed session: when its full handshake's did). `false` without `requestCert`.
   */
  get authorized(): boolean {
    return this.connection?.info?.clientAuth?.authorized ?? false;
  }

  /**
   * Node's `authorizationError`: why the client is not authorized, as Node's code (`CERT_HAS_EXPIRED`,
   * `UNABLE_TO_GET_ISSUER_CERT` when it sent no certificate, …; `UNSPECIFIED` where Node has no
   * name); `null` when authorized, without `requestCert`, and before the handshake.
   */
  get authorizationError(): string | null {
    const auth = this.connection?.info?.clientAuth;
    return auth === undefined || auth.authorized ? null : (auth.error ?? null);
  }

  /**
   * Node's `getPeerCertificate(detailed)`: the client's certificate as Node's object (byte fields
   * as Buffers); `detailed` links `issuerCertificate` through the chain the client sent, then
   * through `ca`, a root pointing at itself. `{}` when the client sent none (or none was asked for).
   */
  getPeerCertificate(detailed = false): NodePeerCertificate | Record<string, never> {
    const conn = this.connection;
    const chain = conn?.info?.clientAuth?.peerCertificates ?? [];
    if (conn === undefined || chain.length === 0) return {};
    const ctx = conn.context;
    const object = nodePeerCertificate({ chain: chain.map(parseCertificate), ca: ctx.clientAuth?.ca ?? [], now: ctx.now(), detailed: detailed === true });
    return withBuffers(object, new Map());
  }

  /** Node's `getPeerX509Certificate()`: the client's certificate as a `crypto.X509Certificate`, or `undefined`. */
  getPeerX509Certificate(): NodeX509Certificate | undefined {
    const leaf = this.connection?.info?.clientAuth?.peerCertificates[0];
    return leaf === undefined ? undefined : toNodeX509Certificate(leaf);
  }
}

/** A Buffer copy (Node hands out fresh Buffers), or `undefined`. */
function copyToBuffer(b: Uint8Array | undefined): Buffer | undefined {
  return b === undefined ? undefined : Buffer.from(b);
}

/** Node's certificate object: {@link NodeCertificateObject} with Buffers for `raw` and `pubkey`. */
export type NodePeerCertificate = Omit<NodeCertificateObject, 'raw' | 'pubkey' | 'issuerCertificate'> & {
  raw: Buffer;
  pubkey?: Buffer;
  issuerCertificate?: NodePeerCertificate;
};

/** The object with Node's Buffers (the chain may end in a root that is its own issuer: `seen` keeps that link). */
function withBuffers(o: NodeCertificateObject, seen: Map<NodeCertificateObject, NodePeerCertificate>): NodePeerCertificate {
  const known = seen.get(o);
  if (known) return known;
  const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const { raw, pubkey, issuerCertificate, ...rest } = o;
  // Node's key order: `pubkey` where Node puts it, `raw` after `serialNumber`.
  const out = {} as NodePeerCertificate;
  for (const [k, v] of Object.entries(o)) {
    if (k === 'raw') out.raw = buf(raw);
    else if (k === 'pubkey') out.pubkey = buf(pubkey!);
    else if (k !== 'issuerCertificate') (out as unknown as Record<string, unknown>)[k] = (rest as Record<string, unknown>)[k];
  }
  seen.set(o, out);
  if (issuerCertificate) out.issuerCertificate = withBuffers(issuerCertificate, seen);
  return out;
}
