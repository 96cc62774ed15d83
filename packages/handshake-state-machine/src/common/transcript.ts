/**
 * The handshake transcript hash (RFC 8446 §4.4.1): the hash of the concatenation of every handshake
 * message (with its 4-byte header) so far. Read at several points while it keeps growing, so reads
 * fork the running context (`clone`) rather than finalise it.
 */
import { HASH_LENGTH, type CryptoProvider, type HashAlgorithm, type HashContext } from '@puretls/crypto';

export class Transcript {
  private ctx: HashContext;

  constructor(
    private readonly provider: CryptoProvider,
    readonly hash: HashAlgorithm,
  ) {
    this.ctx = provider.createHash(hash);
  }

  add(rawMessage: Uint8Array): void {
    this.ctx.update(rawMessage);
  }

  /** Transcript-Hash of everything added so far; the transcript keeps going. */
  current(): Uint8Array {
    return this.ctx.clone().digest();
  }

  /** Transcript-Hash of everything so far followed by `extra` (e.g. a truncated ClientHello for a PSK binder). */
  hashWith(extra: Uint8Array): Uint8Array {
    return this.ctx.clone().update(extra).digest();
  }

  /**
   * After a HelloRetryRequest, ClientHello1 is replaced by the synthetic message
   * `message_hash(254) ‖ 00 00 Hash.length ‖ Hash(ClientHello1)` (RFC 8446 §4.4.1).
   * Call with the transcript holding exactly ClientHello1.
   */
  replaceWithMessageHash(): void {
    const h = this.ctx.digest();
    this.ctx = this.provider.createHash(this.hash);
    const header = new Uint8Array([254, 0, 0, HASH_LENGTH[this.hash]]);
    this.ctx.update(header).update(h);
  }
}
