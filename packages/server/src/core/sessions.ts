/**
 * The session subsystem's glue (session spec §2): turns the handshake's session hooks into calls
 * on the `SessionCache` and the ticket key ring. Sessions are opaque here as in the cache (the
 * handshake's encoded state plus metadata); the glue decides only where they live. TLS 1.3
 * tickets are stateless (the session sealed under the key ring), stateful (a random id looked up in
 * the cache and the get callback, single use) or off; TLS 1.2 uses session ids (the cache) and
 * RFC 5077 tickets (the key ring).
 */
import { isPromiseLike, type CryptoProvider } from '@puretls/crypto';
import type { IssuedTicket, NegotiatedInfo, NewSession12, SessionRefusal, StoredSession, TicketToIssue } from '@puretls/handshake-state-machine';
import { isSession, openTicket, sealTicket, type LookupHit, type LookupResult, type Session, type SessionCache, type TicketKeyRing } from '@puretls/session-cache';
import type { SessionGlue } from './session-glue';

/** TLS 1.3 tickets: `stateless` (sealed sessions), `stateful` (ids of cached sessions, single use, 0-RTT capable) or `off`. */
export type TicketMode = 'stateless' | 'stateful' | 'off';

/** Options of {@link CacheSessionGlue}. */
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
  /** Makes stateful ticket ids (default 32 random bytes; tests inject published ones). */
  readonly newTicketId: (() => Uint8Array) | undefined;
}

/** The cache `Session` behind a `StoredSession.handle` this glue made, else `undefined`. */
export function sessionOfHandle(handle: unknown): Session | undefined {
  const session = (handle as Partial<LookupHit> | undefined)?.session;
  return isSession(session) ? session : undefined;
}

/**
 * The {@link SessionGlue} over `@puretls/session-cache`: TLS 1.2 session ids and TLS 1.3 stateful
 * tickets in the cache (and its callbacks), stateless tickets and TLS 1.2 tickets sealed with the
 * context's ticket key ring.
 */
export class CacheSessionGlue implements SessionGlue {
  /**
   * Sessions each connection made or resumed that invalidation can still reach when it ends (spec
   * §3, §5): only references (the sessions live in the cache or the application's store anyway).
   */
  private readonly owned = new WeakMap<object, Session[]>();
  private readonly completed = new WeakSet<object>();
  /** The session each connection made last (a ticket's, a TLS 1.2 id's) or resumed: {@link sessionOf}. */
  private readonly latest = new WeakMap<object, Session>();

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

  /** The handshake's view of a lookup result: the session's state and metadata, the hit as handle. */
  private stored(r: LookupResult): StoredSession | undefined {
    if (r.kind === 'miss') return undefined;
    const s = r.session;
    return { id: s.id, state: s.state, createdAt: s.createdAt, authTime: s.authTime, singleUse: s.singleUse, handle: r };
  }

  private storedAsync(r: LookupResult | Promise<LookupResult>): StoredSession | undefined | Promise<StoredSession | undefined> {
    return isPromiseLike(r) ? r.then((x) => this.stored(x)) : this.stored(r);
  }

  // ---- both versions ---------------------------------------------------------------------------

  sessionAccepted(conn: object, stored: StoredSession): void {
    const session = this.o.cache.accept(stored.handle as LookupHit);
    this.latest.set(conn, session);
    this.own(conn, session);
  }

  /**
   * The session a connection made last — the last TLS 1.3 ticket's, the TLS 1.2 session id's or
   * ticket's — or else the one it resumed; `undefined` when it has none (tickets off and no id, or
   * before the handshake). What Node's `getSession()` reports (OpenSSL's `SSL_get_session`).
   */
  sessionOf(conn: object): Session | undefined {
    return this.latest.get(conn);
  }

  sessionRefused(_conn: object, stored: StoredSession, why: SessionRefusal): void {
    this.o.cache.refuse(stored.handle as LookupHit, why);
  }

  // ---- TLS 1.3 ---------------------------------------------------------------------------------

