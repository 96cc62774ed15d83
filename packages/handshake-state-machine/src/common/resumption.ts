/**
 * The resumption rules both versions share, in one place (the version-specific ones are in
 * `tls13/server-states.ts` `selectPsk` and `tls12/server-states.ts` `resumeOrFull`). The session
 * store only finds and expires sessions; whether one is resumed is decided here.
 */
import { equalConstantTime } from '@puretls/crypto';
import type { HandshakeConfig } from '../config';
import type { SessionRefusal, StoredSession } from '../io';
import { decodeSessionState, type SessionState } from './session-state';

/** A stored session whose state decoded and passed the common rules. */
export interface Resumable {
  readonly stored: StoredSession;
  readonly state: SessionState;
}

/**
 * Decodes `stored` and checks what every resumption needs: the state decodes, it is a session of
 * `version`, it was made under this configuration (session spec §6), and for the same server
 * name — RFC 6066 §3: the server "MUST NOT accept the request to resume the session if the
 * server_name extension contains a different name"; host names compare ASCII case-insensitively
 * (RFC 4343), as certificate selection does.
 * @returns the resumable session, or why it is refused (the caller reports it and goes on as a miss).
 */
export function openStoredSession(config: HandshakeConfig, stored: StoredSession, version: 0x0303 | 0x0304, serverName: string | undefined): Resumable | SessionRefusal {
  const state = decodeSessionState(stored.state);
  if (state === undefined) return 'undecodable';
  if (state.version !== version) return 'mismatch';
  if (!equalConstantTime(state.context, config.sessionContext)) return 'contextMismatch';
  if (!sameServerName(state.serverName, serverName)) return 'mismatch';
  return { stored, state };
}

/** Host names, ASCII case-insensitively (RFC 4343 §3); both absent is the same "name". */
export function sameServerName(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}
