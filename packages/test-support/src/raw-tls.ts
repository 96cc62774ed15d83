/**
 * TLS clients over real TCP that misbehave after the handshake. TLS 1.3: the test client
 * (`tls13/test-client.ts`) completes the handshake, then records are sealed by hand under the
 * client's application key (empty records, warning alerts, KeyUpdates, handshake messages the
 * server never asked for, an oversized record header). TLS 1.2 (`tls12/test-client12.ts`): after
 * the handshake, handshake messages under the client's key (renegotiation ClientHellos). Every
 * wait is bounded.
 */
import type { Socket } from 'node:net';
import { createNobleProvider } from '@puretls/crypto';
import { ContentType, createEncrypter, type RecordEncrypter } from '@puretls/record-layer';
import { keysFor, nextTrafficSecret, writeKeyUpdate } from '@puretls/handshake-state-machine/internal';
import { TestClient12 } from './tls12-client';
import { TestClient13 } from './tls13-client';
import { connectTcp, until } from './net';

export interface RawTls13 {
  readonly tcp: Socket;
  readonly client: TestClient13;
  /** Seals `content` as one record of `type` under the client's application key and sends it. */
  send(type: number, content: Uint8Array): void;
  /** Raw bytes on the wire. */
  sendRaw(bytes: Uint8Array): void;
  /** A KeyUpdate (RFC 8446 §4.6.3: sent under the old key, then the client switches). */
  keyUpdate(): void;
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
  let secret = client.clientApSecret;
  let enc: RecordEncrypter = createEncrypter(client.provider, keysFor(client.provider, client.suite!, secret));
  const send = (type: number, content: Uint8Array): void => {
    const out = new Uint8Array(enc.recordLength(content.length, 0));
    enc.sealInto(type as ContentType, content, 0, out, 0);
    if (!tcp.destroyed) tcp.write(out);
  };
  return {
    tcp,
    client,
    alerts: client.alerts,
    closed,
    send,
    sendRaw(bytes) {
      if (!tcp.destroyed) tcp.write(bytes);
    },
    keyUpdate() {
      send(ContentType.handshake, writeKeyUpdate(false));
      secret = nextTrafficSecret(client.provider, client.suite!.hash, secret);
      enc = createEncrypter(client.provider, keysFor(client.provider, client.suite!, secret));
    },
  };
}

export interface RawTls12 {
  readonly tcp: Socket;
  readonly client: TestClient12;
  /** Sends a handshake message under the client's current key. */
  sendHandshake(raw: Uint8Array): void;
  /** Alert descriptions received from the server so far. */
  readonly alerts: number[];
  readonly closed: Promise<void>;
}

/** Connects to 127.0.0.1:port and completes a TLS 1.2 full handshake. */
export async function connectRawTls12(port: number, ms = 10_000): Promise<RawTls12> {
  const tcp = await connectTcp(port);
  const client = new TestClient12(createNobleProvider());
  const closed = new Promise<void>((resolve) => tcp.once('close', () => resolve()));
  tcp.on('data', (d: Buffer) => {
    try {
      client.receive(new Uint8Array(d));
    } catch {
      // After the server's alert the test client may not follow.
    }
  });
  tcp.write(TestClient13.plaintextRecord(client.buildClientHello({})));
  await until('ServerHelloDone', () => client.received.some((m) => m.type === 14) || tcp.destroyed, ms);
  tcp.write(client.finish());
  await until('the server Finished', () => client.serverFinishedOk !== undefined || tcp.destroyed, ms);
  if (client.serverFinishedOk !== true) throw new Error('the TLS 1.2 handshake did not complete');
  return {
    tcp,
    client,
    get alerts() {
      return client.alerts.map((a) => a.description);
    },
    closed,
    sendHandshake(raw) {
      if (!tcp.destroyed) tcp.write(client.sendHandshake(raw));
    },
  };
}