  issueTicket(conn: object, t: TicketToIssue): IssuedTicket | undefined {
    const { cache, tickets, provider } = this.o;
    if (tickets === 'off') return undefined;
    const stateful = tickets === 'stateful';
    // Spec §6: never issue a ticket the server cannot redeem.
    if (stateful && !cache.storesSessions) return undefined;
    const ticketId = stateful && this.o.newTicketId ? this.o.newTicketId() : provider.random(32, 'session_id');
    const session = cache.createSession({ id: this.cacheKey(ticketId), createdAt: t.createdAt, timeout: t.lifetime, authTime: t.authTime, singleUse: stateful, state: t.state });
    // Spec §2: newSession once per NewSessionTicket; the session enters the cache first. A
    // stateless ticket is never looked up in the cache: like OpenSSL (ssl_update_cache), it is
    // stored only when a remove callback wants to hear of its invalidation.
    const kept = cache.newSession(conn, session, { store: stateful || cache.getRemoveSessionCallback() !== undefined, stateless: !stateful });
    if (kept === false && stateful) return undefined;
    this.latest.set(conn, session);
    this.own(conn, session);
    return { ticket: stateful ? ticketId : sealTicket(this.o.keyRing, session), singleUse: stateful };
  }

  /**
   * The cache key of a stateful ticket: the ticket itself (32 random bytes by default), or the
   * SHA-256 of a longer one (an injected id generator may make any length; session ids are 1–32
   * bytes, spec §1). The get and new-session callbacks see this key.
   */
  private cacheKey(ticket: Uint8Array): Uint8Array {
    return ticket.length <= 32 ? ticket : this.o.provider.hash('sha256', ticket);
  }

  lookupPsk(conn: object, identity: Uint8Array): StoredSession | undefined | Promise<StoredSession | undefined> {
    switch (this.o.tickets) {
      case 'off':
        return undefined;
      case 'stateless': {
        // A ticket that does not open is no lookup at all (OpenSSL counts no sess_miss either).
        const opened = openTicket(this.o.keyRing, identity);
        return opened ? this.stored(this.o.cache.ticketOpened(opened.session)) : undefined;
      }
      case 'stateful':
        return this.storedAsync(this.o.cache.lookup(conn, this.cacheKey(identity)));
    }
  }

  consumePsk(conn: object, stored: StoredSession): boolean | Promise<boolean> {
    const hit = stored.handle as LookupHit;
    const taken = this.o.cache.take(conn, hit.session);
    const settle = (ok: boolean): boolean => {
      if (!ok) this.o.cache.refuse(hit, 'notTaken');
      return ok;
    };
    return isPromiseLike(taken) ? taken.then(settle) : settle(taken);
  }

  ticketsAfterHandshake(_conn: object, resumed: boolean): number {
    if (this.o.tickets === 'off') return 0;
    // OpenSSL: num_tickets after a full handshake, one after a resumption (none when num_tickets is 0).
    return resumed ? Math.min(1, this.o.numTickets) : this.o.numTickets;
  }

  // ---- TLS 1.2 ---------------------------------------------------------------------------------

  lookupSession12(conn: object, sessionId: Uint8Array): StoredSession | undefined | Promise<StoredSession | undefined> {
    return this.storedAsync(this.o.cache.lookup(conn, sessionId));
  }

  openTicket12(_conn: object, ticket: Uint8Array): { session: StoredSession; reissue: boolean } | undefined {
    if (!this.o.tickets12) return undefined;
    const opened = openTicket(this.o.keyRing, ticket);
    if (!opened) return undefined;
    const session = this.stored(this.o.cache.ticketOpened(opened.session));
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

  newSession12(conn: object, s: NewSession12): void {
    // Spec §2: not when the session is carried in a ticket (empty session id).
    if (s.sessionId.length === 0) return;
    const session = this.o.cache.createSession({ id: s.sessionId, authTime: s.authTime, state: s.state });
    this.latest.set(conn, session);
    void this.o.cache.newSession(conn, session);
    this.own(conn, session);
  }

  issueTicket12(conn: object, s: NewSession12): Uint8Array | undefined {
    if (!this.o.tickets12) return undefined;
    const id = s.sessionId.length > 0 ? s.sessionId : this.o.provider.random(32, 'session_id');
    const session = this.o.cache.createSession({ id, authTime: s.authTime, state: s.state });
    this.latest.set(conn, session);
    return sealTicket(this.o.keyRing, session);
  }

  // ---- connections -----------------------------------------------------------------------------

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
