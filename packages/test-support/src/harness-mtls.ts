/**
 * In-memory client authentication: one full handshake of a {@link TestClient13} or
 * {@link TestClient12} that answers the server's CertificateRequest as told, against a
 * `ServerConnection` of any context (a `ServerContext`, or a hand-made `ConnectionContext` with
 * its own `verifyChain`).
 */
import { createNobleProvider, type CryptoProvider } from '@puretls/crypto';
import type { TlsError } from '@puretls/record-layer';
import type { NegotiatedInfo } from '@puretls/handshake-state-machine/internal';
import { ServerConnection } from '@puretls/server';
import { TestClient13, type ClientAuthAnswer, type ClientHelloOptions } from './tls13-client';
import { TestClient12, type ClientHello12Options } from './tls12-client';

export type TlsVersion = '1.3' | '1.2';

export interface MtlsResult {
  readonly conn: ServerConnection;
  readonly client: TestClient13 | TestClient12;
  readonly errors: TlsError[];
  /** Alert descriptions the client received. */
  readonly alerts: number[];
  /** `conn.info` (undefined when the handshake failed). */
  readonly info: NegotiatedInfo | undefined;
}

export interface MtlsOptions {
  /** The client's answer to a CertificateRequest (absent: an empty Certificate). */
  readonly answer?: ClientAuthAnswer;
  readonly hello13?: ClientHelloOptions;
  readonly hello12?: ClientHello12Options;
  readonly clientProvider?: CryptoProvider;
  /** TLS 1.3: after a HelloRetryRequest, the second ClientHello with these options (same random). */
  readonly retry?: ClientHelloOptions;
}

/** A full handshake of `version` on a new connection of `context`. */
export function mtlsHandshake(version: TlsVersion, context: ConstructorParameters<typeof ServerConnection>[0], o: MtlsOptions = {}): MtlsResult {
  const conn = new ServerConnection(context);
  const errors: TlsError[] = [];
  conn.on('error', (e) => errors.push(e));
  const p = o.clientProvider ?? createNobleProvider();
  const client = version === '1.3' ? new TestClient13(p) : new TestClient12(p);
  client.clientAuth = o.answer;
  const send = (b: Uint8Array) => {
    conn.receive(b);
    const out = conn.takeOutput();
    if (out.length) client.receive(out);
  };
  const hello = client instanceof TestClient13 ? client.buildClientHello(o.hello13) : client.buildClientHello(o.hello12);
  send(TestClient13.plaintextRecord(hello));
  if (client instanceof TestClient13 && client.helloRetry && o.retry && errors.length === 0) {
    send(TestClient13.plaintextRecord(client.buildClientHello({ ...o.hello13, ...o.retry, random: client.clientRandom }), 22, 0x0303));
  }
  if (errors.length === 0) send(client.finish());
  const alerts = client instanceof TestClient13 ? client.alerts : client.alerts.map((a) => a.description);
  return { conn, client, errors, alerts, info: conn.info };
}
