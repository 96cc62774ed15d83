/**
 * Calls the connection's state does not allow are the application's mistake: a
 * `ConnectionStateError` with its code, nothing sent, the connection not failed by it.
 */
import { describe, expect, it } from 'vitest';
import { handshake, makeContext } from '@puretls/test-support/harness13';
import { ConnectionStateError, ServerConnection } from '../src/index';

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
