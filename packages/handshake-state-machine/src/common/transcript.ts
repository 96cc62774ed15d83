/**
 * The handshake transcript hash (RFC 8446 §4.4.1): the hash of the concatenation of every handshake
 * message (with its 4-byte header) so far. Read at several points while it keeps growing, so reads
 * fork the running context (`clone`) rather than finalise it.
 */
import { HASH_LENGTH, type CryptoProvider, type HashAlgorithm, type HashContext } from '@puretls/crypto';

export class Transcript {
  private ctx: HashContext;
  /** Copies of the messages, while kept (see {@link messages}). */
  private kept: Uint8Array[] | undefined;

  /**
   * @param keepMessages also keep the messages themselves, for a signature over them (the TLS 1.2
   *   client CertificateVerify, RFC 5246 §7.4.8, whose hash is the client's choice, not the suite's).
   */
  constructor(
    private readonly provider: CryptoProvider,
    readonly hash: HashAlgorithm,
    keepMessages = false,
  ) {
    this.ctx = provider.createHash(hash);
    if (keepMessages) this.kept = [];
  }

  add(rawMessage: Uint8Array): void {
    this.ctx.update(rawMessage);
    // A copy: a received message is a view into a chunk its owner reuses.
    this.kept?.push(rawMessage.slice());
  }

  /**
   * Every message added so far, concatenated (RFC 5246 §7.4.8 `handshake_messages`).
   * @throws TypeError when the transcript does not keep messages (API misuse).
   */
  messages(): Uint8Array {
    if (this.kept === undefined) throw new TypeError('Transcript.messages(): made without keepMessages, or after forgetMessages()');
    const out = new Uint8Array(this.kept.reduce((n, m) => n + m.length, 0));
    let at = 0;
    for (const m of this.kept) {
      out.set(m, at);
      at += m.length;
    }
    return out;
  }

  /** Stops keeping messages and drops the copies (once the signature over them is checked). */
  forgetMessages(): void {
    this.kept = undefined;
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
