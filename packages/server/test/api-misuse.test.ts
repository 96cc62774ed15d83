/**
 * The application's mistakes: calls the connection's state does not allow (a
 * `ConnectionStateError` with its code, nothing sent, the connection not failed by it), and
 * `ServerContext` option names it does not know (a TypeError naming them: nothing fails open).
 */
import { describe, expect, it } from 'vitest';
import { handshake, makeContext } from '@puretls/test-support/harness13';
import { ConnectionStateError, ServerConnection, isConnectionStateError, isPuretlsError, isTlsAdapterError } from '../src/index';

describe('ServerConnection: calls in the wrong state', () => {
  it('keyUpdate() and sendSessionTicket() before the handshake: ERR_TLS_INVALID_STATE, nothing queued', () => {
    const conn = new ServerConnection(makeContext());
    for (const call of [() => conn.keyUpdate(), () => conn.sendSessionTicket()]) {
      const e = (() => {
        try {
          call();
        } catch (x) {
          return x;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(ConnectionStateError);
      expect(e).toMatchObject({ code: 'ERR_TLS_INVALID_STATE', name: 'ConnectionStateError' });
      expect([isConnectionStateError(e), isPuretlsError(e), isTlsAdapterError(e)]).toEqual([true, true, false]);
    }
    expect(conn.takeOutput().length).toBe(0);
    expect(conn.error).toBeNull();
    expect(conn.phase).toBe('handshaking');
  });

  it('write() after close(): ERR_TLS_WRITE_AFTER_CLOSE; the close_notify stays the last thing sent', () => {
    const x = handshake();
    x.conn.close();
    const closeNotify = x.conn.takeOutput();
    expect(closeNotify.length).toBeGreaterThan(0);
    expect(() => x.conn.write(new Uint8Array([1]))).toThrow(ConnectionStateError);
    try {
      x.conn.write(new Uint8Array([1]));
    } catch (e) {
      expect(e).toMatchObject({ code: 'ERR_TLS_WRITE_AFTER_CLOSE' });
    }
    expect(x.conn.takeOutput().length).toBe(0);
    expect(x.conn.error).toBeNull();
  });
});

describe('ServerContext options: nothing unknown is accepted', () => {
  it.each(['fooBar', 'requestcert', 'ALPNProtocols', 'key'])('%s: a TypeError naming it, before anything is built', (name) => {
    expect(() => makeContext({ [name]: 1 } as never)).toThrow(new RegExp(`options\\.${name}: unknown option`));
  });

  it('an unknown name with the value undefined is still refused (a typo is a typo)', () => {
    expect(() => makeContext({ sesionTimeout: undefined } as never)).toThrow(/options\.sesionTimeout: unknown option/);
  });

  it('every documented option is accepted with its default-like value', () => {
    expect(() => makeContext({ sessionTimeout: 300, tickets: 'stateful', tls12Tickets: false, requestCert: false, hrrCookie: false })).not.toThrow();
  });
});
