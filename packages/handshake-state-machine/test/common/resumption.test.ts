/**
 * The resumption rules both versions share (common/resumption.ts `openStoredSession`): a stored
 * session is resumable only when its state decodes, it is of the negotiated version, it was made
 * under this configuration, and for the same server name (ASCII case-insensitively). The
 * version-specific rules (TLS 1.3 hash, TLS 1.2 suite/EMS) are tested through connections in
 * `packages/server/test/session-verdicts.test.ts` and the session spec tests.
 */
import { describe, expect, it } from 'vitest';
import { encodeSessionState, openStoredSession, sameServerName, type HandshakeConfig, type SessionState, type StoredSession } from '../../src/internal';

const CONTEXT = Uint8Array.of(9, 9, 9);
const config = { sessionContext: CONTEXT } as HandshakeConfig;

function stored(over: Partial<SessionState> = {}, bytes?: Uint8Array): StoredSession {
  const state =
    bytes ??
    encodeSessionState({
      version: 0x0304,
      cipherSuite: 0x1301,
      secret: new Uint8Array(32).fill(1),
      extendedMasterSecret: true,
      serverName: 'example.com',
      alpn: undefined,
      context: CONTEXT,
      ticketAgeAdd: 0,
      maxEarlyData: 0,
      peerCertificates: [],
      ...over,
    });
  return { id: new Uint8Array(32), state, createdAt: 0, authTime: 0, singleUse: false, handle: 'h' };
}

describe('openStoredSession', () => {
  it('a session of this version, configuration and server name opens with its decoded state', () => {
    const s = stored();
    const r = openStoredSession(config, s, 0x0304, 'example.com');
    expect(r).toMatchObject({ stored: s, state: { version: 0x0304, cipherSuite: 0x1301, serverName: 'example.com' } });
  });

  it('server names compare ASCII case-insensitively (RFC 4343 §3)', () => {
    expect(openStoredSession(config, stored(), 0x0304, 'EXAMPLE.com')).not.toBeTypeOf('string');
    expect(sameServerName('LOCALHOST', 'localhost')).toBe(true);
    expect(sameServerName(undefined, undefined)).toBe(true);
    expect(sameServerName('a', undefined)).toBe(false);
    expect(sameServerName('a.example', 'b.example')).toBe(false);
  });

  it('another server name, or one side without SNI → mismatch (RFC 6066 §3)', () => {
    expect(openStoredSession(config, stored(), 0x0304, 'other.example')).toBe('mismatch');
    expect(openStoredSession(config, stored(), 0x0304, undefined)).toBe('mismatch');
    expect(openStoredSession(config, stored({ serverName: undefined }), 0x0304, 'example.com')).toBe('mismatch');
  });

  it('a session of the other protocol version → mismatch', () => {
    expect(openStoredSession(config, stored({ version: 0x0303 }), 0x0304, 'example.com')).toBe('mismatch');
    expect(openStoredSession(config, stored(), 0x0303, 'example.com')).toBe('mismatch');
  });

  it('a session made under another configuration → contextMismatch (session spec §6), never fatal', () => {
    expect(openStoredSession(config, stored({ context: Uint8Array.of(9, 9, 8) }), 0x0304, 'example.com')).toBe('contextMismatch');
    expect(openStoredSession(config, stored({ context: new Uint8Array(0) }), 0x0304, 'example.com')).toBe('contextMismatch');
  });

  it('state bytes that are not a session state → undecodable', () => {
    expect(openStoredSession(config, stored({}, Uint8Array.of(1, 2, 3)), 0x0304, 'example.com')).toBe('undecodable');
  });
});
