/**
 * Every server handshake state, both versions. The connection drives them: `handle` for
 * handshake messages, `handleChangeCipherSpec` (TLS 1.2 states only) for ChangeCipherSpec.
 */
import type { Tls13ServerState } from './tls13/server-states';

/** TLS 1.2 adds its states here (`tls12/server-states.ts`). */
export type ServerState = Tls13ServerState;
