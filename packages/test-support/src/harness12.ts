/** Shared set-up for in-memory TLS 1.2 server tests: contexts, a Map-backed session glue, and exchanges. */
import { createNobleProvider, type CryptoProvider } from '@puretls/crypto';
import { AlertDescription, type AlertDescriptionName, type Reason, type TlsError } from '@puretls/record-layer';
import { decodeSessionState, type NewSession12, type SessionRefusal, type StoredSession } from '@puretls/handshake-state-machine/internal';
import { expect } from 'vitest';
import { NO_SESSIONS, ServerConnection, ServerContext, type ServerConnectionOptions, type ServerContextOptions, type SessionGlue } from '@puretls/server';
import { ecdsaCertificate } from './harness13';
import { TestClient12, type ClientHello12Options } from './tls12-client';

export function makeContext12(extra: Partial<ServerContextOptions> = {}): ServerContext {
  return new ServerContext({ certificates: [ecdsaCertificate()], minVersion: 'TLSv1.2', ...extra } as ServerContextOptions);
}

export interface Exchange12 {
  readonly conn: ServerConnection;
  readonly client: TestClient12;
  readonly errors: TlsError[];
  readonly data: Uint8Array[];
  /** Feeds client bytes to the server and the server's answer to the client. */
  send(bytes: Uint8Array): void;
  /** Delivers server output produced outside `send` (after an async lookup). */
  pump(): void;
}

/** A connection on `ctx` (with `options`) wired to a {@link TestClient12} on `provider`. */
export function exchange12(ctx: ServerContext = makeContext12(), provider: CryptoProvider = createNobleProvider(), options: ServerConnectionOptions = {}): Exchange12 {
  const conn = new ServerConnection(ctx, options);
  const client = new TestClient12(provider);
  const errors: TlsError[] = [];
  const data: Uint8Array[] = [];
  conn.on('error', (e) => errors.push(e));
  conn.on('data', (d) => data.push(d.slice()));
  const pump = () => {
    const out = conn.takeOutput();
    if (out.length) client.receive(out);
  };
  return {
    conn,
    client,
    errors,
    data,
    send(bytes: Uint8Array) {
      conn.receive(bytes);
      pump();
    },
    pump,
  };
}

export function hello12(opts: ClientHello12Options = {}, ctx?: ServerContext): Exchange12 {
  const x = exchange12(ctx);
  x.send(TestClient12.plaintextRecord(x.client.buildClientHello(opts)));
  return x;
}

/** A complete TLS 1.2 handshake; returns the exchange in the open state. */
export function handshake12(ctx?: ServerContext, opts: ClientHello12Options = {}): Exchange12 {
  const x = hello12(opts, ctx);
  if (x.errors.length) return x;
  x.send(x.client.finish());
  return x;
}

/** The server failed with this alert and reason, sent it, and closed. */
export function expectFailure12(x: Exchange12, alert: AlertDescriptionName, reason: Reason): void {
  expect(x.errors.map((e) => `${e.alert} ${e.reason}`)).toEqual([`${alert} ${reason}`]);
  expect(x.conn.phase).toBe('closed');
  expect(x.client.alerts.at(-1)).toEqual({ level: 2, description: AlertDescription[alert] });
}

/** TLS 1.2 sessions in Maps (id → session, ticket → session), sync or async; records every call. */
export class MapGlue12 implements SessionGlue {
  lookupPsk = NO_SESSIONS.lookupPsk;
  consumePsk = NO_SESSIONS.consumePsk;
  issueTicket = NO_SESSIONS.issueTicket;
  ticketsAfterHandshake = NO_SESSIONS.ticketsAfterHandshake;
  connectionEnded = NO_SESSIONS.connectionEnded;
  handshakeStarted = NO_SESSIONS.handshakeStarted;
  handshakeCompleted = NO_SESSIONS.handshakeCompleted;
  readonly byId = new Map<string, StoredSession>();
  readonly byTicket = new Map<string, StoredSession>();
  readonly events: string[] = [];
  asyncLookups = false;
  /** Tickets on (RFC 5077). */
  tickets = true;
  /** Session ids on. */
  ids = true;
  /** Tickets opened answer `reissue: true`. */
  reissue = false;
  /** issueTicket12 declines (→ an empty NewSessionTicket). */
  declineTickets = false;
  private readonly rng = createNobleProvider();

  lookupSession12(_c: object, id: Uint8Array) {
    const s = this.byId.get(hexOf(id));
    this.events.push(`lookup ${s ? 'hit' : 'miss'}`);
    return this.asyncLookups ? new Promise<StoredSession | undefined>((r) => setTimeout(() => r(s), 5)) : s;
  }
  openTicket12(_c: object, ticket: Uint8Array) {
    const s = this.byTicket.get(hexOf(ticket));
    this.events.push(`open ${s ? 'hit' : 'miss'}`);
    return s ? { session: s, reissue: this.reissue } : undefined;
  }
  sessionIdForNewSession12(_c: object, offersTicket: boolean) {
    return this.ids && !(offersTicket && this.tickets) ? this.rng.random(32) : new Uint8Array(0);
  }
  wantsTicket12(_c: object, offersTicket: boolean) {
    return offersTicket && this.tickets;
  }
  newSession12(_c: object, s: NewSession12) {
    this.events.push(`new ${s.sessionId.length ? 'id' : 'noid'}`);
    if (s.sessionId.length) this.byId.set(hexOf(s.sessionId), toStored(s));
  }
  issueTicket12(_c: object, s: NewSession12) {
    this.events.push('issue');
    if (this.declineTickets) return undefined;
    const t = this.rng.random(48);
    this.byTicket.set(hexOf(t), toStored(s));
    return t;
  }
  sessionAccepted(_c: object, s: StoredSession) {
    this.events.push(`accepted ${String(s.handle)}`);
  }
  sessionRefused(_c: object, s: StoredSession, why: SessionRefusal) {
    this.events.push(`refused ${why} ${String(s.handle)}`);
  }
}

/** The session as a store keeps it: a copy of the handshake's state (it wipes its own), named by its master secret. */
function toStored(s: NewSession12): StoredSession {
  const state = s.state.slice();
  return { id: s.sessionId.slice(), state, createdAt: s.authTime, authTime: s.authTime, singleUse: false, handle: 'h' + hexOf(decodeSessionState(state)!.secret).slice(0, 8) };
}

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
