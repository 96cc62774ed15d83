/** Shared set-up for in-memory TLS 1.3 server tests: a context with a fresh certificate, and a client. */
import {
  createNobleProvider,
  createSelfSignedCertificate,
  generateEcdsaP256Key,
  privateKeyToPem,
  type CryptoProvider,
} from '@puretls/crypto';
import type { TlsError } from '@puretls/record-layer';
import { ServerConnection, ServerContext, type ServerContextOptions } from '@puretls/server';
import { TestClient13, type ClientHelloOptions } from './tls13-client';

let cached: { cert: string; key: string } | undefined;
/** An ECDSA P-256 certificate for `localhost`, made once per test file. */
export function ecdsaCertificate(): { cert: string; key: string } {
  if (!cached) {
    const p = createNobleProvider();
    const key = generateEcdsaP256Key(p);
    cached = { cert: createSelfSignedCertificate(p, { key, commonName: 'localhost', dnsNames: ['localhost'] }).pem, key: privateKeyToPem(key) };
  }
  return cached;
}

export function makeContext(extra: Partial<ServerContextOptions> = {}): ServerContext {
  return new ServerContext({ certificates: [ecdsaCertificate()], ...extra });
}

export interface Exchange {
  readonly conn: ServerConnection;
  readonly client: TestClient13;
  readonly errors: TlsError[];
  /** Alert descriptions the client received. */
  readonly clientAlerts: number[];
  /** Feeds client bytes to the server and the server's answer to the client. */
  send(bytes: Uint8Array): void;
}

export function exchange(ctx: ServerContext = makeContext(), provider: CryptoProvider = createNobleProvider()): Exchange {
  const conn = new ServerConnection(ctx);
  const client = new TestClient13(provider);
  const errors: TlsError[] = [];
  conn.on('error', (e) => errors.push(e));
  return {
    conn,
    client,
    errors,
    clientAlerts: client.alerts,
    send(bytes: Uint8Array) {
      conn.receive(bytes);
      const out = conn.takeOutput();
      if (out.length) client.receive(out);
    },
  };
}

/** Sends a ClientHello built with `opts` and returns the exchange. */
export function helloWith(opts: ClientHelloOptions, ctx?: ServerContext): Exchange {
  const x = exchange(ctx);
  x.send(TestClient13.plaintextRecord(x.client.buildClientHello(opts)));
  return x;
}

/** A complete handshake; returns the exchange in the open state. */
export function handshake(ctx?: ServerContext, opts: ClientHelloOptions = {}): Exchange {
  const x = helloWith(opts, ctx);
  x.send(x.client.finish());
  return x;
}
