/**
 * The session subsystem's glue (session spec §2): turns the handshake's session hooks into calls
 * on the `SessionCache` and the ticket key ring. TLS 1.3 tickets are stateless (the session sealed
 * under the key ring), stateful (a random id looked up in the cache and the get callback, single
 * use) or off; TLS 1.2 uses session ids (the cache) and RFC 5077 tickets (the key ring).
 */
import type { CryptoProvider } from '@puretls/crypto';
import { TlsError } from '@puretls/record-layer';
import type {
  IssuedTicket,
  NegotiatedInfo,
  NewSession12,
  PskLookup,
  ResumableSession,
  ResumableSession12,
  Session12Lookup,
  TicketToIssue,
} from '@puretls/handshake-state-machine';
import { openTicket, sealTicket, type LookupResult, type Session, type SessionCache, type TicketKeyRing } from '@puretls/session-cache';
import type { SessionGlue } from './session-glue';

export type TicketMode = 'stateless' | 'stateful' | 'off';

export interface CacheSessionGlueOptions {
  readonly cache: SessionCache<object>;
  readonly keyRing: TicketKeyRing;
  readonly provider: CryptoProvider;
  /** TLS 1.3 tickets (spec §6). */
  readonly tickets: TicketMode;
  /** RFC 5077 tickets in TLS 1.2 (on unless tickets are `'off'`). */
  readonly tickets12: boolean;
  /** Tickets after a full TLS 1.3 handshake (spec §2: default 2; 1 after a resumption). */
  readonly numTickets: number;
  /** The context fingerprint sessions are bound to (spec §6). */
  readonly contextId: Uint8Array;
  /** Makes stateful ticket ids (default 32 random bytes; tests inject published ones). */
  readonly newTicketId: (() => Uint8Array) | undefined;
}

const latin1 = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : String.fromCharCode(...b));
const bytes = (s: string | undefined): Uint8Array | undefined => (s === undefined ? undefined : Uint8Array.from(s, (c) => c.charCodeAt(0)));

export class CacheSessionGlue implements SessionGlue {
  /**
   * Sessions each connection made or resumed that invalidation can still reach when it ends (spec
   * §3, §5): only references (the sessions live in the cache or the application's store anyway).
   */
  private readonly owned = new WeakMap<object, Session[]>();
  private readonly completed = new WeakSet<object>();

  constructor(private readonly o: CacheSessionGlueOptions) {}

  /**
   * Invalidation removes a session from the internal store and tells the remove callback. A session
   * in neither (a stateless ticket, sealed and never stored, with no remove callback to tell) cannot
   * be revoked: nothing is kept for it.
   */
  private own(conn: object, session: Session): void {
    const { cache } = this.o;
    if (cache.getRemoveSessionCallback() === undefined && cache.peek(session.id) !== session) return;
    const list = this.owned.get(conn);
    if (list) list.push(session);
    else this.owned.set(conn, [session]);
  }

  // ---- TLS 1.3 ---------------------------------------------------------------------------------

  issueTicket(conn: object, t: TicketToIssue): IssuedTicket | undefined {
    const { cache, tickets, provider } = this.o;
    if (tickets === 'off') return undefined;
    const stateful = tickets === 'stateful';
    // Spec §6: never issue a ticket the server cannot redeem.
    if (stateful && !cache.storesSessions) return undefined;
    const ticketId = stateful && this.o.newTicketId ? this.o.newTicketId() : provider.random(32, 'session_id');
    const session = cache.createSession({
      id: this.cacheKey(ticketId),
      version: 0x0304,
      cipherSuite: t.cipherSuite,
      secret: t.psk,
      createdAt: t.issuedAt,
      timeout: t.lifetime,
      serverName: t.serverName,
      alpn: bytes(t.alpn),
      contextId: this.o.contextId,
      ticketAgeAdd: t.ticketAgeAdd,
      ticketNonce: t.nonce,
      // Spec §6: 0-RTT only on single-use (stateful) tickets.
      maxEarlyData: stateful ? t.maxEarlyData : 0,
      authTime: t.authTime,
    });
    // Spec §2: newSession once per NewSessionTicket; the session enters the cache first. A
    // stateless ticket is never looked up in the cache: like OpenSSL (ssl_update_cache), it is
    // stored only when a remove callback wants to hear of its invalidation.
    const kept = cache.newSession(conn, session, { store: stateful || cache.getRemoveSessionCallback() !== undefined });
    if (kept === false && stateful) return undefined;
    this.own(conn, session);
    return stateful ? { ticket: ticketId, maxEarlyData: session.maxEarlyData } : { ticket: sealTicket(this.o.keyRing, session), maxEarlyData: 0 };
  }

