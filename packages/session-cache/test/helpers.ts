/**
 * Shared helpers for the session-cache tests: a fake clock, a manual timer, sessions with opaque
 * state, a recording cache, and unwrapping of lookup results.
 */
import { createSession, SessionCache, type LookupHit, type LookupResult, type RemoveReason, type Session, type SessionCacheOptions, type SessionInit, type SetTimer } from '../src/index';

/** A clock the test moves by hand (ms). */
export class FakeClock {
  constructor(public t = 1_700_000_000_000) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A manual timer: `fire()` runs every pending callback (as if the deadline passed). */
export interface ManualTimer {
  readonly setTimer: SetTimer;
  /** The `ms` of every timer started so far. */
  readonly started: number[];
  fire(): void;
  pending(): number;
}

export function manualTimer(): ManualTimer {
  const timers = new Set<() => void>();
  const started: number[] = [];
  return {
    started,
    setTimer: (ms, fn) => {
      started.push(ms);
      const entry = (): void => fn();
      timers.add(entry);
      return () => void timers.delete(entry);
    },
    fire: () => {
      for (const f of [...timers]) {
        timers.delete(f);
        f();
      }
    },
    pending: () => timers.size,
  };
}

let counter = 0;
/** A distinct id (deterministic), 32 bytes unless `len` says otherwise. */
export function newId(n = ++counter, len = 32): Uint8Array {
  const id = new Uint8Array(len);
  for (let i = 0; i < len; i++) id[i] = (Math.imul(n + 1, 2654435761) >>> ((i % 4) * 8)) ^ (i * 37);
  return id;
}

/** Opaque state bytes (what the handshake would encode): `n` bytes of `fill`. */
export function state(n = 64, fill = 0x5a): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

/** A session created now on `clock` (timeout 7200 s, 64 bytes of state, reusable) unless overridden. */
export function session(clock: FakeClock, over: Partial<SessionInit> = {}): Session {
  return createSession({ id: newId(), createdAt: clock.t, timeout: 7200, state: state(), ...over });
}

/** A single-use session (a TLS 1.3 stateful ticket) unless overridden. */
export function ticket(clock: FakeClock, over: Partial<SessionInit> = {}): Session {
  return session(clock, { singleUse: true, ...over });
}

export interface Removal {
  readonly session: Session;
  readonly reason: RemoveReason;
}

/** The options every cache needs (clock, timer, logger) on a fake clock and a manual timer. */
export function requiredOptions(clock: FakeClock, timer: ManualTimer = manualTimer()): Pick<SessionCacheOptions, 'now' | 'setTimer' | 'logger'> {
  return { now: clock.now, setTimer: timer.setTimer, logger: { warn: () => {} } };
}

/**
 * A cache on a fake clock and a manual timer whose remove callback records every delivery, and a
 * logger that records warnings.
 */
export function recordingCache<Conn = string>(clock: FakeClock, options: Partial<SessionCacheOptions<Conn>> = {}) {
  const removed: Removal[] = [];
  const warnings: string[] = [];
  const timer = manualTimer();
  const cache = new SessionCache<Conn>({
    now: clock.now,
    setTimer: timer.setTimer,
    removeSession: (_c, session, reason) => removed.push({ session, reason }),
    logger: { warn: (m) => warnings.push(m) },
    ...options,
  });
  return { cache, removed, warnings, timer };
}

/** A synchronous result (fails the test for a promise). */
export function sync(r: LookupResult | Promise<LookupResult>): LookupResult {
  if (r instanceof Promise) throw new Error('expected a synchronous result');
  return r;
}

/** A synchronous found session (fails the test for a miss or a promise). */
export function found(r: LookupResult | Promise<LookupResult>): LookupHit {
  const x = sync(r);
  if (x.kind !== 'hit') throw new Error(`expected a found session, got ${JSON.stringify(x)}`);
  return x;
}

/** Looks `id` up and accepts what was found, as the glue does when the handshake resumes it. */
export function resume<Conn>(cache: SessionCache<Conn>, conn: Conn, id: Uint8Array): Session {
  return cache.accept(found(cache.lookup(conn, id)));
}
