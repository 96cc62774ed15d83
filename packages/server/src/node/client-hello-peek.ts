/**
 * The ClientHello's server_name and ALPN offer, read before the connection starts (for
 * `SNICallback`, `addContext()` and `ALPNCallback`) with the
 * project's one ClientHello parser: the record layer's `RecordReader` and `HandshakeJoiner` frame
 * and join the records, the handshake package's `readHello` reads the message within the
 * context's ClientHello limits. Incremental: each chunk is framed once (no re-parse of what came
 * before). Lenient by design: anything that is not a well-formed ClientHello answers "no name"
 * and the connection's own parse of the same bytes sends the alert the RFC names.
 */
import { ContentType, HandshakeJoiner, RecordReader } from '@puretls/record-layer';
import { HandshakeType, readHello, type ClientHelloLimits, type Hello } from '@puretls/handshake-state-machine';

/** What the ClientHello says that the adapter chooses by: the host name (as sent) and the ALPN offer. */
export interface PeekedHello {
  /** The server_name host name, as the client sent it (RFC 6066 §3), or `undefined`. */
  readonly serverName: string | undefined;
  /** The ALPN protocols offered (RFC 7301 §3.1), in the client's order, or `undefined` without the extension. */
  readonly alpn: readonly string[] | undefined;
}

/** What the peek found so far. */
export type PeekResult = { readonly complete: false } | ({ readonly complete: true } & PeekedHello);

const INCOMPLETE: PeekResult = { complete: false };
const NO_NAME: PeekResult = { complete: true, serverName: undefined, alpn: undefined };

/** RFC 8446 §5.1: a record header; each record spanning the ClientHello costs one. */
const RECORD_HEADER = 5;
/** RFC 8446 §4: a handshake message header. */
const HANDSHAKE_HEADER = 4;

/**
 * Received bytes the peek holds at most: a ClientHello of the largest allowed size in records of
 * at least 512 bytes each (RFC 8446 §5.1 lets a sender split freely; real clients send one to
 * nine records). A peer splitting finer gets "no name" (the default certificate), not an error.
 */
export function peekLimit(limits: Pick<ClientHelloLimits, 'maxLength'>): number {
  const message = HANDSHAKE_HEADER + limits.maxLength;
  return message + RECORD_HEADER * Math.ceil(message / 512);
}

export class ClientHelloPeek {
  private readonly records = new RecordReader();
  private readonly joiner: HandshakeJoiner;
  private received = 0;
  private result: PeekResult = INCOMPLETE;
  private parsed: Hello | undefined;
  private readonly maxBytes: number;

  constructor(private readonly limits: ClientHelloLimits) {
    this.joiner = new HandshakeJoiner(limits.maxLength);
    this.maxBytes = peekLimit(limits);
  }

  /**
   * The parsed ClientHello once complete (views into the held records: valid until the chooser
   * answers), for choices that need more of it (the certificate an OCSP request is for);
   * `undefined` before, and when it was malformed.
   */
  get hello(): Hello | undefined {
    return this.parsed;
  }

  /** Bytes received so far (held by the caller until the peek is done). */
  get bytes(): number {
    return this.received;
  }

  /**
   * Adds the next chunk (a view is kept until the answer is complete: do not overwrite it).
   * Returns `{ complete: false }` until the ClientHello is all there, then its host name.
   */
  push(chunk: Uint8Array): PeekResult {
    if (this.result.complete) return this.result;
    this.received += chunk.length;
    try {
      this.records.push(chunk);
      for (let record = this.records.next(); record !== null; record = this.records.next()) {
        if (record.type !== ContentType.handshake) return this.finish(NO_NAME);
        this.joiner.push(record.fragment);
        const msg = this.joiner.next();
        if (msg === null) continue;
        if (msg.type !== HandshakeType.client_hello) return this.finish(NO_NAME);
        const hello = readHello(msg, this.limits);
        this.parsed = hello;
        return this.finish({ complete: true, serverName: hello.ch.ext.serverName, alpn: hello.alpn });
      }
    } catch {
      // Malformed: the connection's own parse reports it with the right alert.
      return this.finish(NO_NAME);
    }
    return this.received >= this.maxBytes ? this.finish(NO_NAME) : INCOMPLETE;
  }

  private finish(r: PeekResult): PeekResult {
    this.result = r;
    return r;
  }
}
