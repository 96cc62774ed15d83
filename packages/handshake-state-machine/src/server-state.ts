/**
 * Every server handshake state, both versions. The connection drives them: `handle` for
 * handshake messages, `handleChangeCipherSpec` (TLS 1.2 states only) for ChangeCipherSpec.
 */
import type { Tls13ServerState } from './tls13/server-states';
import type { Tls12ServerState } from './tls12/server-states';

export type ServerState = Tls13ServerState | Tls12ServerState;