  /**
   * The cache key of a stateful ticket: the ticket itself (32 random bytes by default), or the
   * SHA-256 of a longer one (an injected id generator may make any length; session ids are 1–32
   * bytes, spec §1). The get and new-session callbacks see this key.
   */
  private cacheKey(ticket: Uint8Array): Uint8Array {
    return ticket.length <= 32 ? ticket : this.o.provider.hash('sha256', ticket);
  }

  lookupPsk(conn: object, req: PskLookup): ResumableSession | undefined | Promise<ResumableSession | undefined> {
    const ctx = { version: 0x0304 as const, contextId: this.o.contextId, serverName: req.serverName, cipherSuite: req.cipherSuite };
    if (this.o.tickets === 'stateless') {
      const opened = openTicket(this.o.keyRing, req.identity);
      if (!opened) return undefined;
      return this.toResumable(this.o.cache.validateTicket(opened.session, ctx), false);
    }
    if (this.o.tickets === 'off') return undefined;
    const r = this.o.cache.lookup(conn, this.cacheKey(req.identity), ctx);
    return isPromise(r) ? r.then((x) => this.toResumable(x, true)) : this.toResumable(r, true);
  }

  private toResumable(r: LookupResult, singleUse: boolean): ResumableSession | undefined {
    if (r.kind === 'abort') throw new TlsError(r.reason, 'session validation');
    if (r.kind === 'miss') return undefined;
    const s = r.session;
    return {
      psk: s.secret,
      cipherSuite: s.cipherSuite,
      issuedAt: s.createdAt,
      ticketAgeAdd: s.ticketAgeAdd,
      maxEarlyData: s.maxEarlyData,
      alpn: latin1(s.alpn),
      serverName: s.serverName,
      singleUse,
      authTime: s.authTime,
      handle: s,
    };
  }

  consumePsk(conn: object, session: ResumableSession): boolean | Promise<boolean> {
    return this.o.cache.take(conn, session.handle as Session);
  }

  sessionResumed(conn: object, session: ResumableSession): void {
    this.own(conn, session.handle as Session);
  }

  binderFailed(): void {
    this.o.cache.binderFailed();
  }

  ticketsAfterHandshake(_conn: object, resumed: boolean): number {
    if (this.o.tickets === 'off') return 0;
    // OpenSSL: num_tickets after a full handshake, one after a resumption (none when num_tickets is 0).
    return resumed ? Math.min(1, this.o.numTickets) : this.o.numTickets;
  }

  // ---- TLS 1.2 ---------------------------------------------------------------------------------

  private ctx12(req: Session12Lookup) {
    return {
      version: 0x0303 as const,
      contextId: this.o.contextId,
      serverName: req.serverName,
      clientCipherSuites: req.clientCipherSuites,
      extendedMasterSecret: req.extendedMasterSecret,
    };
  }

