/**
 * A TLS 1.3 client over real TCP that can misbehave after the handshake: the test client
 * (`tls13/test-client.ts`) completes the handshake, then records are sealed by hand under the
 * client's application key (empty records, warning alerts, handshake messages the server never
 * asked for, an oversized record header). Every wait is bounded.
 */
import type { Socket } from 'node:net';
import { createNobleProvider } from '@puretls/crypto';
import { ContentType, createEncrypter, type RecordEncrypter } from '@puretls/record-layer';
import { keysFor } from '@puretls/handshake-state-machine';
import { TestClient13 } from '../tls13/test-client';
import { connectTcp, until } from './net';

export interface RawTls13 {
  readonly tcp: Socket;
  readonly client: TestClient13;
  /** Seals `content` as one record of `type` under the client's application key and sends it. */
  send(type: number, content: Uint8Array): void;
  /** Raw bytes on the wire. */
  sendRaw(bytes: Uint8Array): void;
  /** Alert descriptions received from the server so far. */
  readonly alerts: number[];
  /** Resolves once TCP closed. */
  readonly closed: Promise<void>;
}

/** Connects to 127.0.0.1:port and completes a TLS 1.3 handshake (server_name localhost). */
export async function connectRawTls13(port: number, ms = 10_000): Promise<RawTls13> {
  const tcp = await connectTcp(port);
  const client = new TestClient13(createNobleProvider());
  const closed = new Promise<void>((resolve) => tcp.once('close', () => resolve()));
  tcp.on('data', (d: Buffer) => {
    try {
      client.receive(new Uint8Array(d));
    } catch {
      // Bytes after the server's alert (or its close_notify) may not decode for the test client.
    }
  });
  tcp.write(TestClient13.plaintextRecord(client.buildClientHello({})));
  await until('the server Finished', () => client.clientApSecret !== undefined || tcp.destroyed, ms);
  if (client.clientApSecret === undefined) throw new Error('the server closed before its Finished');
  tcp.write(client.finish());
  const enc: RecordEncrypter = createEncrypter(client.provider, keysFor(client.provider, client.suite!, client.clientApSecret));
  return {
    tcp,
    client,
    alerts: client.alerts,
    closed,
    send(type, content) {
      const out = new Uint8Array(enc.recordLength(content.length, 0));
      enc.sealInto(type as ContentType, content, 0, out, 0);
      if (!tcp.destroyed) tcp.write(out);
    },
    sendRaw(bytes) {
      if (!tcp.destroyed) tcp.write(bytes);
    },
  };
}
