/**
 * Values that may arrive now or later: the session store's answers (a lookup, a take) are either
 * plain values or promises, and each layer (session cache, handshake, server glue) must tell them
 * apart without awaiting (STYLE.md §1: the core never awaits). The one test for it lives here, in
 * the package every layer depends on.
 */

/** Whether `x` is a promise-like (has a callable `then`), i.e. the answer comes later. */
export function isPromiseLike<T>(x: T | PromiseLike<T>): x is PromiseLike<T> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}
