/**
 * What every server handshake state shares (rustls `server/hs.rs`): the context a state runs in,
 * the waiting state for an asynchronous session store, and the small steps each state repeats.
 * Nothing here knows a particular state: `tls12/` and `tls13/` build on it, `hs.ts` on them.
 */
import { isPromiseLike } from '@puretls/crypto';
import { TlsError, isTlsError } from '@puretls/record-layer';
import type { HandshakeConfig } from '../config';
import type { HandshakeEvent, HandshakeIo } from '../io';
import type { HandshakeMessage } from '../handshake-message';
import type { Transcript } from './transcript';

/** Everything a state needs from the outside world. */
export interface StateContext {
  readonly config: HandshakeConfig;
  readonly io: HandshakeIo;
}

/**
 * The message must be of `type`.
 * @throws TlsError UnexpectedHandshakeMessage (unexpected_message, RFC 8446 §6.2 / RFC 5246 §7.2.2).
 */
export function expect(msg: HandshakeMessage, type: number, state: string): void {
  if (msg.type !== type) throw new TlsError('UnexpectedHandshakeMessage', `${state}: got handshake type ${msg.type}, expected ${type}`);
}

/** Whether `x` is a promise (a session store answering asynchronously). */
export function isPromise<T>(x: T | Promise<T>): x is Promise<T> {
  return isPromiseLike(x);
}

/**
 * Waiting for the session store (an asynchronous lookup or take). Takes no input (STYLE.md §1:
 * waiting is a state; rustls `wants_input() == false`): the connection stops reading records,
 * waits for `pending` (which never rejects) and then calls `resume()` for the next state.
 *
 * `Next` is the union of states the waiting version goes on with.
 */
export class AwaitSession<Next = unknown> {
  readonly kind = 'AwaitSession';
  private outcome: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: TlsError } | undefined;
  /** Settles (never rejects) once the store answered; then call {@link resume}. */
  readonly pending: Promise<void>;
  private readonly next: (value: never) => Next;

  /**
   * @param answer the store's answer.
   * @param next the handshake's continuation with the answer.
   * @param onStoreFailure what a store failure counts as (a miss): a rejection that is not a
   *   `TlsError`. A `TlsError` rejection (the session rules' abort cases) fails the handshake.
   */
  constructor(answer: Promise<unknown>, next: (value: never) => Next, onStoreFailure: unknown) {
    this.next = next;
    this.pending = answer.then(
      (value) => {
        this.outcome = { ok: true, value };
      },
      (e: unknown) => {
        this.outcome = isTlsError(e) ? { ok: false, error: e } : { ok: true, value: onStoreFailure };
      },
    );
  }

  /**
   * Continues the handshake with the store's answer.
   * @throws TlsError the store's abort, or what the continuation throws; Internal when called
   *   before `pending` settled (a driver bug).
   */
  resume(): Next {
    const o = this.outcome;
    if (o === undefined) throw new TlsError('Internal', 'AwaitSession.resume() before the session store answered');
    if (!o.ok) throw o.error;
    return this.next(o.value as never);
  }

  /** Takes no input: a driver that feeds one has a bug. */
  handle(msg: HandshakeMessage): never {
    throw new TlsError('Internal', `AwaitSession takes no input (got handshake type ${msg.type})`);
  }
}

/**
 * Runs `next` on a value that may still be pending: at once, or from an {@link AwaitSession}.
 * `onStoreFailure` is what a failed store answer counts as (see {@link AwaitSession}).
 */
export function whenAnswered<T, Next>(value: T | Promise<T>, onStoreFailure: T, next: (v: T) => Next): Next | AwaitSession<Next> {
  return isPromise(value) ? new AwaitSession<Next>(value, next as (v: never) => Next, onStoreFailure) : next(value);
}

/** Adds a handshake message to the transcript and queues it. */
export function sendAndHash(io: HandshakeIo, transcript: Transcript, raw: Uint8Array): void {
  transcript.add(raw);
  io.sendHandshake(raw);
}

/** Hands a secret to the key log (NSS `SSLKEYLOGFILE` labels); the connection decides whether it is kept. */
export function emitSecret(io: HandshakeIo, label: string, clientRandom: Uint8Array, secret: Uint8Array): void {
  io.emit({ type: 'secret', label, clientRandom, secret } satisfies HandshakeEvent);
}
