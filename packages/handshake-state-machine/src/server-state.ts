/**
 * Every server handshake state, both versions: one discriminated union (STYLE.md §4). The
 * connection switches on `state.kind`: `handle` for handshake messages, `handleChangeCipherSpec`
 * only in `ExpectChangeCipherSpec12`, `AwaitSession` takes no input.
 */
import type { ExpectClientHello } from './hs';
import type { Tls13ServerState } from './tls13/server-states';
import type { Tls12ServerState } from './tls12/server-states';

/** Every state of the server handshake, both versions: switch on `kind` (exhaustive with {@link assertNever}). */
export type ServerState = ExpectClientHello | Tls13ServerState | Tls12ServerState;

/** The states' names (`state.kind`). */
export type ServerStateKind = ServerState['kind'];

/** Exhaustiveness check for `switch (state.kind)`: a new state that is not handled fails to compile. */
export function assertNever(x: never): never {
  throw new TypeError(`unhandled state ${String((x as { kind?: unknown } | undefined)?.kind)}`);
}
