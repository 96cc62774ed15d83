/**
 * One TLS 1.3 handshake with Node's client against a puretls server on loopback: offers `session`
 * when given, exchanges a byte with the echo server, waits for the first ticket (bounded), ends
 * with close_notify. Returns whether the session was reused and the new ticket's session.
 */
import type { TLSSocket } from 'node:tls';
import { connectTls, once, readBytes, within } from '@puretls/test-support/net';

export interface HandshakeResult {
  readonly reused: boolean;
  /** The first ticket the server sent, as Node's session blob. */
  readonly session: Buffer;
}

export async function handshake(port: number, session?: Buffer, ms = 15_000): Promise<HandshakeResult> {
  let gotSession: (s: Buffer) => void = () => {};
  const ticket = new Promise<Buffer>((resolve) => (gotSession = resolve));
  const client: TLSSocket = await connectTls(port, { servername: 'localhost', ...(session ? { session } : {}) }, ms, (c) => c.once('session', (s: Buffer) => gotSession(s)));
  try {
    const reused = client.isSessionReused();
    const echoed = readBytes(client, 1, ms);
    client.write('x');
    await echoed;
    const s = await within(ms, 'a session ticket', ticket);
    const closed = once(client, 'close', ms);
    client.end();
    client.resume();
    await closed;
    return { reused, session: s };
  } finally {
    client.destroy();
  }
}
