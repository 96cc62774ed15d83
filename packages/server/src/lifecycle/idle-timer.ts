/**
 * `IdleTimer`: fires once `ms` pass without activity. Reads and writes call `touch()`, which only
 * records the time: no timer is cleared and re-armed per event (a connection streaming data would
 * otherwise re-arm thousands of timers a second). When the timer fires early it re-arms for the
 * rest; after firing it stays disarmed until the next `touch()`, so an idle connection sees one
 * event per idle period (Node's `socket.setTimeout()` semantics). No `node:*` import: global
 * `setTimeout` and `performance.now()` (a monotonic clock; the adapters may read clocks, the core
 * never does).
 */

/** Milliseconds of a monotonic clock. */
export function monotonicNow(): number {
  return performance.now();
}

export class IdleTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Time of the last activity (monotonic ms). */
  private last = 0;
  private ms = 0;

  constructor(private readonly onIdle: () => void) {}

  /** The idle time in ms that fires the timer; 0 = off. */
  get timeout(): number {
    return this.ms;
  }

  /**
   * (Re)starts the timer with `ms` from now; 0 turns it off.
   * @throws RangeError unless `ms` is a non-negative finite number.
   */
  set(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`timeout: a non-negative number of milliseconds, got ${String(ms)}`);
    this.stop();
    this.ms = ms;
    if (ms > 0) {
      this.last = monotonicNow();
      this.arm(ms);
    }
  }

  /** Activity: pushes the deadline back (re-arms only a timer that already fired). */
  touch(): void {
    if (this.ms === 0) return;
    this.last = monotonicNow();
    if (this.timer === undefined) this.arm(this.ms);
  }

  /** Turns the timer off (until the next `set`). */
  stop(): void {
    this.ms = 0;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private arm(delay: number): void {
    // A shared function with the timer as its argument: no closure per connection.
    this.timer = setTimeout(fire, Math.max(1, Math.ceil(delay)), this);
  }

  /** The timer went off (called by {@link fire}). */
  expired(): void {
    this.timer = undefined;
    if (this.ms === 0) return;
    const idle = monotonicNow() - this.last;
    if (idle < this.ms) {
      this.arm(this.ms - idle);
      return;
    }
    this.onIdle();
  }
}

function fire(t: IdleTimer): void {
  t.expired();
}
