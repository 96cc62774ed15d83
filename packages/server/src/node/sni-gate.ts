/**
 * Certificate choice by SNI before the connection starts: received bytes are held while the
 * ClientHello is peeked ({@link ClientHelloPeek}) and while the application's `SNICallback`
 * answers; then the socket swaps in the chosen connection and feeds it everything held.
 */
import type { Socket } from 'node:net';
import type { ClientHelloLimits } from '@puretls/handshake-state-machine';
import { TlsAdapterError } from '../lifecycle/adapter-error';
import { ClientHelloPeek, peekLimit } from './client-hello-peek';
import type { Conn } from './socket-info';

/**
 * Asks for the connection to use for `serverName`: `answer` takes it (or `undefined` for the
 * current one, an `Error` to fail the handshake). At most the first call of `answer` counts.
 */
/**
 * The close reason counted when the chooser answers an error (the application's `SNICallback`
 * failed; the error itself goes to `tlsClientError`, as Node does).
 */
export const SNI_CALLBACK_FAILED = 'SniCallbackFailed';

export type SniChooser = (serverName: string, answer: (result: Conn | Error | undefined) => void) => void;

export class SniGate {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** The ClientHello was read and the chooser asked: TCP is paused until it answers. */
  private waiting = false;
  private readonly peek: ClientHelloPeek;
  private readonly maxWhileWaiting: number;

  constructor(
    limits: ClientHelloLimits,
    private readonly tcp: Socket,
    private readonly choose: SniChooser,
    /** The gate is done: `held` is every byte received so far, `result` the chooser's answer. */
    private readonly done: (result: Conn | Error | undefined, held: Buffer) => void,
    private readonly fail: (err: Error) => void,
  ) {
    this.peek = new ClientHelloPeek(limits);
    // TCP is paused while the answer is pending; a few chunks may already be on their way.
    this.maxWhileWaiting = 2 * peekLimit(limits);
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
    if (r.serverName === undefined) {
      this.finish(undefined);
      return;
    }
    this.waiting = true;
    this.tcp.pause();
    let answered = false;
    this.choose(r.serverName, (result) => {
      if (answered) return;
      answered = true;
      this.finish(result);
    });
  }

  private finish(result: Conn | Error | undefined): void {
    if (this.waiting) this.tcp.resume();
    const held = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.done(result, held);
  }
}
