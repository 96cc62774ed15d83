/** Shared helpers for the session-cache tests: a fake clock, sessions, contexts, a recording cache. */
import { createSession, SessionCache, type RemoveReason, type ResumptionContext, type Session, type SessionCacheOptions, type SessionInit } from '../src/index';

/** A clock the test moves by hand (ms). */
export class FakeClock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

let counter = 0;
/** A distinct 32-byte id (deterministic). */
export function newId(n = ++counter, len = 32): Uint8Array {
  const id = new Uint8Array(len);
  for (let i = 0; i < len; i++) id[i] = (Math.imul(n + 1, 2654435761) >>> ((i % 4) * 8)) ^ (i * 37);
  return id;
}

export const CONTEXT_ID = new Uint8Array([1, 2, 3, 4]);

/** A TLS 1.2 session (EMS, suite 0xc02f, SNI example.com) unless overridden. */
export function tls12(clock: FakeClock, over: Partial<SessionInit> = {}): Session {
  return createSession({
    id: newId(),
    version: 0x0303,
    cipherSuite: 0xc02f,
    secret: new Uint8Array(48).fill(7),
    createdAt: clock.t,
    timeout: 7200,
    extendedMasterSecret: true,
    serverName: 'example.com',
    contextId: CONTEXT_ID,
    ...over,
  });
}

/** A TLS 1.3 session (suite 0x1301) unless overridden. */
export function tls13(clock: FakeClock, over: Partial<SessionInit> = {}): Session {
  return createSession({
    id: newId(),
    version: 0x0304,
    cipherSuite: 0x1301,
    secret: new Uint8Array(32).fill(9),
    createdAt: clock.t,
    timeout: 7200,
    serverName: 'example.com',
    contextId: CONTEXT_ID,
    ticketAgeAdd: 0x12345678,
    ticketNonce: new Uint8Array([0, 1]),
    maxEarlyData: 16384,
    ...over,
  });
}

/** A TLS 1.2 ClientHello that may resume a {@link tls12} session. */
export function ctx12(over: Partial<ResumptionContext> = {}): ResumptionContext {
  return { version: 0x0303, contextId: CONTEXT_ID, serverName: 'example.com', clientCipherSuites: [0xc02b, 0xc02f], extendedMasterSecret: true, ...over };
}
/** A TLS 1.3 negotiation that may resume a {@link tls13} session. */
export function ctx13(over: Partial<ResumptionContext> = {}): ResumptionContext {
  return { version: 0x0304, contextId: CONTEXT_ID, serverName: 'example.com', cipherSuite: 0x1301, ...over };
}

export interface Removal {
  readonly session: Session;
  readonly reason: RemoveReason;
}

/** A cache on a fake clock whose remove callback records every delivery, and a quiet logger that records warnings. */
export function recordingCache<Conn = string>(clock: FakeClock, options: Partial<SessionCacheOptions<Conn>> = {}) {
  const removed: Removal[] = [];
  const warnings: string[] = [];
  const cache = new SessionCache<Conn>({
    now: clock.now,
    removeSession: (_c, session, reason) => removed.push({ session, reason }),
    logger: { warn: (m) => warnings.push(m) },
    ...options,
  });
  return { cache, removed, warnings };
}
