/**
 * The connection chosen from the ClientHello, before it starts: received bytes are held while the
 * ClientHello is peeked ({@link ClientHelloPeek}) and while the server chooses (an `SNICallback`
 * may answer asynchronously; `addContext()` and `ALPNCallback` answer at once); then the socket
 * gets the chosen connection and feeds it everything held.
 */
import type { Socket } from 'node:net';
import type { ClientHelloLimits, Hello } from '@puretls/handshake-state-machine';
import { TlsAdapterError } from '../lifecycle/adapter-error';
import { ClientHelloPeek, peekLimit, type PeekedHello } from './client-hello-peek';
import type { Conn } from './socket-info';

/**
 * The close reason counted when the chooser answers an error (the application's `SNICallback` or
 * `ALPNCallback` failed; the error itself goes to `tlsClientError`, as Node does).
 */
export const HELLO_CALLBACK_FAILED = 'SniCallbackFailed';

/**
 * Makes the connection for a ClientHello: `answer` takes it, or an `Error` to fail the handshake.
 * At most the first call of `answer` counts. A malformed ClientHello is given as one without a
 * name or ALPN offer: the connection's own parse of the same bytes sends the alert.
 */
export type HelloChooser = (hello: PeekedHello, answer: (result: Conn | Error) => void, parsed: Hello | undefined) => void;

/** The gate's stream: TCP, or whatever Duplex was handed to the server (`pause`/`resume` only). */
type Pausable = Pick<Socket, 'pause' | 'resume'>;

export class HelloGate {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** The ClientHello was read and the chooser asked: TCP is paused until it answers. */
  private waiting = false;
  private readonly peek: ClientHelloPeek;
  private readonly maxWhileWaiting: number;

  constructor(
    limits: ClientHelloLimits,
    private readonly tcp: Pausable,
    private readonly choose: HelloChooser,
    /** The gate is done: `held` is every byte received so far, `result` the chooser's answer. */
    private readonly done: (result: Conn | Error, held: Buffer) => void,
    private readonly fail: (err: Error) => void,
  ) {
    this.peek = new ClientHelloPeek(limits);
    // TCP is paused while the answer is pending; a few chunks may already be on their way.
    this.maxWhileWaiting = 2 * peekLimit(limits);
  }

  /** Bytes held (counted in the server's `handshakeBufferedBytes`). */
  get heldBytes(): number {
    return this.bytes;
  }

  /** A TCP chunk (ours: a fresh Buffer per read). */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.waiting) {
      if (this.bytes > this.maxWhileWaiting) this.fail(new TlsAdapterError('ClientHelloTooLarge', `${this.bytes} bytes received while SNICallback was pending`));
      return;
    }
    const r = this.peek.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (!r.complete) return;
    this.waiting = true;
    this.tcp.pause();
    let answered = false;
    this.choose(
      r,
      (result) => {
        if (answered) return;
        answered = true;
        this.finish(result);
      },
      this.peek.hello,
    );
  }

  private finish(result: Conn | Error): void {
    this.tcp.resume();
    const held = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.bytes = 0;
    this.done(result, held);
  }
}