  private toResumable12(r: LookupResult): ResumableSession12 | undefined {
    if (r.kind === 'abort') throw new TlsError(r.reason, 'session validation');
    if (r.kind === 'miss') return undefined;
    const s = r.session;
    return {
      masterSecret: s.secret,
      cipherSuite: s.cipherSuite,
      extendedMasterSecret: s.extendedMasterSecret,
      serverName: s.serverName,
      alpn: latin1(s.alpn),
      authTime: s.authTime,
      handle: s,
    };
  }

  lookupSession12(conn: object, sessionId: Uint8Array, req: Session12Lookup): ResumableSession12 | undefined | Promise<ResumableSession12 | undefined> {
    const r = this.o.cache.lookup(conn, sessionId, this.ctx12(req));
    return isPromise(r) ? r.then((x) => this.toResumable12(x)) : this.toResumable12(r);
  }

  openTicket12(_conn: object, ticket: Uint8Array, req: Session12Lookup): { session: ResumableSession12; reissue: boolean } | undefined {
    if (!this.o.tickets12) return undefined;
    const opened = openTicket(this.o.keyRing, ticket);
    if (!opened || opened.session.version !== 0x0303) return undefined;
    const session = this.toResumable12(this.o.cache.validateTicket(opened.session, this.ctx12(req)));
    return session ? { session, reissue: opened.needsReissue } : undefined;
  }

  sessionIdForNewSession12(_conn: object, clientOffersTicket: boolean): Uint8Array {
    // OpenSSL: a client that uses tickets gets an empty session id; spec §4: mode `off` too.
    if ((clientOffersTicket && this.o.tickets12) || !this.o.cache.storesSessions) return new Uint8Array(0);
    return this.o.provider.random(32, 'session_id');
  }

  wantsTicket12(_conn: object, clientOffersTicket: boolean): boolean {
    return clientOffersTicket && this.o.tickets12;
  }

  private session12(s: NewSession12, id: Uint8Array): Session {
    return this.o.cache.createSession({
      id,
      version: 0x0303,
      cipherSuite: s.cipherSuite,
      secret: s.masterSecret,
      extendedMasterSecret: s.extendedMasterSecret,
      serverName: s.serverName,
      alpn: bytes(s.alpn),
      contextId: this.o.contextId,
      authTime: s.authTime,
    });
  }

  newSession12(conn: object, s: NewSession12): void {
    // Spec §2: not when the session is carried in a ticket (empty session id).
    if (s.sessionId.length === 0) return;
    const session = this.session12(s, s.sessionId);
    void this.o.cache.newSession(conn, session);
    this.own(conn, session);
  }

  issueTicket12(_conn: object, s: NewSession12): Uint8Array | undefined {
    if (!this.o.tickets12) return undefined;
    return sealTicket(this.o.keyRing, this.session12(s, s.sessionId.length > 0 ? s.sessionId : this.o.provider.random(32, 'session_id')));
  }

  sessionResumed12(conn: object, session: ResumableSession12): void {
    this.own(conn, session.handle as Session);
  }

  // ---- both ------------------------------------------------------------------------------------

  handshakeStarted(): void {
    this.o.cache.handshakeStarted();
  }

  handshakeCompleted(conn: object, _info: NegotiatedInfo): void {
    this.completed.add(conn);
    this.o.cache.handshakeCompleted();
  }

  connectionEnded(conn: object, outcome: { clean: boolean; fatal: boolean }): void {
    const sessions = this.owned.get(conn);
    this.owned.delete(conn);
    if (!sessions) return;
    // Spec §3/§5: a fatal alert always invalidates; an unclean end only after a completed handshake (OpenSSL).
    if (outcome.fatal) this.o.cache.connectionEnded(sessions, 'fatalAlert');
    else if (!outcome.clean && this.completed.has(conn)) this.o.cache.connectionEnded(sessions, 'uncleanShutdown');
    else this.o.cache.connectionEnded(sessions, 'clean');
  }
}

function isPromise<T>(x: T | Promise<T>): x is Promise<T> {
  return typeof (x as { then?: unknown }).then === 'function';
}
